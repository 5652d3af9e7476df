package delivery

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/mail"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"breachflow/internal/casetable"
	"breachflow/internal/email"
	"breachflow/internal/ledger"
)

// Sender is the part of the SES v2 client delivery uses.
type Sender interface {
	SendEmail(ctx context.Context, in *sesv2.SendEmailInput, opts ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)
}

// Batch is one send invocation's work: a shard of a case's subjects from a
// cursor.
type Batch struct {
	CaseID string `json:"case_id"`
	Shard  int    `json:"shard"`
	// Cursor is where to continue in the shard (a previous Result's
	// NextCursor); empty starts at the beginning.
	Cursor string `json:"cursor,omitempty"`
	// Deadline, when set and earlier than the invocation's own, is when the
	// batch must end.
	Deadline time.Time `json:"deadline,omitzero"`
}

// Result counts what a batch did. It carries ids and counts only.
type Result struct {
	CaseID string `json:"case_id"`
	Shard  int    `json:"shard"`
	// Sent people got a notice in this run.
	Sent int `json:"sent"`
	// Failed people were refused (rejected message, invalid address) and
	// are on the fallback list.
	Failed int `json:"failed"`
	// Skipped people were already done when this run reached them.
	Skipped int `json:"skipped"`
	// Busy is 1 when another invocation holds the shard's send lease and
	// this run sent nothing; BusyUntil is when that lease ends (Unix ms).
	Busy      int   `json:"busy"`
	BusyUntil int64 `json:"busy_until,omitempty"`
	// Deferred people were read but left unsent because the run had to stop
	// (deadline, throttling that outlasted it, a stop error); the next run
	// takes them.
	Deferred int `json:"deferred"`
	// LeaseLost is 1 when another run took the shard's lease over while this
	// one still held it (its clock ran past the lease): this run stopped
	// at the next page.
	LeaseLost int `json:"lease_lost"`
	// NextCursor is where the next run continues; Done means the shard has
	// nothing left for this run to do.
	NextCursor string `json:"next_cursor"`
	Done       bool   `json:"done"`
}

// PaceMargin is how far under its rate share a pipeline paces itself: a
// call that leaves a few milliseconds late (a busy scheduler) then cannot
// push the rate SES sees over the account's limit.
const PaceMargin = 0.01

// Pipeline sends customer notices for batches. Build it once per process;
// Run may be called again for each batch (not concurrently).
type Pipeline struct {
	Ledger *ledger.Ledger
	SES    Sender
	// Render writes each person's approved notice (draft.Approved in the
	// send function).
	Render email.Renderer
	// From is the notices' sender address; ConfigurationSet (optional)
	// routes SES events to the event destination.
	From             string
	ConfigurationSet string
	Pacing           Pacing
	// Channel, when set, sends on another channel than e-mail (package
	// sms's): SES, Render, From and ConfigurationSet are then unused, and
	// the channel's sends are leased and recorded in its own partition.
	Channel Channel
	// RecordBatch is the most send records one ledger write carries
	// (default: Pacing.Workers, at most ledger.MaxRecordBatch). Together
	// with the workers it bounds the duplicates of a crash: see
	// DuplicateBound.
	RecordBatch int
	// SendTimeout bounds one SendEmail call, and the record write after it;
	// workers start no send less than twice this long before the lease they
	// hold ends, so every send and its record land inside it (default 10 s).
	SendTimeout time.Duration
	// LeaseTerm is how long the shard's send lease lasts past its last
	// renewal. A run renews it every (LeaseTerm - 2 SendTimeout)/3 while it
	// works, so a crashed invocation's shard is free at most LeaseTerm
	// after the crash, not at the end of the invocation's time (default and
	// least 3 SendTimeout: 30 s).
	LeaseTerm time.Duration
	// DefaultRun is the run length when neither the context nor the batch
	// has a deadline (default 15 minutes, Lambda's maximum).
	DefaultRun time.Duration
	Backoff    Backoff
	Now        func() time.Time
	Log        *slog.Logger
	// Metrics receives CloudWatch embedded-metric lines (nil: discarded).
	Metrics io.Writer

	pacer *pacer // nil: unlimited
	paced bool
}

// withRenderer returns a copy of the pipeline that renders with r, with a
// pacer of its own: each invocation paces its own share of the account rate.
func (p *Pipeline) withRenderer(r email.Renderer) *Pipeline {
	c := *p
	c.Render, c.pacer, c.paced = r, nil, false
	return &c
}

