package asl_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"breachflow/internal/local/asl"
)

func TestParseRejectsBadDefinitions(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "invalid", "definitions.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Name       string          `json:"name"`
		Definition json.RawMessage `json:"definition"`
		State      string          `json:"state"`
		Reason     string          `json:"reason"`
		Code       string          `json:"code"`
		Location   string          `json:"location"`
	}
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			_, err := asl.Parse(tc.Definition)
			var de *asl.DefinitionError
			if !errors.As(err, &de) {
				t.Fatalf("Parse error = %v, want *DefinitionError", err)
			}
			if de.StateName != tc.State || !strings.Contains(de.Reason, tc.Reason) {
				t.Fatalf("got state %q reason %q, want state %q reason containing %q", de.StateName, de.Reason, tc.State, tc.Reason)
			}
			if de.Code != tc.Code || de.Location != tc.Location {
				t.Fatalf("got code %q at %q, want %q at %q", de.Code, de.Location, tc.Code, tc.Location)
			}
		})
	}
}

func TestParseAcceptsDefinitionsInTestdata(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "definitions", "*.json"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := asl.Parse([]byte(strings.ReplaceAll(string(b), "{{FN}}", "f"))); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}
