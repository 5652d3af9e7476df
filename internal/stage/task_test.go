package stage_test

import (
	"strings"
	"testing"
	"time"

	"breachflow/internal/ledger"
	"breachflow/internal/rules"
	"breachflow/internal/stage"
)

func TestTasksAreTheRequiredSecondStages(t *testing.T) {
	due := time.Date(2026, 12, 3, 14, 59, 59, 0, time.UTC)
	a := staged(due)
	a.Obligations = append(a.Obligations,
		rules.Obligation{ID: "eu-gdpr-33-4-phase-DE", StageOf: "eu-gdpr-33-authority-DE", Required: true, Clock: rules.ClockFactsConfirmed,
			Notes: []string{"clock not started: timeline.facts_confirmed is not recorded"}},
		rules.Obligation{ID: "us-nydfs-500-17-extortion-explanation", StageOf: "us-nydfs-500-17-extortion", Required: false})
	ts := stage.Tasks("c1", a)
	if len(ts) != 2 {
		t.Fatalf("%d tasks, want the two required second stages", len(ts))
	}
	if ts[0].ObligationID != "jp-appi-26-final" || ts[0].Status != stage.StatusScheduled || !ts[0].DueAt.Equal(due) {
		t.Errorf("first task %+v", ts[0])
	}
	if ts[1].Status != stage.StatusWaiting || !strings.Contains(ts[1].Note, "timeline.facts_confirmed") {
		t.Errorf("a task whose clock has not started: %+v, want waiting and saying which fact starts it", ts[1])
	}
	if ts[0].FilingID() != "filing-jp-appi-26-final" || ts[0].FirstFilingID() != "filing-jp-appi-26-preliminary" {
		t.Errorf("filing ids %s, %s", ts[0].FilingID(), ts[0].FirstFilingID())
	}
	if a, b := ts[0].RecipientSetHash(), ts[1].RecipientSetHash(); a == b || len(a) != 64 {
		t.Errorf("recipient-set hashes %q %q: want one per stage", a, b)
	}
}

func TestRunName(t *testing.T) {
	if got := stage.RunName("c1", "jp-appi-26-final", 2); got != "stage-c1-jp-appi-26-final-2" {
		t.Errorf("RunName = %q", got)
	}
	long := stage.RunName(strings.Repeat("x", 64), "us-nydfs-500-17-extortion-explanation", 1)
	if len(long) > 80 || !strings.HasPrefix(long, "stage-") || !strings.HasSuffix(long, "-1") {
		t.Errorf("RunName of long ids = %q (%d characters), want at most 80", long, len(long))
	}
}

// TestMetByFollowUp: a phased follow-up due when the facts were confirmed
// is met by the amendment's own follow-up filing to the same regulator,
// sent since; Japan's final report is not met by any follow-up.
func TestMetByFollowUp(t *testing.T) {
	confirmed := time.Date(2026, 10, 20, 8, 0, 0, 0, time.UTC)
	phase := stage.Task{ObligationID: "kr-pipa-34-regulator-supplement", StageOf: "kr-pipa-34-regulator", Clock: rules.ClockFactsConfirmed, DueAt: confirmed}
	final := stage.Task{ObligationID: "jp-appi-26-final", StageOf: "jp-appi-26-preliminary", Clock: rules.ClockAware, DueAt: confirmed}
	tests := []struct {
		name string
		task stage.Task
		rec  ledger.FilingRecord
		want bool
	}{
		{"the amendment's follow-up, after", phase, ledger.FilingRecord{ObligationID: "filing-kr-pipa-34-regulator-v2", SentAt: confirmed.Add(time.Hour)}, true},
		{"a stage filing naming the first", phase, ledger.FilingRecord{ObligationID: "filing-x", FollowsUp: "filing-kr-pipa-34-regulator", SentAt: confirmed}, true},
		{"a follow-up sent before the facts were confirmed", phase, ledger.FilingRecord{ObligationID: "filing-kr-pipa-34-regulator-v2", SentAt: confirmed.Add(-time.Hour)}, false},
		{"the first filing itself", phase, ledger.FilingRecord{ObligationID: "filing-kr-pipa-34-regulator", SentAt: confirmed.Add(time.Hour)}, false},
		{"another regulator's follow-up", phase, ledger.FilingRecord{ObligationID: "filing-kr-ciupa-39-4-regulator-v2", SentAt: confirmed.Add(time.Hour)}, false},
		{"not sent", phase, ledger.FilingRecord{ObligationID: "filing-kr-pipa-34-regulator-v2"}, false},
		{"Japan's final report is its own document", final, ledger.FilingRecord{ObligationID: "filing-jp-appi-26-preliminary-v2", SentAt: confirmed.Add(time.Hour)}, false},
	}
	for _, tt := range tests {
		if got := tt.task.MetByFollowUp(tt.rec); got != tt.want {
			t.Errorf("%s: MetByFollowUp = %v, want %v", tt.name, got, tt.want)
		}
	}
}