func (p *Pipeline) init() error {
	if p.Channel != nil {
		if p.Ledger == nil {
			return errors.New("delivery: pipeline needs a ledger")
		}
	} else {
		if p.Ledger == nil || p.SES == nil || p.Render == nil {
			return errors.New("delivery: pipeline needs a ledger, an SES client and a renderer")
		}
		if a, err := mail.ParseAddress(p.From); err != nil || a.Address != p.From {
			return fmt.Errorf("delivery: sender address %q is not a plain address", p.From)
		}
	}
	if p.SendTimeout <= 0 {
		p.SendTimeout = 10 * time.Second
	}
	if p.LeaseTerm <= 0 {
		p.LeaseTerm = 3 * p.SendTimeout
	}
	if p.LeaseTerm < 3*p.SendTimeout {
		return fmt.Errorf("delivery: lease term %s is under 3 send timeouts (%s): no send would fit between renewals", p.LeaseTerm, 3*p.SendTimeout)
	}
	if p.DefaultRun <= 0 {
		p.DefaultRun = 15 * time.Minute
	}
	if p.Backoff == (Backoff{}) {
		p.Backoff = DefaultBackoff
	}
	if p.Now == nil {
		p.Now = time.Now
	}
	if p.Log == nil {
		p.Log = slog.Default()
	}
	if p.Metrics == nil {
		p.Metrics = io.Discard
	}
	if p.Pacing.Workers <= 0 {
		p.Pacing.Workers = 1
	}
	if p.RecordBatch <= 0 {
		p.RecordBatch = p.Pacing.Workers
	}
	p.RecordBatch = min(p.RecordBatch, ledger.MaxRecordBatch)
	if !p.paced {
		p.pacer, p.paced = newPacer(p.Pacing.Rate*(1-PaceMargin)), true
	}
	return nil
}

func (p *Pipeline) channel() Channel {
	if p.Channel != nil {
		return p.Channel
	}
	return emailChannel{p}
}

func (p *Pipeline) channelName() string {
	if n := p.channel().Name(); n != "" {
		return n
	}
	return "email"
}

// DuplicateBound is the most people a crash of one invocation can leave
// notified but unrecorded, who therefore get a second notice from the run
// that resumes: the sends in flight (one per worker) plus the records
// waiting for their batched write. SES has no idempotency key, so no sender
// can do better than its sends in flight; batching the records adds at most
// one batch.
func (p *Pipeline) DuplicateBound() int {
	c := *p
	if err := c.init(); err != nil {
		return p.Pacing.Workers + ledger.MaxRecordBatch
	}
	return c.Pacing.Workers + c.RecordBatch
}

// job is one subject to work on, with the page it came from.
type job struct {
	s     casetable.Subject
	page  int    // index of the page in this run
	start string // the page's cursor, which files its send records
	// prepared is the person's message as the channel prepared it with
	// their page (PagePreparer); nil: the worker prepares it.
	prepared *Prepared
}

// run is the state of one Run call.
type run struct {
	p        *Pipeline
	b        Batch
	lease    ledger.Lease // as taken: its token fences the run's writes
	deadline time.Time    // the run's end; the lease is never renewed past it
	// leaseEnd is when the lease ends as last written (Unix ns): no send or
	// retry starts less than two send timeouts before it (claimUntil).
	leaseEnd  atomic.Int64
	stop      chan struct{}
	stopOnce  sync.Once
	fatal     error
	rec       *recorder
	sent      atomic.Int64
	failed    atomic.Int64
	skipped   atomic.Int64
	deferred  atomic.Int64
	leaseLost atomic.Int64
	mu        sync.Mutex
	firstLeft int    // lowest page index with work left undone; -1 none
	leftCur   string // start cursor of page firstLeft
	// pages holds the start cursor and outstanding jobs of each page still
	// being worked, so memory stays flat however long the shard is. A job
	// is outstanding until its outcome is recorded.
	pages map[int]*pageState
}

type pageState struct {
	cursor      string
	outstanding int
	fed         bool
}

