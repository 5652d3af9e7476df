package report_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"breachflow/internal/report"
)

var now = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

const minimal = `{
 "report_id": "r-1",
 "organisation": {"name": "Example Co", "country": "KR", "role": "controller",
   "contact": {"name": "Privacy Office", "email": "privacy@example.com"},
   "sector": {"kr_credit_information_company": false, "hipaa_covered_entity": false, "nydfs_regulated": false, "sec_registrant": false, "ftc_glba_financial_institution": false}},
 "timeline": {"occurred_from": "2026-11-01T00:00:00Z", "discovered": "2026-11-02T00:00:00Z", "aware": "2026-11-03T00:00:00Z"},
 "cause": {"vector": "hacking", "external": true},
 "data_categories": ["email", "name"],
 "safeguards": {"encrypted": false, "key_compromised": false, "hashed": false, "hash_reversible": false},
 "exfiltration": "confirmed",
 "availability": {"impacted": false},
 "recipients_trusted": false, "data_retrieved": false, "vulnerable_subjects": false,
 "measures_taken": ["reset passwords"], "measures_for_individuals": ["change your password"],
 "approvers": ["a@example.com", "b@example.com"],
 "submitter": "s@example.com",
 "subject_counts": {"KR": 10}
}`

func TestParseMinimal(t *testing.T) {
	r, err := report.ParseAt([]byte(minimal), now)
	if err != nil {
		t.Fatal(err)
	}
	if r.ReportID != "r-1" || r.SubjectCounts["KR"] != 10 || !r.Has("email") {
		t.Errorf("decoded %+v", r)
	}
}

// edit replaces old with new in the minimal report, failing if absent.
func edit(t *testing.T, pairs ...string) []byte {
	s := minimal
	for i := 0; i < len(pairs); i += 2 {
		if !strings.Contains(s, pairs[i]) {
			panic(fmt.Sprintf("fixture lacks %q", pairs[i]))
		}
		s = strings.Replace(s, pairs[i], pairs[i+1], 1)
	}
	return []byte(s)
}

func TestParseProblems(t *testing.T) {
	tests := []struct {
		name  string
		data  func(t *testing.T) []byte
		paths []string // every path that must be named
	}{
		{"unknown field", func(t *testing.T) []byte {
			return edit(t, `"report_id": "r-1",`, `"report_id": "r-1", "colour": "red",`)
		}, []string{"colour"}},
		{"unknown nested field", func(t *testing.T) []byte { return edit(t, `"external": true`, `"external": true, "who": "x"`) }, []string{"cause.who"}},
		{"bad category", func(t *testing.T) []byte { return edit(t, `["email", "name"]`, `["email", "shoe_size"]`) }, []string{"data_categories[1]"}},
		{"aware before occurred", func(t *testing.T) []byte {
			return edit(t, `"aware": "2026-11-03T00:00:00Z"`, `"aware": "2026-10-03T00:00:00Z"`)
		}, []string{"timeline.aware"}},
		{"determined before discovered", func(t *testing.T) []byte {
			return edit(t, `"aware": "2026-11-03T00:00:00Z"`, `"aware": "2026-11-03T00:00:00Z", "determined": "2026-11-01T12:00:00Z"`)
		}, []string{"timeline.determined"}},
		{"schema and semantic problems at once", func(t *testing.T) []byte {
			return edit(t, `"aware": "2026-11-03T00:00:00Z"`, `"aware": "2027-01-03T00:00:00Z"`,
				`"exfiltration": "confirmed"`, `"exfiltration": "maybe"`)
		}, []string{"exfiltration", "timeline.aware"}},
		{"future date", func(t *testing.T) []byte {
			return edit(t, `"aware": "2026-11-03T00:00:00Z"`, `"aware": "2027-01-03T00:00:00Z"`)
		}, []string{"timeline.aware"}},
		{"submitter approves", func(t *testing.T) []byte { return edit(t, `"b@example.com"`, `"S@example.com"`) }, []string{"approvers[1]"}},
		{"bad approver address", func(t *testing.T) []byte { return edit(t, `"b@example.com"`, `"Bob <b@example.com>"`) }, []string{"approvers[1]"}},
		{"bad jurisdiction", func(t *testing.T) []byte { return edit(t, `{"KR": 10}`, `{"kr": 10}`) }, []string{"subject_counts.kr"}},
		{"unassigned country", func(t *testing.T) []byte { return edit(t, `"country": "KR"`, `"country": "XX"`) }, []string{"organisation.country"}},
		{"reserved code UK", func(t *testing.T) []byte { return edit(t, `"country": "KR"`, `"country": "UK"`) }, []string{"organisation.country"}},
		{"subdivision as country", func(t *testing.T) []byte { return edit(t, `"country": "KR"`, `"country": "US-CA"`) }, []string{"organisation.country"}},
		{"unassigned jurisdiction", func(t *testing.T) []byte { return edit(t, `{"KR": 10}`, `{"XX": 10, "ZZ-CA": 1}`) }, []string{"subject_counts.XX", "subject_counts.ZZ-CA"}},
		{"key without encryption", func(t *testing.T) []byte {
			return edit(t, `"key_compromised": false`, `"key_compromised": true`)
		}, []string{"safeguards.key_compromised"}},
		{"missing required", func(t *testing.T) []byte { return edit(t, `"submitter": "s@example.com",`, ``) }, []string{"submitter"}},
		{"not json", func(t *testing.T) []byte { return []byte(`{"report_id": `) }, []string{""}},
		{"not an object", func(t *testing.T) []byte { return []byte(`[1]`) }, []string{""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := report.ParseAt(tt.data(t), now)
			var ve *report.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("got %v, want *ValidationError", err)
			}
			for _, p := range tt.paths {
				if !ve.Has(p) {
					t.Errorf("no problem at %q in %v", p, ve)
				}
			}
		})
	}
}

