package stage_test

import (
	"strings"
	"testing"
	"time"

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