// Run works one batch until it is done, the deadline nears, or a stop error.
// It first takes the shard's send lease; if another invocation holds it, it
// returns at once with Busy set. It returns the named errors SendingPaused,
// DailyQuotaExceeded and SendConfigInvalid unwrapped, with the Result so
// far.
func (p *Pipeline) Run(ctx context.Context, b Batch) (Result, error) {
	if err := p.init(); err != nil {
		return Result{}, err
	}
	now := p.Now()
	deadline := now.Add(p.DefaultRun)
	if d, ok := ctx.Deadline(); ok {
		deadline = d
	}
	if !b.Deadline.IsZero() && b.Deadline.Before(deadline) {
		deadline = b.Deadline
	}
	lease, err := p.Ledger.LeaseChannel(ctx, p.channel().Name(), b.CaseID, b.Shard, now, earlier(now.Add(p.LeaseTerm), deadline))
	if busy, ok := errors.AsType[*ledger.ShardBusy](err); ok {
		return Result{CaseID: b.CaseID, Shard: b.Shard, Busy: 1, BusyUntil: busy.Until.UnixMilli(), NextCursor: b.Cursor}, nil
	}
	if err != nil {
		return Result{CaseID: b.CaseID, Shard: b.Shard, NextCursor: b.Cursor}, fmt.Errorf("send shard %d: %w", b.Shard, err)
	}
	r := &run{p: p, b: b, lease: lease, deadline: deadline, stop: make(chan struct{}), firstLeft: -1, pages: map[int]*pageState{}}
	r.leaseEnd.Store(lease.Until.UnixNano())
	quitRenew := make(chan struct{})
	var renewer sync.WaitGroup
	renewer.Go(func() { r.renew(ctx, quitRenew) })
	r.rec = newRecorder(ctx, r)
	jobs := make(chan job, p.Pacing.Workers)
	var wg sync.WaitGroup
	for range p.Pacing.Workers {
		wg.Go(func() {
			for j := range jobs {
				if !r.work(ctx, j) {
					r.done(j.page)
				}
			}
		})
	}
	more, err := r.produce(ctx, jobs)
	close(jobs)
	wg.Wait()
	r.rec.close()
	close(quitRenew)
	renewer.Wait()
	if err != nil {
		r.halt(err)
	}
	if err := p.Ledger.ReleaseLease(context.WithoutCancel(ctx), lease, p.Now()); err != nil {
		p.Log.Warn("release send lease failed; it expires within its term", "case_id", b.CaseID, "shard", b.Shard, "error", err)
	}
	res := r.result(more)
	if r.fatal != nil {
		var paused *SendingPaused
		if errors.As(r.fatal, &paused) {
			p.alarm(b.CaseID, paused.Reason)
		}
		return res, r.fatal
	}
	return res, nil
}

// fetched is a page read ahead of the workers, or why it could not be.
type fetched struct {
	cursor   string
	page     ledger.Page
	prepared []Prepared // by subject, when the channel prepares pages
	err      error
}

// readAhead reads the shard's pages from cursor into out, one page ahead of
// the producer, so the workers do not wait for a page at each boundary.
// Before every page after the first it checks that the shard's lease is
// still this run's. It stops after the last page, an error, or quit.
func (r *run) readAhead(ctx context.Context, cursor string, out chan<- fetched, quit <-chan struct{}) {
	defer close(out)
	for first := true; ; first = false {
		f := fetched{cursor: cursor}
		if !first {
			f.err = r.p.Ledger.CheckLease(ctx, r.lease, cursor, r.p.Now())
		}
		if f.err == nil {
			f.page, f.err = r.p.Ledger.Unsent(ctx, r.lease, cursor, r.p.attributes()...)
		}
		if f.err == nil {
			f.err = r.readOutcomes(ctx, &f.page)
		}
		if f.err == nil && !r.stopping() {
			f.prepared = r.preparePage(ctx, f.page.Subjects)
		}
		select {
		case out <- f:
		case <-quit:
			return
		}
		if f.err != nil || f.page.Next == "" {
			return
		}
		cursor = f.page.Next
	}
}

// produce feeds the workers, page by page, until the shard ends or the run
// stops. It reports whether pages were left unread.
func (r *run) produce(ctx context.Context, jobs chan<- job) (more bool, err error) {
	pages := make(chan fetched, 1)
	quit := make(chan struct{})
	var reader sync.WaitGroup
	reader.Go(func() { r.readAhead(ctx, r.b.Cursor, pages, quit) })
	defer func() {
		close(quit)
		reader.Wait()
	}()
	for page := 0; ; page++ {
		f, ok := <-pages
		if !ok {
			return false, nil
		}
		r.open(page, f.cursor)
		if r.stopping() {
			r.left(page)
			r.fed(page)
			return true, nil
		}
		if f.err != nil {
			r.left(page)
			r.fed(page)
			if errors.Is(f.err, ledger.ErrLeaseLost) {
				r.leaseLost.Store(1)
				r.halt(nil)
				return true, nil
			}
			return true, fmt.Errorf("send shard %d: %w", r.b.Shard, f.err)
		}
		for i, s := range f.page.Subjects {
			j := job{s: s, page: page, start: f.cursor}
			if f.prepared != nil {
				j.prepared = &f.prepared[i]
			}
			if !r.feed(ctx, jobs, j) {
				r.fed(page)
				return f.page.Next != "", nil
			}
		}
		r.fed(page)
		if f.page.Next == "" {
			return false, nil
		}
	}
}

