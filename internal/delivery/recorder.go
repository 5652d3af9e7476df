package delivery

import (
	"context"
	"fmt"
	"sync"
	"time"

	"breachflow/internal/ledger"
)

// recorder writes a run's send records in batches. Workers hand it each
// send as the service accepts it; it writes a batch once RecordBatch
// records have gathered, or recordLinger after the first, so at low rates
// a record is written within milliseconds and at high rates one request
// carries RecordBatch.
//
// slots bounds what a crash can lose: a worker takes a slot before it calls
// SendEmail and the recorder gives it back once the send's record is
// written. With Workers + RecordBatch slots, at most that many people can
// have been sent a notice that the ledger does not show, however the
// records are written: the recorder keeps up to recordWriters writes under
// way at once, so a slow write does not hold every slot (and so every
// worker) while the next batch waits, and the bound stays the slots'.
type recorder struct {
	r       *run
	ctx     context.Context
	in      chan pending
	slots   chan struct{}
	writers chan struct{} // one per write under way
	flushes sync.WaitGroup
	done    chan struct{}
	n       int // batches started
}

// recordWriters is how many record writes a run has under way at once.
const recordWriters = 2

// recordLinger is how long the recorder waits for a batch to fill before it
// writes what it has. A batch that fills is written at once; at high rates
// one that waits long enough to fill costs the ledger one write for
// RecordBatch sends instead of several (a write costs the database far more
// than its records do), and the slots, not the wait, bound what a crash
// can leave unrecorded.
const recordLinger = 20 * time.Millisecond

// pending is a send waiting for its record.
type pending struct {
	send ledger.Send
	page int
}

func newRecorder(ctx context.Context, r *run) *recorder {
	c := &recorder{
		r:       r,
		ctx:     context.WithoutCancel(ctx), // a stop must not lose records of sends made
		in:      make(chan pending, r.p.RecordBatch),
		slots:   make(chan struct{}, r.p.Pacing.Workers+r.p.RecordBatch),
		writers: make(chan struct{}, recordWriters),
		done:    make(chan struct{}),
	}
	go c.loop()
	return c
}

// acquire takes a send slot; false means the run stopped while waiting.
func (c *recorder) acquire(ctx context.Context) bool {
	select {
	case c.slots <- struct{}{}:
		return true
	case <-c.r.stop:
	case <-ctx.Done():
	}
	return false
}

// give returns a slot whose send did not happen.
func (c *recorder) give() { <-c.slots }

// record queues a send's record; its slot is returned once it is written.
func (c *recorder) record(s ledger.Send, page int) { c.in <- pending{send: s, page: page} }

// close writes what is queued and waits for it.
func (c *recorder) close() {
	close(c.in)
	<-c.done
}

func (c *recorder) loop() {
	defer close(c.done)
	defer c.flushes.Wait()
	timer := time.NewTimer(0)
	for first := range c.in {
		batch := make([]pending, 1, c.r.p.RecordBatch)
		batch[0] = first
		timer.Reset(recordLinger)
	gather:
		for len(batch) < cap(batch) {
			select {
			case p, ok := <-c.in:
				if !ok {
					break gather
				}
				batch = append(batch, p)
			case <-timer.C:
				break gather
			}
		}
		timer.Stop()
		c.writers <- struct{}{}
		n := c.n
		c.n++
		c.flushes.Go(func() {
			defer func() { <-c.writers }()
			c.flush(n, batch)
		})
	}
}

// flush writes batch, the run's nth, retrying a failed write a few times.
// If it still fails, the run stops: those people will get a second notice
// from the next run, which the duplicate bound counts.
func (c *recorder) flush(n int, batch []pending) {
	r := c.r
	sends := make([]ledger.Send, len(batch))
	for i, p := range batch {
		sends[i] = p.send
	}
	var err error
	for try := range 4 {
		// Each try is bounded: the stop at the deadline leaves two send
		// timeouts for the last sends and their records.
		wctx, cancel := context.WithTimeout(c.ctx, r.p.SendTimeout)
		err = r.p.Ledger.RecordSends(wctx, r.lease, n, sends)
		cancel()
		if err == nil {
			break
		}
		time.Sleep(r.p.Backoff.Delay(try))
	}
	for _, p := range batch {
		if err != nil {
			r.left(p.page)
		}
		r.done(p.page)
		<-c.slots
	}
	if err != nil {
		r.halt(fmt.Errorf("record sends: %w", err))
	}
}
