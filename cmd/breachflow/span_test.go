package main

import (
	"breachflow/internal/capacity"
	"testing"
	"time"
)

func TestSpan(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0h 0m"},
		{3*time.Hour + 20*time.Minute + 40*time.Second, "3h 20m"},
		{50 * time.Hour, "2d 2h"},
		{13*24*time.Hour + 23*time.Hour, "13d 23h"},
		{20170*time.Hour + 23*time.Minute, "840 days"},
	} {
		if got := capacity.Span(tc.d); got != tc.want {
			t.Errorf("Span(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
	if got := remaining(-20170 * time.Hour); got != "OVERDUE 840 days" {
		t.Errorf("remaining(-840 days) = %q", got)
	}
}