func (r *run) feed(ctx context.Context, jobs chan<- job, j job) bool {
	r.mu.Lock()
	r.pages[j.page].outstanding++
	r.mu.Unlock()
	select {
	case jobs <- j:
		return true
	case <-r.stop:
	case <-ctx.Done():
	}
	r.left(j.page)
	r.done(j.page)
	return false
}

// open starts tracking a page.
func (r *run) open(page int, cursor string) {
	r.mu.Lock()
	r.pages[page] = &pageState{cursor: cursor}
	r.mu.Unlock()
}

// fed marks that no more jobs of page will be fed.
func (r *run) fed(page int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	ps := r.pages[page]
	ps.fed = true
	if ps.outstanding == 0 {
		delete(r.pages, page)
	}
}

// done marks one job of page finished, whatever its outcome.
func (r *run) done(page int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	ps := r.pages[page]
	ps.outstanding--
	if ps.fed && ps.outstanding == 0 {
		delete(r.pages, page)
	}
}

// left notes that page has work this run did not finish; the next run
// starts again at the earliest such page.
func (r *run) left(page int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.firstLeft < 0 || page < r.firstLeft {
		r.firstLeft = page
		r.leftCur = r.pages[page].cursor
	}
}

func (r *run) stopping() bool {
	select {
	case <-r.stop:
		return true
	default:
		return !r.p.Now().Before(r.claimUntil())
	}
}

// claimUntil is when the run must stop starting sends: two send timeouts
// before its lease ends, one for the last send and one for its record, so
// both land inside the lease. Renewals move it on; a run whose renewals
// fail stops sending by itself before its lease can pass to another run.
func (r *run) claimUntil() time.Time {
	return time.Unix(0, r.leaseEnd.Load()).Add(-2 * r.p.SendTimeout)
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// renewEvery is how often a run renews its lease: three times in the slack
// between the lease's end and the last moment a send may start, so two
// renewals can fail before the workers have to pause.
func (p *Pipeline) renewEvery() time.Duration {
	return max((p.LeaseTerm-2*p.SendTimeout)/3, 10*time.Millisecond)
}

// renew keeps the run's lease one term ahead, never past the deadline,
// until quit. A lease taken over by another run stops this one (LeaseLost).
// Any other failure is logged and tried again at the next tick; meanwhile
// the lease's end stands still, so claimUntil stops the sends in time.
func (r *run) renew(ctx context.Context, quit <-chan struct{}) {
	t := time.NewTicker(r.p.renewEvery())
	defer t.Stop()
	for {
		select {
		case <-quit:
			return
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if !time.Unix(0, r.leaseEnd.Load()).Before(r.deadline) {
			return // the lease already lasts to the deadline
		}
		now := r.p.Now()
		rctx, cancel := context.WithTimeout(ctx, r.p.SendTimeout)
		l, err := r.p.Ledger.RenewLease(rctx, r.lease, now, earlier(now.Add(r.p.LeaseTerm), r.deadline))
		cancel()
		switch {
		case err == nil:
			r.leaseEnd.Store(l.Until.UnixNano())
		case errors.Is(err, ledger.ErrLeaseLost):
			r.leaseLost.Store(1)
			r.halt(nil)
			return
		default:
			r.p.Log.Warn("renew send lease failed; trying again", "case_id", r.b.CaseID, "shard", r.b.Shard, "error", err)
		}
	}
}

// halt stops the run; the first error given is the one Run returns (nil:
// stop without an error).
func (r *run) halt(err error) {
	r.stopOnce.Do(func() {
		r.fatal = err
		close(r.stop)
	})
}

func (r *run) result(more bool) Result {
	res := Result{
		CaseID: r.b.CaseID, Shard: r.b.Shard,
		Sent: int(r.sent.Load()), Failed: int(r.failed.Load()), Skipped: int(r.skipped.Load()),
		Deferred: int(r.deferred.Load()), LeaseLost: int(r.leaseLost.Load()),
	}
	if r.firstLeft >= 0 {
		// Going back to the start of the first unfinished page is safe:
		// what was finished there is filtered out on the next read.
		res.NextCursor = r.leftCur
		return res
	}
	res.Done = !more
	return res
}

// alarm logs the stop and writes a CloudWatch embedded-metric line that the
// SendingPaused alarm watches.
func (p *Pipeline) alarm(caseID, reason string) {
	p.Log.Error("SES sending paused: send stage stopped", "case_id", caseID, "reason", reason)
	fmt.Fprintf(p.Metrics, `{"_aws":{"Timestamp":%d,"CloudWatchMetrics":[{"Namespace":"breachflow","Dimensions":[["Stage"]],"Metrics":[{"Name":"SendingPaused","Unit":"Count"}]}]},"Stage":"send","case_id":%q,"SendingPaused":1}`+"\n",
		p.Now().UnixMilli(), caseID)
}
