package report_test

import (
	"errors"
	"strings"
	"testing"

	"breachflow/internal/report"
)

// TestRiskFacts: the facts the risk method weighs decode, and every way
// they can contradict each other or the schema is a problem that names the
// field and never repeats what was typed.
func TestRiskFacts(t *testing.T) {
	good := edit(t, `"data_categories": ["email", "name"],`,
		`"data_categories": ["email", "name", "health"], "possibly_involved_categories": ["wages"], "special_data_share": 0.05,
		 "recipient": {"kind": "known_party", "bound": true}, "accessed": "no", "retrieval": "confirmed", "safety_threat": true, "under_secrecy": true,`,
		`"data_retrieved": false`, `"data_retrieved": true`,
		`"availability": {"impacted": false}`, `"availability": {"impacted": true, "backup": true, "outage_hours": 30, "effect": "critical"}`,
		`"vector": "hacking"`, `"vector": "social_engineering"`)
	r, err := report.ParseAt(good, now)
	if err != nil {
		t.Fatal(err)
	}
	if !r.MayHave("wages") || r.Has("wages") || *r.SpecialDataShare != 0.05 || r.Recipient.Kind != report.RecipientKnownParty ||
		!r.Recipient.Bound || r.Accessed != report.AccessNo || r.RetrievalState() != report.RetrievalConfirmed ||
		*r.Availability.OutageHours != 30 || r.Availability.Effect != report.EffectCritical || !r.SafetyThreat || !r.UnderSecrecy {
		t.Errorf("decoded %+v", r)
	}

	const planted = "Zq9planted" // a value no message may carry
	tests := []struct {
		name  string
		pairs []string
		path  string
	}{
		{"share above 1", []string{`"data_categories": ["email", "name"]`, `"data_categories": ["health"], "special_data_share": 1.5`}, "special_data_share"},
		{"share without special data", []string{`"data_categories": ["email", "name"]`, `"data_categories": ["email"], "special_data_share": 0.5`}, "special_data_share"},
		{"possibly involved twice", []string{`"data_categories": ["email", "name"]`, `"data_categories": ["email"], "possibly_involved_categories": ["email"]`}, "possibly_involved_categories[0]"},
		{"possibly involved unknown", []string{`"data_categories": ["email", "name"]`, `"data_categories": ["email"], "possibly_involved_categories": ["` + planted + `"]`}, "possibly_involved_categories[0]"},
		{"recipient kind unknown", []string{`"data_retrieved": false`, `"data_retrieved": false, "recipient": {"kind": "` + planted + `"}`}, "recipient.kind"},
		{"trusted attacker", []string{`"recipients_trusted": false`, `"recipients_trusted": true, "recipient": {"kind": "attacker"}`}, "recipients_trusted"},
		{"bound stranger", []string{`"data_retrieved": false`, `"data_retrieved": false, "recipient": {"kind": "unknown_party", "bound": true}`}, "recipient.bound"},
		{"retrieval disagrees", []string{`"data_retrieved": false`, `"data_retrieved": false, "retrieval": "confirmed"`}, "retrieval"},
		{"accessed unknown word", []string{`"data_retrieved": false`, `"data_retrieved": false, "accessed": "` + planted + `"`}, "accessed"},
		{"outage without impact", []string{`"availability": {"impacted": false}`, `"availability": {"impacted": false, "outage_hours": 3}`}, "availability.impacted"},
		{"negative outage", []string{`"availability": {"impacted": false}`, `"availability": {"impacted": true, "outage_hours": -3}`}, "availability.outage_hours"},
		{"effect unknown", []string{`"availability": {"impacted": false}`, `"availability": {"impacted": true, "effect": "` + planted + `"}`}, "availability.effect"},
		{"backup yet lost", []string{`"availability": {"impacted": false}`, `"availability": {"impacted": true, "permanent": true, "backup": true}`}, "availability.backup"},
		{"vector unknown", []string{`"vector": "hacking"`, `"vector": "` + planted + `"`}, "cause.vector"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := report.ParseAt(edit(t, tt.pairs...), now)
			var ve *report.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("got %v", err)
			}
			if !ve.Has(tt.path) {
				t.Errorf("no problem at %s: %v", tt.path, ve)
			}
			if strings.Contains(ve.Error(), planted) {
				t.Errorf("a message repeats the value: %v", ve)
			}
		})
	}
}
