package posting_test

import (
	"testing"

	"breachflow/internal/breach"
	"breachflow/internal/posting"
	"breachflow/internal/rules"
)

// TestRulesNameRealRegimes keeps periods.json in step with the rulebook:
// every rule names a regime that exists, carries a citation and a
// verification mark, and a period the research did not read in primary
// text is never marked verified.
func TestRulesNameRealRegimes(t *testing.T) {
	regs, err := rules.Regimes()
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, r := range regs {
		known[r.ID] = true
	}
	for _, r := range posting.Rules() {
		if !known[r.Regime] {
			t.Errorf("%s: no such regime in internal/rules/regimes", r.Regime)
		}
		if r.Citation == "" || r.Text == "" {
			t.Errorf("%s: rule without citation or text", r.Regime)
		}
		switch r.Verification {
		case "V", "S", "UNVERIFIED":
		default:
			t.Errorf("%s: verification %q", r.Regime, r.Verification)
		}
		if r.Days == 0 && r.Verification != "UNVERIFIED" {
			t.Errorf("%s: no period found, yet marked %s", r.Regime, r.Verification)
		}
	}
}

func TestPeriodForTakesTheLongest(t *testing.T) {
	ob := func(regime string, kind breach.RecipientKind, required bool) rules.Obligation {
		return rules.Obligation{ID: regime + "-x", Regime: regime, RecipientKind: kind, Required: required}
	}
	for _, tc := range []struct {
		name     string
		obs      []rules.Obligation
		days     int
		basis    string
		verified string
	}{
		{"PIPA alone", []rules.Obligation{ob("kr-pipa", breach.RecipientIndividuals, true)}, 30, "kr-pipa", "V"},
		{"PIPA and CIUPA: PIPA's 30 over the FSC's 15", []rules.Obligation{ob("kr-ciupa", breach.RecipientPublicNotice, true), ob("kr-pipa", breach.RecipientIndividuals, true)}, 30, "kr-pipa", "V"},
		{"HIPAA's 90 days, unverified", []rules.Obligation{ob("kr-pipa", breach.RecipientIndividuals, true), ob("us-hipaa", breach.RecipientIndividuals, true)}, 90, "us-hipaa", "UNVERIFIED"},
		{"a regime not required is not counted", []rules.Obligation{ob("kr-pipa", breach.RecipientIndividuals, true), ob("us-hipaa", breach.RecipientIndividuals, false)}, 30, "kr-pipa", "V"},
		{"a regulator duty is not a posting", []rules.Obligation{ob("br-lgpd", breach.RecipientRegulator, true)}, 30, "", ""},
		{"US states give no period: the floor", []rules.Obligation{ob("us-ca", breach.RecipientIndividuals, true)}, 30, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := posting.PeriodFor(rules.Assessment{Obligations: tc.obs})
			if p.Days != tc.days {
				t.Errorf("days %d, want %d", p.Days, tc.days)
			}
			switch {
			case tc.basis == "" && (p.Basis != nil || p.Floor == ""):
				t.Errorf("basis %+v floor %q: want the floor, explained", p.Basis, p.Floor)
			case tc.basis != "" && (p.Basis == nil || p.Basis.Regime != tc.basis || p.Basis.Verification != tc.verified):
				t.Errorf("basis %+v, want %s [%s]", p.Basis, tc.basis, tc.verified)
			}
		})
	}
}
