package report_test

import (
	"errors"
	"strings"
	"testing"

	"breachflow/internal/report"
)

// possible is the minimal report turned into an open possible leak.
func possible(t *testing.T, extra ...string) []byte {
	pairs := append([]string{
		`"exfiltration": "confirmed"`, `"exfiltration": "suspected"`,
		`"recipients_trusted": false,`, `"possible_leak": {"circumstance": "unlawful_access", "known_at": "2026-11-04T00:00:00Z"}, "recipients_trusted": false,`,
	}, extra...)
	return edit(t, pairs...)
}

func TestPossibleLeak(t *testing.T) {
	r, err := report.ParseAt(possible(t), now)
	if err != nil {
		t.Fatal(err)
	}
	if p := r.PossibleLeak; p == nil || p.Circumstance != report.CircumstanceUnlawfulAccess || p.Outcome != report.OutcomeOpen {
		t.Fatalf("possible_leak decoded as %+v", r.PossibleLeak)
	}
	confirmed := possible(t, `"exfiltration": "suspected"`, `"exfiltration": "confirmed"`,
		`"known_at": "2026-11-04T00:00:00Z"}`, `"known_at": "2026-11-04T00:00:00Z", "outcome": "confirmed", "resolved_at": "2026-11-05T00:00:00Z"}`)
	if _, err := report.ParseAt(confirmed, now); err != nil {
		t.Errorf("confirmed outcome: %v", err)
	}

	tests := []struct {
		name  string
		data  []byte
		paths []string
	}{
		{"open but exfiltration confirmed", possible(t, `"exfiltration": "suspected"`, `"exfiltration": "confirmed"`), []string{"exfiltration"}},
		{"ruled out but exfiltration suspected", possible(t, `"known_at": "2026-11-04T00:00:00Z"}`,
			`"known_at": "2026-11-04T00:00:00Z", "outcome": "ruled_out", "resolved_at": "2026-11-05T00:00:00Z"}`), []string{"exfiltration"}},
		{"outcome without its date", possible(t, `"exfiltration": "suspected"`, `"exfiltration": "ruled_out"`,
			`"known_at": "2026-11-04T00:00:00Z"}`, `"known_at": "2026-11-04T00:00:00Z", "outcome": "ruled_out"}`), []string{"possible_leak.resolved_at"}},
		{"resolved before known", possible(t, `"exfiltration": "suspected"`, `"exfiltration": "ruled_out"`,
			`"known_at": "2026-11-04T00:00:00Z"}`, `"known_at": "2026-11-04T00:00:00Z", "outcome": "ruled_out", "resolved_at": "2026-11-03T00:00:00Z"}`), []string{"possible_leak.resolved_at"}},
		{"known in the future", possible(t, `"known_at": "2026-11-04T00:00:00Z"`, `"known_at": "2027-11-04T00:00:00Z"`), []string{"possible_leak.known_at"}},
		{"unknown circumstance", possible(t, `"unlawful_access"`, `"QZXsecret"`), []string{"possible_leak.circumstance"}},
		{"pending fact outside the vocabulary", edit(t, `"recipients_trusted": false,`, `"pending_facts": ["legal_rights"], "recipients_trusted": false,`), []string{"pending_facts[0]"}},
		{"facts pending and confirmed at once", edit(t, `"recipients_trusted": false,`, `"pending_facts": ["counts"], "recipients_trusted": false,`,
			`"aware": "2026-11-03T00:00:00Z"`, `"aware": "2026-11-03T00:00:00Z", "facts_confirmed": "2026-11-10T00:00:00Z"`), []string{"timeline.facts_confirmed"}},
		{"facts confirmed before aware", edit(t,
			`"aware": "2026-11-03T00:00:00Z"`, `"aware": "2026-11-03T00:00:00Z", "facts_confirmed": "2026-11-02T12:00:00Z"`), []string{"timeline.facts_confirmed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := report.ParseAt(tt.data, now)
			var ve *report.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("got %v, want *ValidationError", err)
			}
			for _, p := range tt.paths {
				if !ve.Has(p) {
					t.Errorf("no problem at %q in %v", p, ve)
				}
			}
			if strings.Contains(err.Error(), "QZXsecret") {
				t.Errorf("the message repeats the value: %v", err)
			}
		})
	}
}
