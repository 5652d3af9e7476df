package main

import (
	"context"
	"encoding/json"
	"testing"
	"time"
)

// The definitions of `go run ./bench/sfncompare` as Go benchmarks for
// `make bench`: our engine only (the npm side needs Node). ns/op is the time
// of one execution; transitions/s is reported for the loop.

func items(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

func BenchmarkEngine(b *testing.B) {
	cases := []struct {
		name, def   string
		input       any
		transitions int
	}{
		{"Loop1000", "transitions.asl.json", map[string]int{"n": 1000}, 2002},
		{"InlineMap10000", "map.asl.json", map[string]any{"items": items(10000)}, 0},
		{"LoopJSONata1000", "transitions-jsonata.asl.json", map[string]int{"n": 1000}, 2002},
		{"InlineMapJSONata10000", "map-jsonata.asl.json", map[string]any{"items": items(10000)}, 0},
	}
	engines := []struct {
		name string
		run  func(context.Context, []byte, []byte, int) ([]time.Duration, []byte, error)
	}{
		{"interpreter", runOurs},
		{"service", runService},
	}
	for _, c := range cases {
		def, err := files.ReadFile("testdata/" + c.def)
		if err != nil {
			b.Fatal(err)
		}
		in, err := json.Marshal(c.input)
		if err != nil {
			b.Fatal(err)
		}
		for _, e := range engines {
			b.Run(c.name+"/"+e.name, func(b *testing.B) {
				var total float64
				for b.Loop() {
					times, _, err := e.run(context.Background(), def, in, 1)
					if err != nil {
						b.Fatal(err)
					}
					total += times[0].Seconds()
				}
				// Each iteration runs a warm-up execution and a timed one; report
				// the timed one per op.
				b.ReportMetric(total/float64(b.N)*1e9, "ns/op")
				if c.transitions > 0 && total > 0 {
					b.ReportMetric(float64(c.transitions*b.N)/total, "transitions/s")
				}
			})
		}
	}
}
