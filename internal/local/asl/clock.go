package asl

import (
	"sort"
	"sync"
	"time"
)

// Clock is where the engine gets time from. Wait states, TimeoutSeconds,
// HeartbeatSeconds and Retry intervals all go through it, so tests run them
// with a FakeClock instead of sleeping.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// After returns a channel that receives the time once d has elapsed.
	After(d time.Duration) <-chan time.Time
}

// RealClock is the wall clock.
type RealClock struct{}

// Now returns time.Now().
func (RealClock) Now() time.Time { return time.Now() }

// After returns time.After(d).
func (RealClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// FakeClock is a manually advanced Clock for tests. Timers fire when Advance
// moves the time past their deadline; nothing ever sleeps.
type FakeClock struct {
	mu      sync.Mutex
	now     time.Time
	timers  []fakeTimer
	waiters []chan struct{}
}

type fakeTimer struct {
	at time.Time
	ch chan time.Time
}

// NewFakeClock returns a FakeClock that reads t until advanced.
func NewFakeClock(t time.Time) *FakeClock { return &FakeClock{now: t} }

// Now returns the fake time.
func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// After registers a timer that fires when the clock is advanced past now+d.
// A non-positive d fires at once.
func (c *FakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.timers = append(c.timers, fakeTimer{at: c.now.Add(d), ch: ch})
	for _, w := range c.waiters {
		close(w)
	}
	c.waiters = nil
	return ch
}

// Advance moves the clock forward by d and fires every timer that is due, in
// deadline order.
func (c *FakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	now := c.now
	sort.SliceStable(c.timers, func(i, j int) bool { return c.timers[i].at.Before(c.timers[j].at) })
	var keep []fakeTimer
	for _, t := range c.timers {
		if !t.at.After(now) {
			t.ch <- now
		} else {
			keep = append(keep, t)
		}
	}
	c.timers = keep
	c.mu.Unlock()
}

// Pending returns how many timers are waiting to fire.
func (c *FakeClock) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}

// NextDeadline returns the earliest pending timer's deadline, if any.
func (c *FakeClock) NextDeadline() (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.timers) == 0 {
		return time.Time{}, false
	}
	min := c.timers[0].at
	for _, t := range c.timers[1:] {
		if t.at.Before(min) {
			min = t.at
		}
	}
	return min, true
}

// WaitForTimers blocks until at least n timers are pending or the timeout (in
// real time) passes; it reports whether n were reached. Tests use it to know
// that the engine has reached a Wait or a retry back-off before advancing.
func (c *FakeClock) WaitForTimers(n int, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for {
		c.mu.Lock()
		if len(c.timers) >= n {
			c.mu.Unlock()
			return true
		}
		w := make(chan struct{})
		c.waiters = append(c.waiters, w)
		c.mu.Unlock()
		left := time.Until(deadline)
		if left <= 0 {
			return false
		}
		select {
		case <-w:
		case <-time.After(left):
			return false
		}
	}
}
