package main

import (
	"context"
	"testing"
)

// TestOurEngineRunsTheDefinitions keeps the benchmark definitions valid for
// our engine without Node; `go run ./bench/sfncompare` compares the engines.
func TestOurEngineRunsTheDefinitions(t *testing.T) {
	tests := []struct {
		def, input, want string
	}{
		{"transitions.asl.json", `{"n":10}`, `{"i":10,"n":10}`},
		{"map.asl.json", `{"items":[0,1,2]}`, `[0,1,2]`},
		{"transitions-jsonata.asl.json", `{"n":10}`, `{"i":10,"n":10}`},
		{"map-jsonata.asl.json", `{"items":[0,1,2]}`, `[0,1,2]`},
	}
	for _, tt := range tests {
		t.Run(tt.def, func(t *testing.T) {
			def, err := files.ReadFile("testdata/" + tt.def)
			if err != nil {
				t.Fatal(err)
			}
			times, out, err := runOurs(context.Background(), def, []byte(tt.input), 2)
			if err != nil {
				t.Fatal(err)
			}
			if len(times) != 2 {
				t.Errorf("got %d timings, want 2", len(times))
			}
			if err := sameJSON(out, []byte(tt.want)); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestSameJSONIgnoresKeyOrder(t *testing.T) {
	if err := sameJSON([]byte(`{"a":1,"b":[1,2]}`), []byte(`{"b":[1,2],"a":1}`)); err != nil {
		t.Error(err)
	}
	if err := sameJSON([]byte(`{"a":1}`), []byte(`{"a":2}`)); err == nil {
		t.Error("different outputs compared equal")
	}
}
