package rules_test

import (
	"testing"

	"breachflow/internal/breach"
	"breachflow/internal/report"
	"breachflow/internal/rules"
)

// TestENISA checks the ENISA 2013 factors, still computed as one input of
// the risk method, on worked cases; the output carries the factors, not
// only the score. (The cases and numbers are those the ENISA-only method
// was tested with; its level is no longer the assessment's.)
func TestENISA(t *testing.T) {
	tests := []struct {
		name      string
		edit      func(r *report.Report)
		dpc, ei   float64
		cb, score float64
		level     rules.Level
	}{
		{"e-mail to a stranger", nil, 1, 1, 0.5, 1.5, rules.LevelLow},
		{"health, vulnerable, ransomware, still down", func(r *report.Report) {
			r.DataCategories = []breach.Category{breach.CategoryName, breach.CategoryHealth}
			r.VulnerableSubjects = true
			r.Cause.Vector = report.VectorRansomware
			r.Availability.Impacted = true
		}, 4, 1, 1.5, 5.5, rules.LevelVeryHigh},
		{"card numbers encrypted, key safe", func(r *report.Report) {
			r.DataCategories = []breach.Category{breach.CategoryPaymentCard}
			r.Safeguards.Encrypted = true
		}, 3, 0.25, 0.5, 1.25, rules.LevelLow},
		{"transactions to a trusted partner", func(r *report.Report) {
			r.DataCategories = []breach.Category{breach.CategoryTransactions, breach.CategoryDeviceID}
			r.RecipientsTrusted = true
		}, 2, 0.75, 0.25, 1.75, rules.LevelLow},
		{"children's names", func(r *report.Report) {
			r.DataCategories = []breach.Category{breach.CategoryName, breach.CategoryChildren}
		}, 4, 1, 0.5, 4.5, rules.LevelVeryHigh},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := base()
			if tt.edit != nil {
				tt.edit(r)
			}
			a, err := rules.Assess(r, nil, ts("2026-11-23T00:00:00Z"))
			if err != nil {
				t.Fatal(err)
			}
			k := a.Risk.ENISA
			if k.DPC != tt.dpc || k.EI != tt.ei || k.CB != tt.cb || k.Score != tt.score || k.Level != tt.level {
				t.Errorf("got DPC %g EI %g CB %g = %g %s; want %g %g %g = %g %s", k.DPC, k.EI, k.CB, k.Score, k.Level,
					tt.dpc, tt.ei, tt.cb, tt.score, tt.level)
			}
			if k.DPCReason == "" || k.EIReason == "" || len(k.CBReasons) == 0 {
				t.Errorf("factors not explained: %+v", k)
			}
		})
	}
}
