package main

import (
	"context"
	"testing"

	"breachflow/internal/delivery"
	"breachflow/internal/ledger"
)

// BenchmarkPipeline is the pipeline's own cost per person (lease, page
// read, render, send, record) with a ledger and SES that cost nothing:
// what `make bench` reports without emulators. The emulator runs are
// `go run ./bench/send`.
func BenchmarkPipeline(b *testing.B) {
	p := &delivery.Pipeline{
		Ledger: &ledger.Ledger{DB: &syntheticDB{n: b.N}, Table: "bench"},
		SES:    &instantSES{},
		Render: render,
		From:   "privacy@example.com",
		Pacing: delivery.Pacing{Workers: 16},
	}
	b.ReportAllocs()
	b.ResetTimer()
	sent, err := drain(context.Background(), p, "bench", 0)
	if err != nil || sent != b.N {
		b.Fatalf("sent %d of %d: %v", sent, b.N, err)
	}
}
