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
	"breachflow/internal/ledger"
)

// Sender is the part of the SES v2 client delivery uses.
type Sender interface {
	SendEmail(ctx context.Context, in *sesv2.SendEmailInput, opts ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)
}

// Message is one rendered customer notice.
type Message struct {
	Subject string
	HTML    string
	Text    string
}

// Renderer renders the notice for one subject. The send stage is handed one
// by its caller (the notice package's renderer, wired by the function).
type Renderer func(s *casetable.Subject) (Message, error)

// Batch is one send invocation's work: a shard of a case's subjects from a
// cursor, or only the listed users of that shard.
type Batch struct {
	CaseID string `json:"case_id"`
	Shard  int    `json:"shard"`
	// Cursor is where to continue in the shard (a previous Result's
	// NextCursor); empty starts at the beginning.
	Cursor string `json:"cursor,omitempty"`
	// UserIDs, when set, limits the batch to these users of the shard.
	UserIDs []string `json:"user_ids,omitempty"`
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
	// Failed people were refused (rejected message, invalid address, too
	// many failed attempts) and are on the fallback list.
	Failed int `json:"failed"`
	// Skipped people were already done when this run reached them.
	Skipped int `json:"skipped"`
	// Busy people are held by another invocation's live lease; BusyUntil is
	// when the last of those leases ends (Unix ms).
	Busy      int   `json:"busy"`
	BusyUntil int64 `json:"busy_until,omitempty"`
	// Deferred people were claimed but given back unsent because the run had
	// to stop (deadline, throttling that outlasted it, a stop error).
	Deferred int `json:"deferred"`
	// LeaseLost counts sends whose complete found another claim: the
	// person may have got two notices.
	LeaseLost int `json:"lease_lost"`
	// NextCursor is where the next run continues; Done means the shard (or
	// the user list) has nothing left for this run to do.
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
	Render Renderer
	// From is the notices' sender address; ConfigurationSet (optional)
	// routes SES events to the event destination.
	From             string
	ConfigurationSet string
	Pacing           Pacing
	// PageSize is how many subjects one query reads (default 100).
	PageSize int
	// MaxAttempts is how many claims a person may use up before they are
	// marked failed (default 5). Only claims that end in a crash count: a
	// claim given back because the run stopped or SES failed is refunded, so
	// this catches a person whose record crashes the sender every time.
	MaxAttempts int
	// SendTimeout bounds one SendEmail call, and the complete after it;
	// workers stop claiming twice this long before the deadline so every
	// send and its record land inside the lease (default 10 s).
	SendTimeout time.Duration
	// DefaultRun is the lease and run length when neither the context nor
	// the batch has a deadline (default 15 minutes, Lambda's maximum).
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
func (p *Pipeline) withRenderer(r Renderer) *Pipeline {
	c := *p
	c.Render, c.pacer, c.paced = r, nil, false
	return &c
}

func (p *Pipeline) init() error {
	if p.Ledger == nil || p.SES == nil || p.Render == nil {
		return errors.New("delivery: pipeline needs a ledger, an SES client and a renderer")
	}
	if a, err := mail.ParseAddress(p.From); err != nil || a.Address != p.From {
		return fmt.Errorf("delivery: sender address %q is not a plain address", p.From)
	}
	if p.PageSize <= 0 {
		p.PageSize = 100
	}
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = 5
	}
	if p.SendTimeout <= 0 {
		p.SendTimeout = 10 * time.Second
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
	if !p.paced {
		p.pacer, p.paced = newPacer(p.Pacing.Rate*(1-PaceMargin)), true
	}
	return nil
}

// job is one subject to work on, with the page it came from.
type job struct {
	s    casetable.Subject
	page int
	byID bool // named in Batch.UserIDs: only the id is known
}

// run is the state of one Run call.
type run struct {
	p          *Pipeline
	b          Batch
	lease      time.Time // lease of every claim of this run
	stopClaim  time.Time // no new claim or retry after this
	stop       chan struct{}
	stopOnce   sync.Once
	fatal      error
	sent       atomic.Int64
	failed     atomic.Int64
	skipped    atomic.Int64
	busy       atomic.Int64
	busyUntil  atomic.Int64
	deferred   atomic.Int64
	leaseLost  atomic.Int64
	mu         sync.Mutex
	firstLeft  int    // lowest page index with work left undone; -1 none
	leftCursor string // start cursor of page firstLeft
	// pages holds the start cursor and outstanding jobs of each page still
	// being worked, so memory stays flat however long the shard is.
	pages map[int]*pageState
}

type pageState struct {
	cursor      string
	outstanding int
	fed         bool
}

// Run works one batch until it is done, the deadline nears, or a stop error.
// It returns the named errors SendingPaused, DailyQuotaExceeded and
// SendConfigInvalid unwrapped, with the Result so far.
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
	// Claims stop two send timeouts before the deadline: one for the last
	// send, one for its complete, so both land inside the lease.
	r := &run{p: p, b: b, lease: deadline, stopClaim: deadline.Add(-2 * p.SendTimeout), stop: make(chan struct{}), firstLeft: -1, pages: map[int]*pageState{}}
	jobs := make(chan job, p.Pacing.Workers)
	var wg sync.WaitGroup
	for range p.Pacing.Workers {
		wg.Go(func() {
			for j := range jobs {
				r.work(ctx, j)
				r.done(j.page)
			}
		})
	}
	more, err := r.produce(ctx, jobs)
	close(jobs)
	wg.Wait()
	if err != nil {
		r.halt(err)
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

// produce feeds the workers, page by page, until the shard ends or the run
// stops. It reports whether pages were left unread.
func (r *run) produce(ctx context.Context, jobs chan<- job) (more bool, err error) {
	if r.b.UserIDs != nil {
		r.open(0, r.b.Cursor)
		defer r.fed(0)
		for _, id := range r.b.UserIDs {
			s := casetable.Subject{CaseID: r.b.CaseID, UserID: id, Shard: r.b.Shard, Status: casetable.StatusPending}
			if !r.feed(ctx, jobs, job{s: s, byID: true}) {
				return false, nil
			}
		}
		return false, nil
	}
	cursor := r.b.Cursor
	for page := 0; ; page++ {
		r.open(page, cursor)
		if r.stopping() {
			r.left(page)
			r.fed(page)
			return true, nil
		}
		pg, err := r.p.Ledger.Unsent(ctx, r.b.CaseID, r.b.Shard, cursor, r.p.PageSize)
		if err != nil {
			r.left(page)
			r.fed(page)
			return true, fmt.Errorf("send shard %d: %w", r.b.Shard, err)
		}
		for _, s := range pg.Subjects {
			if !r.feed(ctx, jobs, job{s: s, page: page}) {
				r.fed(page)
				return pg.Next != "", nil
			}
		}
		r.fed(page)
		if pg.Next == "" {
			return false, nil
		}
		cursor = pg.Next
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
		r.leftCursor = r.pages[page].cursor
	}
}

func (r *run) stopping() bool {
	select {
	case <-r.stop:
		return true
	default:
		return !r.p.Now().Before(r.stopClaim)
	}
}

// halt stops the run; the first error given is the one Run returns.
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
		Busy: int(r.busy.Load()), BusyUntil: r.busyUntil.Load(), Deferred: int(r.deferred.Load()),
		LeaseLost: int(r.leaseLost.Load()),
	}
	if r.firstLeft >= 0 {
		// Going back to the start of the first unfinished page is safe:
		// what was finished there is filtered out on the next read.
		res.NextCursor = r.leftCursor
		if r.b.UserIDs != nil {
			res.NextCursor = ""
		}
		return res
	}
	res.Done = !more && res.Busy == 0
	return res
}

// alarm logs the stop and writes a CloudWatch embedded-metric line that the
// SendingPaused alarm watches.
func (p *Pipeline) alarm(caseID, reason string) {
	p.Log.Error("SES sending paused: send stage stopped", "case_id", caseID, "reason", reason)
	fmt.Fprintf(p.Metrics, `{"_aws":{"Timestamp":%d,"CloudWatchMetrics":[{"Namespace":"breachflow","Dimensions":[["Stage"]],"Metrics":[{"Name":"SendingPaused","Unit":"Count"}]}]},"Stage":"send","case_id":%q,"SendingPaused":1}`+"\n",
		p.Now().UnixMilli(), caseID)
}
