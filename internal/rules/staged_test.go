package rules_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"breachflow/internal/breach"
	"breachflow/internal/report"
	"breachflow/internal/rules"
)

// stagedCase is one worked example of testdata/staged: a report, and per
// obligation what the provision cited says.
type stagedCase struct {
	ID      string                      `yaml:"id"`
	Country string                      `yaml:"country"`
	Cite    string                      `yaml:"cite"`
	Facts   string                      `yaml:"facts"`
	Report  map[string]any              `yaml:"report"`
	People  map[breach.Jurisdiction]int `yaml:"people"`
	Expect  map[string]struct {
		Required bool               `yaml:"required"`
		StageOf  string             `yaml:"stage_of"`
		Due      string             `yaml:"due"`
		Mark     rules.Verification `yaml:"mark"`
	} `yaml:"expect"`
}

// TestWorkedStaged works through staged duties and Korea's possible-leak
// notice case by case (testdata/staged/staged.yaml): which duty is
// required, which first stage a second one follows, when it falls due
// (and that it has no date while its clock has not started), and the
// research's verification mark.
func TestWorkedStaged(t *testing.T) {
	data, err := os.ReadFile("testdata/staged/staged.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var set struct {
		Cases []stagedCase `yaml:"cases"`
	}
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&set); err != nil {
		t.Fatal(err)
	}
	if len(set.Cases) < 10 {
		t.Fatalf("%d cases: the file did not load", len(set.Cases))
	}
	for _, c := range set.Cases {
		t.Run(c.ID, func(t *testing.T) {
			if c.Cite == "" || c.Facts == "" || len(c.Expect) == 0 {
				t.Fatal("a case needs cite, facts and expectations")
			}
			var m map[string]any
			if err := json.Unmarshal([]byte(workedBase), &m); err != nil {
				t.Fatal(err)
			}
			merge(m, c.Report)
			m["organisation"].(map[string]any)["country"] = c.Country
			raw, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			r, err := report.ParseAt(raw, ts("2026-11-23T00:00:00Z"))
			if err != nil {
				t.Fatal(err)
			}
			a, err := rules.Assess(r, c.People, ts("2026-11-23T00:00:00Z"))
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]rules.Obligation{}
			for _, o := range a.Obligations {
				got[o.ID] = o
			}
			for id, want := range c.Expect {
				o, ok := got[id]
				if !ok {
					t.Errorf("%s: absent", id)
					continue
				}
				if o.Required != want.Required {
					t.Errorf("%s: required %v, want %v (%s)", id, o.Required, want.Required, o.Rationale)
				}
				if o.StageOf != want.StageOf {
					t.Errorf("%s: stage_of %q, want %q", id, o.StageOf, want.StageOf)
				}
				if o.Staged() && o.Citation == "" {
					t.Errorf("%s: a staged duty without its citation", id)
				}
				if !want.Required {
					continue
				}
				if want.Mark != "" && o.Verification != want.Mark {
					t.Errorf("%s: verification %s, want %s", id, o.Verification, want.Mark)
				}
				switch {
				case want.Due == "" && !o.DueAt.IsZero():
					t.Errorf("%s: due %s, want no date yet", id, o.DueAt.Format(time.RFC3339))
				case want.Due != "":
					if due := ts(want.Due); !o.DueAt.Equal(due) {
						t.Errorf("%s: due %s, want %s", id, o.DueAt.Format(time.RFC3339), want.Due)
					}
				}
			}
		})
	}
}
