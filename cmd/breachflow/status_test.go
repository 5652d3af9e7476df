package main

import (
	"strings"
	"testing"

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
