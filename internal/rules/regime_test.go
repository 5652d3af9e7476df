package rules_test

import (
	"testing"

	"breachflow/internal/rules"
)

// TestRegimesLoad loads and checks every embedded regime file.
func TestRegimesLoad(t *testing.T) {
	rgs, err := rules.Regimes()
	if err != nil {
		t.Fatal(err)
	}
	if len(rgs) == 0 {
		t.Fatal("no regimes")
	}
	for _, rg := range rgs {
		t.Logf("%s: %d rules", rg.ID, len(rg.Obligations))
	}
}
