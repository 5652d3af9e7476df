package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"breachflow/internal/report"
)

// TestStartPreflight: the sample runs its drafts offline before anything
// is stored, and without its delay_reason (the sample's dates are 2024, so
// the GDPR filing is late) start refuses up front, naming the field and the
// law, before it needs a stack.
func TestStartPreflight(t *testing.T) {
	raw, err := os.ReadFile("../../events/reports/kakaopay-alipay.json")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	r, err := report.ParseAt(raw, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := preflight(r, now); err != nil {
		t.Fatalf("the sample fails its pre-flight: %v", err)
	}

	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	delete(doc, "delay_reason")
	noReason, _ := json.Marshal(doc)
	r2, err := report.ParseAt(noReason, now)
	if err != nil {
		t.Fatal(err)
	}
	// The sample names only Korea: no refusal, but a warning for the EU.
	if err := preflight(r2, now); err != nil {
		t.Errorf("Korea-only report without delay_reason refused: %v", err)
	}
	if ws := preflightWarnings(r2, now); len(ws) == 0 || !strings.Contains(strings.Join(ws, "\n"), `"delay_reason"`) {
		t.Errorf("warnings %q do not name delay_reason", ws)
	}
	// Naming German residents makes the late GDPR filing certain.
	doc["subject_counts"] = map[string]int{"KR": 40450000, "DE": 1200}
	late, _ := json.Marshal(doc)
	path := filepath.Join(t.TempDir(), "late.json")
	if err := os.WriteFile(path, late, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := newStartCmd()
	cmd.SetArgs([]string{path})
	cmd.SetOut(&strings.Builder{})
	cmd.SetErr(&strings.Builder{})
	// No endpoint is set and no stack runs: the refusal must come first.
	t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:1")
	t.Setenv("AWS_ENDPOINT_URL_SFN", "http://127.0.0.1:1")
	err = cmd.Execute()
	if err == nil || !strings.Contains(err.Error(), `"delay_reason"`) || !strings.Contains(err.Error(), "Art. 33") ||
		!strings.Contains(err.Error(), "nothing stored") {
		t.Errorf("start of a late report without delay_reason: %v", err)
	}
}
