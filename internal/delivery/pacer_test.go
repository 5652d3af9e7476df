package delivery

import (
	"context"
	"testing"
	"time"
)

// fakeClock advances only when the pacer sleeps, plus any lag the test
// injects (a late timer on a busy machine).
type fakeClock struct {
	t   time.Time
	lag []time.Duration
}

func (c *fakeClock) now() time.Time { return c.t }

func (c *fakeClock) sleep(_ context.Context, d time.Duration) error {
	c.t = c.t.Add(d)
	if len(c.lag) > 0 {
		c.t = c.t.Add(c.lag[0])
		c.lag = c.lag[1:]
	}
	return nil
}

func TestPacerNeverExceedsItsRate(t *testing.T) {
	for _, tc := range []struct {
		name string
		lag  []time.Duration
	}{
		{"on time", nil},
		{"late timers", []time.Duration{0, 30 * time.Millisecond, 0, 0, 200 * time.Millisecond, 0, 0, 0, 5 * time.Millisecond}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &fakeClock{t: time.Unix(1e9, 0), lag: tc.lag}
			p := newPacer(100)
			p.now, p.sleep = c.now, c.sleep
			var grants []time.Time
			for range 500 {
				if err := p.Wait(context.Background()); err != nil {
					t.Fatal(err)
				}
				grants = append(grants, c.now())
			}
			// No one-second window holds more than 100 grants, plus the
			// catch-up allowance and one for the window's closed start.
			for i, j := 0, 0; i < len(grants); i++ {
				for j < len(grants) && grants[j].Sub(grants[i]) < time.Second {
					j++
				}
				if j-i > 100+catchUp+1 {
					t.Fatalf("%d grants in the second from grant %d", j-i, i)
				}
			}
			if got := grants[len(grants)-1].Sub(grants[0]); got < 499*10*time.Millisecond {
				t.Errorf("500 grants took %v, want at least 4.99 s", got)
			}
		})
	}
}

func TestNilPacerDoesNotWait(t *testing.T) {
	var p *pacer
	if err := p.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if newPacer(0) != nil {
		t.Error("newPacer(0) should be nil: unlimited")
	}
}
