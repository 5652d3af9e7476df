package envconfig_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"breachflow/internal/envconfig"
)

type settings struct {
	Table     string          `env:"CASE_TABLE"`
	Rate      float64         `env:"RATE"`
	Workers   int             `env:"WORKERS,optional"`
	Lease     time.Duration   `env:"LEASE,optional"`
	Strict    bool            `env:"STRICT,optional"`
	Approvers []string        `env:"APPROVERS,optional"`
	Margins   []time.Duration `env:"MARGINS,optional"`
	From      string          `env:"FROM,optional"`
	Ignored   string
}

func TestLoad(t *testing.T) {
	for _, tc := range []struct {
		name string
		vars map[string]string
		want settings
		err  []string // what the error must name; nil: no error
	}{
		{
			name: "every kind",
			vars: map[string]string{
				"CASE_TABLE": "cases", "RATE": "14.5", "LEASE": "90s", "STRICT": "true",
				"APPROVERS": "a@corp.example, b@corp.example", "MARGINS": "24h,6h",
			},
			want: settings{
				Table: "cases", Rate: 14.5, Lease: 90 * time.Second, Strict: true, From: "kept",
				Approvers: []string{"a@corp.example", "b@corp.example"}, Margins: []time.Duration{24 * time.Hour, 6 * time.Hour},
			},
		},
		{
			name: "empty is absent",
			vars: map[string]string{"CASE_TABLE": "cases", "RATE": "1", "FROM": ""},
			want: settings{Table: "cases", Rate: 1, From: "kept"},
		},
		{
			name: "missing and malformed",
			vars: map[string]string{"RATE": "fast", "MARGINS": "24h,soon"},
			err:  []string{"missing environment variables: CASE_TABLE", `RATE="fast"`, `MARGINS="24h,soon"`},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := settings{From: "kept"} // a default, left alone when the variable is absent
			err := envconfig.Load(&got, envconfig.Map(tc.vars))
			if tc.err != nil {
				for _, want := range tc.err {
					if err == nil || !strings.Contains(err.Error(), want) {
						t.Errorf("error %v, want it to name %s", err, want)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Error(diff)
			}
		})
	}
	if err := envconfig.Load(settings{}, envconfig.Map(nil)); err == nil {
		t.Error("Load accepted a non-pointer")
	}
}
