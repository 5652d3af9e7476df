package main

import (
	"bytes"
	"testing"
	"time"
)

// TestProgressQuietOffTerminal: a bar written into a buffer (as into a log
// file or CI's transcript) draws nothing.
func TestProgressQuietOffTerminal(t *testing.T) {
	var out bytes.Buffer
	p := newProgress(&out, 100, "seeding users", "users")
	p.Add(40)
	p.Set(100)
	p.Finish()
	if out.Len() != 0 {
		t.Errorf("progress drew %q into a non-terminal", out.String())
	}
}

// TestProgressRateWaitsASecond: no rate before a second has passed, then
// units over elapsed time.
func TestProgressRateWaitsASecond(t *testing.T) {
	p := &progress{start: time.Unix(0, 0)}
	p.done = 5000
	if _, ok := p.rate(time.Unix(0, int64(3*time.Microsecond))); ok {
		t.Error("a rate after 3µs")
	}
	if r, ok := p.rate(time.Unix(2, 0)); !ok || r != 2500 {
		t.Errorf("rate after 2s = %v, %v; want 2500", r, ok)
	}
}
