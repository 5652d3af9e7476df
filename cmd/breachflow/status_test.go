package main

import (
	"strings"
	"testing"
	"time"

	"breachflow/internal/cases"
)

// A closed case whose count left people unreached (a failure after the
// last round the workflow allowed) points the responder at the pack's list
// of them; a case that reached everyone just at the pack.
func TestNextStepOfAClosedCase(t *testing.T) {
	c := cases.Case{CaseID: "c1", Status: cases.StatusClosed, Reach: map[string]int{"email": 10, "unreached": 2}}
	if got := nextStep(c); !strings.Contains(got, "breachflow evidence c1") || !strings.Contains(got, "2 unreached") || !strings.Contains(got, "ledger.csv") {
		t.Errorf("closed with 2 unreached: %q", got)
	}
	c.Reach = map[string]int{"email": 12}
	if got := nextStep(c); got != "write the evidence pack: `breachflow evidence c1`" {
		t.Errorf("closed with everyone reached: %q", got)
	}
}

func TestStatusOfAClosedCaseChangedAfterTheClose(t *testing.T) {
	at := time.Date(2026, 12, 4, 9, 30, 0, 0, time.UTC)
	c := cases.Case{CaseID: "c1", Status: cases.StatusClosed, Reach: map[string]int{"sms": 12},
		ChangedAfterClose: []string{cases.ChangeKey(1, 3), cases.ChangeKey(1, 7)}, ChangedAt: at, ChangedSince: &at}
	var out strings.Builder
	printReach(&out, c)
	if !strings.Contains(out.String(), "changed       since the close") || !strings.Contains(out.String(), "in 2 shard(s), the last at 2026-12-04T09:30:00Z") || strings.Contains(out.String(), "accounted") {
		t.Errorf("status of a case changed after its close:\n%s", out.String())
	}
	if got := nextStep(c); !strings.Contains(got, "breachflow resume c1") || !strings.Contains(got, "breachflow evidence c1") {
		t.Errorf("next step of a case changed after its close: %q", got)
	}
	// Only an earlier version's shards changed: a late round of this
	// version would not reach them; the pack names them.
	c.WorkingVersion, c.LatestVersion = 2, 2
	if got := nextStep(c); strings.Contains(got, "resume") || !strings.Contains(got, "breachflow evidence c1") || !strings.Contains(got, "recounts every person") {
		t.Errorf("next step of a case whose earlier version changed after its close: %q", got)
	}
	c.ChangedAfterClose = nil
	out.Reset()
	printReach(&out, c)
	if strings.Contains(out.String(), "changed") || !strings.Contains(out.String(), "accounted     every person") {
		t.Errorf("status of an unchanged case says changed:\n%s", out.String())
	}
}
