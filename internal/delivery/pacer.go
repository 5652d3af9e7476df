package delivery

import (
	"context"
	"sync"
	"time"
)

// pacer hands out send slots at most every interval, one caller at a time.
//
// It replaces a token bucket with reservations ahead: with many workers,
// those reserve slots in the future and sleep on timers, and when a busy
// machine fires the timers late, the sends leave in a bunch and one second
// can see more than the rate. Here one caller at a time waits for the next
// slot of a fixed schedule; a pacer that fell behind (a late timer) makes up
// at most catchUp slots, so no window sees more than the rate plus
// catchUp + 1 slots, and no slot is reserved ahead.
type pacer struct {
	interval time.Duration
	mu       sync.Mutex
	next     time.Time
	now      func() time.Time
	sleep    func(ctx context.Context, d time.Duration) error
}

// catchUp is how many late slots the pacer may make up at once.
const catchUp = 2

func newPacer(perSecond float64) *pacer {
	if perSecond <= 0 {
		return nil
	}
	return &pacer{interval: time.Duration(float64(time.Second) / perSecond), now: time.Now, sleep: sleepCtx}
}

// Wait blocks until the caller may send. A nil pacer never waits.
func (p *pacer) Wait(ctx context.Context) error {
	if p == nil {
		return ctx.Err()
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if d := p.next.Sub(p.now()); d > 0 {
		if err := p.sleep(ctx, d); err != nil {
			return err
		}
	}
	now := p.now()
	if p.next.IsZero() {
		p.next = now
	}
	// A late timer may be made up for, but only within catchUp slots: any
	// window then sees at most its share of the rate plus catchUp + 1.
	if behind := now.Sub(p.next); behind > catchUp*p.interval {
		p.next = now.Add(-catchUp * p.interval)
	}
	p.next = p.next.Add(p.interval)
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
