package delivery

import (
	"context"
	"sync"
	"time"
)

// pacer hands out send slots at a steady rate, one caller at a time.
//
// It replaces a token bucket with reservations ahead: with many workers,
// those reserve slots in the future and sleep on timers, and when a busy
// machine fires the timers late, the sends leave in a bunch and one second
// can see more than the rate. Here slots follow a fixed schedule, one
// interval apart; a slot handed out late (a late timer, a starved process)
// is made up for at no more than twice the rate, and never so that any
// window holds more than its share: the pacer remembers the last window's
// slots and waits for the oldest to age out. So the rate over any window
// stays at or under the configured one, and a busy machine costs little of
// it.
type pacer struct {
	interval time.Duration // between slots on schedule
	minGap   time.Duration // between slots while catching up
	window   time.Duration // no window this long holds more than len(ring) slots
	maxLag   time.Duration // lateness forgiven by catching up; more is lost
	mu       sync.Mutex
	next     time.Time   // the schedule
	last     time.Time   // last slot handed out
	ring     []time.Time // the last len(ring) slots, oldest at head
	head     int
	now      func() time.Time
	sleep    func(ctx context.Context, d time.Duration) error
}

// newPacer returns a pacer of perSecond slots a second, or nil (no pacing)
// for 0. Windows are a second long, or longer at low rates so that each
// holds at least ten slots.
func newPacer(perSecond float64) *pacer {
	if perSecond <= 0 {
		return nil
	}
	window := time.Second
	if perSecond < 10 {
		window = time.Duration(10 / perSecond * float64(time.Second))
	}
	slots := max(int(perSecond*window.Seconds()), 1)
	interval := window / time.Duration(slots)
	return &pacer{
		interval: interval, minGap: interval / 2, window: window, maxLag: window,
		ring: make([]time.Time, slots), now: time.Now, sleep: sleepCtx,
	}
}

// Wait blocks until the caller may send. A nil pacer never waits.
func (p *pacer) Wait(ctx context.Context) error {
	if p == nil {
		return ctx.Err()
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for {
		now := p.now()
		at := p.next
		if gap := p.last.Add(p.minGap); gap.After(at) {
			at = gap
		}
		if free := p.ring[p.head].Add(p.window); free.After(at) {
			at = free
		}
		d := at.Sub(now)
		if d <= 0 {
			break
		}
		if err := p.sleep(ctx, d); err != nil {
			return err
		}
	}
	now := p.now()
	if lag := now.Sub(p.next); p.next.IsZero() || lag > p.maxLag {
		p.next = now
	}
	p.next = p.next.Add(p.interval)
	p.last = now
	p.ring[p.head] = now
	p.head = (p.head + 1) % len(p.ring)
	return nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
