package asl_test

import (
	"context"
	"fmt"
	"testing"

	"breachflow/internal/local/asl"
)

// mapDefinition is an inline Map over the input array with one Pass state
// per item, the definition the npm comparison runs too.
const mapDefinition = `{"StartAt":"Map","States":{"Map":{"Type":"Map","ItemsPath":"$.items",
  "ItemProcessor":{"StartAt":"Pass","States":{"Pass":{"Type":"Pass","Parameters":{"id.$":"$.id","ok":true},"End":true}}},"End":true}}}`

func items(n int) any {
	xs := make([]any, n)
	for i := range xs {
		xs[i] = map[string]any{"id": fmt.Sprint(i)}
	}
	return map[string]any{"items": xs}
}

func BenchmarkInlineMap10k(b *testing.B) {
	m, err := asl.Parse([]byte(mapDefinition))
	if err != nil {
		b.Fatal(err)
	}
	in := items(10000)
	// history is recorded, as the service does, to measure the real cost.
	emit := func(asl.Event, int64) int64 { return 0 }
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out, xerr := m.Run(context.Background(), asl.Options{}, asl.ExecutionInfo{}, in, asl.Hooks{Emit: emit})
		if xerr != nil || len(out.([]any)) != 10000 {
			b.Fatal(xerr)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/map")
}

// BenchmarkTransitions runs a loop of Pass and Choice states and reports
// state transitions per second.
func BenchmarkTransitions(b *testing.B) {
	const def = `{"StartAt":"Init","States":{
	  "Init":{"Type":"Pass","Parameters":{"i":0,"n.$":"$.n"},"Next":"Loop"},
	  "Loop":{"Type":"Choice","Choices":[{"Variable":"$.i","NumericGreaterThanEqualsPath":"$.n","Next":"Done"}],"Default":"Step"},
	  "Step":{"Type":"Pass","Parameters":{"i.$":"States.MathAdd($.i, 1)","n.$":"$.n"},"Next":"Loop"},
	  "Done":{"Type":"Succeed"}}}`
	m, err := asl.Parse([]byte(def))
	if err != nil {
		b.Fatal(err)
	}
	const loops = 1000
	in, _ := asl.DecodeJSON([]byte(fmt.Sprintf(`{"n":%d}`, loops)))
	emit := func(asl.Event, int64) int64 { return 0 }
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, xerr := m.Run(context.Background(), asl.Options{}, asl.ExecutionInfo{}, in, asl.Hooks{Emit: emit}); xerr != nil {
			b.Fatal(xerr)
		}
	}
	transitions := float64(b.N) * (2*loops + 2)
	b.ReportMetric(transitions/b.Elapsed().Seconds(), "transitions/s")
}
