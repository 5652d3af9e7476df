package rules_test

import (
	"strings"
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

// TestRiskMethod checks each factor of the likelihood x severity method on
// its own, against the base report (an e-mail list misdelivered to a
// stranger: possible x limited = low).
func TestRiskMethod(t *testing.T) {
	tests := []struct {
		name     string
		edit     func(r *report.Report)
		people   int
		l, s     int
		level    rules.Level
		mentions string
	}{
		{"base", nil, 10, 2, 1, rules.LevelLow, "known_party"},
		{"simple data of 100,000 people taken by an attacker", func(r *report.Report) {
			r.DataCategories = []breach.Category{breach.CategoryName, breach.CategoryPostalAddress, breach.CategoryDateOfBirth}
			r.Cause.Vector = report.VectorStolenDevice
		}, 100_000, 3, 3, rules.LevelHigh, "100,000 people"},
		{"one health field in 5 % of records", func(r *report.Report) {
			r.DataCategories = []breach.Category{breach.CategoryName, breach.CategoryHealth}
			r.SpecialDataShare = ptr(0.05)
		}, 10, 2, 3, rules.LevelHigh, "special data in 5% of records"},
		{"health possibly involved counts", func(r *report.Report) {
			r.PossiblyInvolved = []breach.Category{breach.CategoryHealth}
		}, 10, 2, 4, rules.LevelHigh, "possibly involved"},
		{"bound recipient, deletion confirmed", func(r *report.Report) {
			r.DataCategories = []breach.Category{breach.CategoryName, breach.CategoryNationalID}
			r.Recipient = &report.Recipient{Kind: report.RecipientKnownParty, Bound: true}
			r.DataRetrieved, r.Retrieval = true, report.RetrievalConfirmed
		}, 10, 0, 3, rules.LevelLow, "return or deletion confirmed"},
		{"unbound recipient, deletion only requested", func(r *report.Report) {
			r.DataCategories = []breach.Category{breach.CategoryName, breach.CategoryNationalID}
			r.Retrieval = report.RetrievalRequested
		}, 10, 2, 3, rules.LevelHigh, "deletion requested"},
		{"an attacker's deletion is not relied on", func(r *report.Report) {
			r.DataCategories = []breach.Category{breach.CategoryName, breach.CategoryNationalID}
			r.Cause.Vector = report.VectorHacking
			r.DataRetrieved, r.Retrieval = true, report.RetrievalConfirmed
		}, 10, 3, 3, rules.LevelHigh, "cannot be relied on"},
		{"inside the organisation", func(r *report.Report) {
			r.DataCategories = []breach.Category{breach.CategoryName, breach.CategoryHealth}
			r.Recipient = &report.Recipient{Kind: report.RecipientInternal}
		}, 10, 0, 4, rules.LevelLow, "internal"},
		{"not opened", func(r *report.Report) { r.Accessed = report.AccessNo }, 10, 0, 1, rules.LevelLow, "not viewed"},
		{"encrypted, key safe", func(r *report.Report) {
			r.DataCategories = []breach.Category{breach.CategoryPaymentCard}
			r.Safeguards.Encrypted = true
		}, 10, 0, 2, rules.LevelLow, "encrypted"},
		{"exfiltration only suspected", func(r *report.Report) {
			r.Cause.Vector = report.VectorHacking
			r.Exfiltration = report.ExfiltrationSuspected
		}, 10, 2, 1, rules.LevelLow, "suspected"},
		{"a profile of six kinds of data", func(r *report.Report) {
			r.DataCategories = []breach.Category{breach.CategoryName, breach.CategoryEmail, breach.CategoryPhone,
				breach.CategoryPostalAddress, breach.CategoryEducation, breach.CategoryEmployment}
		}, 10, 2, 2, rules.LevelMedium, "profile"},
		{"a stalker learns an address", func(r *report.Report) {
			r.DataCategories = []breach.Category{breach.CategoryName, breach.CategoryPostalAddress}
			r.SafetyThreat = true
		}, 1, 2, 4, rules.LevelVeryHigh, "safety"},
		{"outage with backup, hours, no effect", func(r *report.Report) {
			r.Exfiltration = report.ExfiltrationRuledOut
			r.Availability = report.Availability{Impacted: true, Backup: ptr(true), OutageHours: ptr(3.0), Effect: report.EffectNone}
		}, 10, 0, 1, rules.LevelLow, "3 h outage"},
		{"outage without backup, days, minor delays", func(r *report.Report) {
			r.Exfiltration = report.ExfiltrationRuledOut
			r.Availability = report.Availability{Impacted: true, Backup: ptr(false), OutageHours: ptr(120.0), Effect: report.EffectMinor}
		}, 10, 0, 1, rules.LevelMedium, "no backup"},
		{"care delayed", func(r *report.Report) {
			r.Exfiltration = report.ExfiltrationRuledOut
			r.Availability = report.Availability{Impacted: true, Backup: ptr(true), OutageHours: ptr(30.0), Effect: report.EffectCritical}
		}, 10, 0, 1, rules.LevelHigh, "effect critical"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := base()
			if tt.edit != nil {
				tt.edit(r)
			}
			a, err := rules.Assess(r, map[breach.Jurisdiction]int{"US-CA": tt.people}, ts("2026-11-23T00:00:00Z"))
			if err != nil {
				t.Fatal(err)
			}
			k := a.Risk
			if k.Likelihood != tt.l || k.Severity != tt.s || k.Level != tt.level {
				t.Errorf("got likelihood %d severity %d = %s, want %d %d = %s\n%s", k.Likelihood, k.Severity, k.Level, tt.l, tt.s, tt.level, k.Summary)
			}
			if !strings.Contains(k.Summary, tt.mentions) {
				t.Errorf("summary does not name %q: %s", tt.mentions, k.Summary)
			}
			if len(k.Summary) > 300 {
				t.Errorf("summary too long for an approver (%d): %s", len(k.Summary), k.Summary)
			}
		})
	}
}
