package assess_test

import (
	"testing"
	"time"

	"breachflow/internal/assess"
	"breachflow/internal/rules"
)

func TestKeepStartedClocks(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	prev := rules.Assessment{Obligations: []rules.Obligation{
		{ID: "kr-pipa-34-regulator", Required: true, DueAt: t0.Add(72 * time.Hour), ClockStart: t0},
		{ID: "eu-gdpr-33-authority-DE", Required: false},
	}}
	later := t0.Add(48 * time.Hour)
	a := rules.Assessment{Obligations: []rules.Obligation{
		// The amendment moved "aware" later: the duty owed since t0 keeps its clock.
		{ID: "kr-pipa-34-regulator", Required: true, DueAt: later.Add(72 * time.Hour), ClockStart: later},
		// Newly required: its own law's clock, from the amended timeline.
		{ID: "eu-gdpr-33-authority-DE", Required: true, DueAt: later.Add(72 * time.Hour), ClockStart: later},
		{ID: "new-duty", Required: true, DueAt: later.Add(time.Hour), ClockStart: later},
	}}
	assess.KeepStartedClocks(&a, prev)
	if got := a.Obligations[0]; !got.DueAt.Equal(t0.Add(72*time.Hour)) || !got.ClockStart.Equal(t0) {
		t.Errorf("a duty already owed: due %s from %s, want its first clock", got.DueAt, got.ClockStart)
	}
	for _, o := range a.Obligations[1:] {
		if !o.ClockStart.Equal(later) {
			t.Errorf("%s: clock from %s, want the amended timeline's %s", o.ID, o.ClockStart, later)
		}
	}
}
