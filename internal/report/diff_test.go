package report_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"breachflow/internal/report"
)

func TestDiff(t *testing.T) {
	before := []byte(`{"report_id":"r","data_categories":["email","phone"],"timeline":{"aware":"2026-12-01T09:00:00Z"},"measures_taken":["a"]}`)
	after := []byte(`{"report_id":"r", "data_categories":["email","phone","name"],
		"timeline":{"aware":"2026-12-01T09:00:00Z","determined":"2026-12-02T09:00:00Z"},"measures_taken":["b"],"delay_reason":"x"}`)
	got, err := report.Diff(before, after)
	if err != nil {
		t.Fatal(err)
	}
	want := []report.Change{
		{Path: "data_categories", Old: `["email","phone"]`, New: `["email","phone","name"]`},
		{Path: "delay_reason", New: `"x"`},
		{Path: "measures_taken[0]", Old: `"a"`, New: `"b"`},
		{Path: "timeline.determined", New: `"2026-12-02T09:00:00Z"`},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("Diff (-want +got):\n%s", d)
	}
	if s := got[1].String(); s != `delay_reason: (none) -> "x"` {
		t.Errorf("String() = %q", s)
	}
}

func TestNarrowing(t *testing.T) {
	parse := func(scope, cats, counts string) *report.Report {
		t.Helper()
		r := &report.Report{}
		if err := jsonInto(`{"scope":`+scope+`,"data_categories":`+cats+`,"subject_counts":`+counts+`}`, r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	old := parse(`{"attr":"tier","op":"=","value":"gold"}`, `["email","phone"]`, `{"KR":10}`)
	cases := []struct {
		name string
		new  *report.Report
		want []string
	}{
		{"the same", parse(`{"attr":"tier","op":"=","value":"gold"}`, `["email","phone"]`, `{"KR":10}`), nil},
		{"widened", parse(`{"any":[{"attr":"tier","op":"=","value":"gold"},{"attr":"tier","op":"=","value":"silver"}]}`, `["email","phone","name"]`, `{"KR":12,"JP":1}`), nil},
		{"narrowed", parse(`{"all":[{"attr":"tier","op":"=","value":"gold"},{"attr":"age","op":">","value":30}]}`, `["email"]`, `{"KR":9}`),
			[]string{"data_categories", "subject_counts.KR", "scope"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var paths []string
			for _, p := range report.Narrowing(old, tc.new) {
				paths = append(paths, p.Path)
			}
			if d := cmp.Diff(tc.want, paths); d != "" {
				t.Errorf("Narrowing paths (-want +got):\n%s", d)
			}
		})
	}
}

func jsonInto(s string, r *report.Report) error { return json.Unmarshal([]byte(s), r) }
