package sam_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"breachflow/internal/local/sam"
)

func TestEnvironments(t *testing.T) {
	// What every case gives the fixture's two unresolvable values (a
	// parameter without a Default, and a function URL SAM generates).
	base := sam.Overrides{
		sam.Shared:      {"KEY": "key-1", "SENDER": "privacy@corp.example"},
		"ScopeFunction": {"CONSOLE_URL": "http://127.0.0.1:8080"},
	}
	intake := map[string]string{
		"STAGE": "local", "CASE_TABLE": "breachflow-cases-local", "KEY": "key-1",
		"SM_ARN": "arn:aws:states:us-east-1:123456789012:stateMachine:breachflow-case",
	}
	scope := map[string]string{
		"STAGE": "local", "APPROVERS": "a@corp.example;b@corp.example", "LOG_GROUP": "/aws/lambda/ScopeFunction",
		"SENDER": "privacy@corp.example", "CONSOLE_URL": "http://127.0.0.1:8080",
	}
	with := func(m map[string]string, kv ...string) map[string]string {
		out := map[string]string{}
		for k, v := range m {
			out[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			out[kv[i]] = kv[i+1]
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		local map[string]string
		over  sam.Overrides
		want  map[string]map[string]string
		err   []string
	}{
		{
			name: "template values",
			over: base,
			want: map[string]map[string]string{"IntakeFunction": intake, "ScopeFunction": scope},
		},
		{
			// Shared values reach only functions that declare the
			// variable; a function's own section wins and may add.
			name: "shared and own sections",
			over: base.Over(sam.Overrides{
				sam.Shared:       {"STAGE": "dev", "CASE_TABLE": "shared-cases", "UNDECLARED": "x"},
				"IntakeFunction": {"CASE_TABLE": "own-cases", "BROWSE": "true"},
			}),
			want: map[string]map[string]string{
				"IntakeFunction": with(intake, "STAGE", "dev", "CASE_TABLE", "own-cases", "BROWSE", "true"),
				"ScopeFunction":  with(scope, "STAGE", "dev"),
			},
		},
		{
			// Local values stand in for references: a table's name, a
			// parameter, the URL of a resource SAM generates.
			name:  "local values",
			local: map[string]string{"CaseTable": "cases-here", "Approvers": "x@corp.example", "ScopeFunctionUrl.FunctionUrl": "http://127.0.0.1:9"},
			over:  sam.Overrides{sam.Shared: {"KEY": "key-1", "SENDER": "privacy@corp.example"}},
			want: map[string]map[string]string{
				"IntakeFunction": with(intake, "CASE_TABLE", "cases-here"),
				"ScopeFunction":  with(scope, "APPROVERS", "x@corp.example", "CONSOLE_URL", "http://127.0.0.1:9"),
			},
		},
		{
			name: "no local value",
			over: sam.Overrides{sam.Shared: {"SENDER": "privacy@corp.example"}},
			err:  []string{"IntakeFunction has no local value for KEY", "ScopeFunction has no local value for CONSOLE_URL"},
		},
		{
			name: "unknown function",
			over: base.Over(sam.Overrides{"IntakeFuncton": {"KEY": "k"}}),
			err:  []string{"environment overrides for IntakeFuncton: the template declares no such function"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tpl := load(t, "testdata/template.yaml")
			tpl.Local = tc.local
			got, err := tpl.Environments(tc.over)
			if tc.err != nil {
				for _, want := range tc.err {
					if err == nil || !strings.Contains(err.Error(), want) {
						t.Errorf("error %v, want it to say %q", err, want)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("environments (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseOverrides(t *testing.T) {
	got, err := sam.ParseOverrides([]byte(`{"Parameters": {"RATE": 1000, "HALF": 0.5, "ON": true, "S": "x"}, "F": {}}`))
	if err != nil {
		t.Fatal(err)
	}
	want := sam.Overrides{sam.Shared: {"RATE": "1000", "HALF": "0.5", "ON": "true", "S": "x"}, "F": {}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Error(diff)
	}
	for in, wantErr := range map[string]string{
		`{"Parameters": {"ADDRS": {"*": "x"}}}`: "Parameters.ADDRS: want a string, a number or a boolean",
		`{"Parameters": "x"}`:                   "environment overrides: want",
		`[]`:                                    "environment overrides: want",
	} {
		if _, err := sam.ParseOverrides([]byte(in)); err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Errorf("ParseOverrides(%s) = %v, want %q", in, err, wantErr)
		}
	}
	if _, err := sam.ReadOverrides("testdata/nope.json"); err == nil {
		t.Error("ReadOverrides of a missing file succeeded")
	}
}
