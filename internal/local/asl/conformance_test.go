package asl_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"breachflow/internal/local/asl"
)

type conformanceCase struct {
	Name           string          `json:"name"`
	Definition     json.RawMessage `json:"definition"`
	Input          json.RawMessage `json:"input"`
	Output         json.RawMessage `json:"output"`
	Error          string          `json:"error"`
	Cause          string          `json:"cause"`
	SpecErrorNames bool            `json:"specErrorNames"`
}

// loadDefinition resolves {"$ref": "name", "fn": "x"} to
// testdata/definitions/name.json with {{FN}} replaced.
func loadDefinition(t *testing.T, raw json.RawMessage) []byte {
	t.Helper()
	var ref struct {
		Ref string `json:"$ref"`
		Fn  string `json:"fn"`
	}
	if err := json.Unmarshal(raw, &ref); err != nil || ref.Ref == "" {
		return raw
	}
	b, err := os.ReadFile(filepath.Join("testdata", "definitions", ref.Ref+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return []byte(strings.ReplaceAll(string(b), "{{FN}}", ref.Fn))
}

func decodeInput(t *testing.T, raw json.RawMessage) any {
	t.Helper()
	v, err := asl.DecodeJSON(raw)
	if err != nil {
		t.Fatal(err)
	}
	if m, ok := v.(map[string]any); ok {
		if n, ok := m["$big"].(json.Number); ok {
			size, _ := n.Int64()
			m["big"] = strings.Repeat("x", int(size))
			delete(m, "$big")
		}
	}
	return v
}

func TestConformance(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "conformance", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no conformance files: %v", err)
	}
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var cases []conformanceCase
		if err := json.Unmarshal(b, &cases); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		for _, tc := range cases {
			t.Run(strings.TrimSuffix(filepath.Base(file), ".json")+"/"+tc.Name, func(t *testing.T) {
				m, err := asl.Parse(loadDefinition(t, tc.Definition))
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				opts := asl.Options{Functions: testFunctions(), SpecErrorNames: tc.SpecErrorNames}
				info := asl.ExecutionInfo{ID: "arn:aws:states:us-east-1:123456789012:execution:machine-1:exec-1", Name: "exec-1",
					StateMachineID: "arn:aws:states:us-east-1:123456789012:stateMachine:machine-1", StateMachineName: "machine-1",
					StartTime: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
				// Events are numbered as the service numbers them (ExecutionStarted
				// is 1), so causes that name an event id read as in AWS.
				var events atomic.Int64
				events.Store(1)
				hooks := asl.Hooks{Emit: func(asl.Event, int64) int64 { return events.Add(1) }}
				out, xerr := m.Run(context.Background(), opts, info, decodeInput(t, tc.Input), hooks)
				if tc.Error != "" {
					if xerr == nil {
						t.Fatalf("succeeded with %s, want error %s", mustJSON(out), tc.Error)
					}
					if xerr.Name != tc.Error || (tc.Cause != "" && xerr.Cause != tc.Cause) {
						t.Fatalf("error %q (cause %q), want %q (cause %q)", xerr.Name, xerr.Cause, tc.Error, tc.Cause)
					}
					return
				}
				if xerr != nil {
					t.Fatalf("failed: %v", xerr)
				}
				want, _ := asl.DecodeJSON(tc.Output)
				if diff := cmp.Diff(normalize(want), normalize(out)); diff != "" {
					t.Errorf("output mismatch (-want +got):\n%s", diff)
				}
			})
		}
	}
}

func mustJSON(v any) string {
	b, _ := asl.EncodeJSON(v)
	return string(b)
}

// normalize turns json.Number into float64 so 10 and 10.0 compare equal.
func normalize(v any) any {
	b, _ := asl.EncodeJSON(v)
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}