// TestProblemsHideValues keeps personal data (addresses) out of messages.
func TestProblemsHideValues(t *testing.T) {
	for _, bad := range []string{`"Bob <b@example.com>"`, `"b@localhost"`, `"b@example.com\r\nBcc: x@example.com"`, `"bb"`} {
		data := edit(t, `"b@example.com"`, bad)
		_, err := report.ParseAt(data, now)
		if err == nil {
			t.Fatalf("%s accepted", bad)
		}
		if strings.Contains(err.Error(), "b@") || strings.Contains(err.Error(), `"bb"`) || strings.Contains(err.Error(), "'bb'") {
			t.Errorf("%s: message leaks the value: %v", bad, err)
		}
	}
}

func TestParseSamples(t *testing.T) {
	files, _ := filepath.Glob("../../events/reports/*.json")
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := report.ParseAt(data, now); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestNegativeCount(t *testing.T) {
	_, err := report.ParseAt(edit(t, `{"KR": 10}`, `{"KR": -1}`), now)
	var ve *report.ValidationError
	if !errors.As(err, &ve) || !ve.Has("subject_counts.KR") {
		t.Fatalf("got %v", err)
	}
}

func TestParseScope(t *testing.T) {
	ok := edit(t, `"subject_counts"`, `"scope": {"all": [{"attr": "payment_service", "op": "=", "value": "kakaopay"}, {"attr": "overseas_transfer", "op": "=", "value": true}]}, "subject_counts"`)
	r, err := report.ParseAt(ok, now)
	if err != nil {
		t.Fatal(err)
	}
	if r.Scope == nil || len(r.Scope.All) != 2 {
		t.Fatalf("scope %+v", r.Scope)
	}
	bad := edit(t, `"subject_counts"`, `"scope": {"all": [{"attr": "payment_service", "op": "=", "value": "kakaopay"}, {"attr": "x", "op": "~", "value": 1}]}, "subject_counts"`)
	_, err = report.ParseAt(bad, now)
	var ve *report.ValidationError
	if !errors.As(err, &ve) || !strings.Contains(err.Error(), "scope.all[1]") {
		t.Fatalf("got %v, want a problem under scope.all[1]", err)
	}
}

// A channel policy that names an unknown channel is refused with the field
// named and the value left out; a good one parses.
func TestChannelPolicy(t *testing.T) {
	withPolicy := func(p string) []byte {
		return []byte(strings.Replace(minimal, `"subject_counts"`, `"channel_policy": `+p+`, "subject_counts"`, 1))
	}
	r, err := report.ParseAt(withPolicy(`{"order": ["email", "sms", "postal"], "all_channels_for": ["rrn"]}`), now)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.ChannelPolicy.Order; len(got) != 3 || got[1] != "sms" {
		t.Fatalf("order = %v", got)
	}
	_, err = report.ParseAt(withPolicy(`{"order": ["email", "telegraph"]}`), now)
	if err == nil {
		t.Fatal("an unknown channel was accepted")
	}
	if !strings.Contains(err.Error(), "channel_policy.order[1]") || strings.Contains(err.Error(), "telegraph") {
		t.Fatalf("error = %v, want the field named and the value left out", err)
	}
}
