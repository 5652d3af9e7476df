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

func TestPacer(t *testing.T) {
	lags := make([]time.Duration, 0, 400)
	for i := range 400 {
		switch {
		case i%100 == 7:
			lags = append(lags, 120*time.Millisecond) // a starved process
		case i%10 == 0:
			lags = append(lags, 15*time.Millisecond)
		default:
			lags = append(lags, 0)
		}
	}
	for _, tc := range []struct {
		name  string
		rate  float64
		n     int
		lag   []time.Duration
		limit int           // most slots in any window
		span  time.Duration // window length
	}{
		{"on time", 100, 500, nil, 100, time.Second},
		{"late timers", 100, 500, lags, 100, time.Second},
		{"200/s with late timers", 200, 1000, lags, 200, time.Second},
		{"a slow share of the account", 0.5, 30, nil, 10, 20 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &fakeClock{t: time.Unix(1e9, 0), lag: tc.lag}
			p := newPacer(tc.rate)
			p.now, p.sleep = c.now, c.sleep
			var grants []time.Time
			for range tc.n {
				if err := p.Wait(context.Background()); err != nil {
					t.Fatal(err)
				}
				grants = append(grants, c.now())
			}
			for i, j := 0, 0; i < len(grants); i++ {
				for j < len(grants) && grants[j].Sub(grants[i]) < tc.span {
					j++
				}
				if j-i > tc.limit {
					t.Fatalf("%d slots in the %v from slot %d, limit %d", j-i, tc.span, i, tc.limit)
				}
			}
			// The long-run rate stays within 5 % of the configured one even
			// when a quarter of the time is lost to late timers: late slots
			// are made up for where the windows allow.
			got := float64(len(grants)-1) / grants[len(grants)-1].Sub(grants[0]).Seconds()
			if got > tc.rate || got < 0.95*tc.rate {
				t.Errorf("rate %.3f/s, want within 5 %% under %.3f", got, tc.rate)
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
