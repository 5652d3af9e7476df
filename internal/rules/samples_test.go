package rules_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"breachflow/internal/report"
	"breachflow/internal/rules"
)

func loadSample(t testing.TB, name string) *report.Report {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("../../events/reports", name))
	if err != nil {
		t.Fatal(err)
	}
	r, err := report.ParseAt(data, time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestDumpSamples(t *testing.T) {
	files, _ := filepath.Glob("../../events/reports/*.json")
	for _, f := range files {
		r := loadSample(t, filepath.Base(f))
		a, err := rules.Assess(r, nil, time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		t.Logf("== %s risk %s %.2f unknown %v", filepath.Base(f), a.Risk.Level, a.Risk.Score, a.Unknown)
		for _, o := range a.Obligations {
			t.Logf("%-40s req=%-5v due=%s %s | %s", o.ID, o.Required, o.DueAt.UTC().Format(time.RFC3339), o.Verification, o.Rationale)
		}
	}
}
