package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"breachflow/internal/awsenv"
	"breachflow/internal/casetable"
	"breachflow/internal/delivery"
	"breachflow/internal/ledger"
	"breachflow/internal/local/emulators"
	"breachflow/internal/usertable"
)

// benchStack is the running local stack and its clients.
type benchStack struct {
	stack   *emulators.Stack
	db      *dynamodb.Client
	ses     *sesv2.Client
	mailbox emulators.Mailbox
	table   string
}

func startEmulators(ctx context.Context) (*benchStack, error) {
	stack, err := emulators.Start(ctx, emulators.Options{})
	if err != nil {
		return nil, err
	}
	for _, kv := range stack.Env() {
		k, v, _ := strings.Cut(kv, "=")
		os.Setenv(k, v)
	}
	cfg, err := awsenv.Load(ctx)
	if err != nil {
		stack.Close()
		return nil, err
	}
	e := &benchStack{stack: stack, db: dynamodb.NewFromConfig(cfg), ses: delivery.NewSESClient(cfg),
		mailbox: emulators.Mailbox{URL: stack.SES}, table: "bench-cases"}
	if err := casetable.CreateTable(ctx, e.db, e.table); err != nil {
		stack.Close()
		return nil, err
	}
	return e, nil
}

func (e *benchStack) close() { e.stack.Close() }

// throughput alternates raw SendEmail and the pipeline on dynalite, rounds
// times, raw first and last, each pipeline round on a fresh case; a raw
// round sends at each raw concurrency, and the concurrency with the best
// median rate is the one compared with; a round's ratio is its pipeline rate
// over the mean of that concurrency's raw rates either side of it, so a burst
// of load from elsewhere on the machine skews one round, not the result (the
// median round). Then the pipeline on a synthetic (free)
// ledger once. CPU per notice is summed over all rounds.
func (e *benchStack) throughput(ctx context.Context, res *Results, rounds int) error {
	// The emulators run on Node, whose JIT needs a few thousand calls of a
	// kind before they run at speed: warm both with two rounds' worth of
	// the pipeline, then the SES emulator with as many raw sends.
	if err := e.seed(ctx, "warm", 2*res.People); err != nil {
		return err
	}
	// Every round's people are written before any round runs, as scoping
	// writes them long before the send stage reads them, so no round starts
	// on the heels of a seed.
	for round := range rounds {
		if err := e.seed(ctx, fmt.Sprintf("thru%d", round), res.People); err != nil {
			return err
		}
	}
	if _, err := drain(ctx, e.pipeline(delivery.Pacing{Workers: res.Workers}, e.ses), "warm", 0); err != nil {
		return err
	}
	for _, w := range res.RawWorkers {
		if _, err := e.raw(ctx, 3*res.People/2, w); err != nil {
			return err
		}
	}
	pids := e.stack.PIDs() // dynalite, then the SES emulator
	cpu := func() [3]float64 { return [3]float64{procCPU(pids[0]), procCPU(pids[1]), selfCPU()} }
	var rawCPU, pipeCPU [3]float64
	add := func(sum *[3]float64, a, b [3]float64) {
		for i := range sum {
			sum[i] += b[i] - a[i]
		}
	}
	// A raw round sends at each raw concurrency. The pipeline is compared
	// with the concurrency the emulator took most at, judged by its median
	// over the run (bestRaw), not with the better of two noisy rates at each
	// gap: the larger of two samples overstates the rate by the noise.
	res.RawBy = make([][]float64, len(res.RawWorkers))
	rawRound := func() error {
		for i, w := range res.RawWorkers {
			c0 := cpu()
			r, err := e.raw(ctx, res.People, w)
			add(&rawCPU, c0, cpu())
			if err != nil {
				return err
			}
			res.RawBy[i] = append(res.RawBy[i], r)
		}
		return nil
	}
	if err := rawRound(); err != nil {
		return err
	}
	res.PipelineVerified = true
	counted := &countingDB{DB: e.db}
	for round := range rounds {
		caseID := fmt.Sprintf("thru%d", round)
		if err := e.mailbox.Clear(ctx); err != nil {
			return err
		}
		c0 := cpu()
		start := time.Now()
		pl := e.pipeline(delivery.Pacing{Workers: res.Workers}, e.ses)
		pl.Ledger.DB = counted
		sent, err := drain(ctx, pl, caseID, 0)
		if err != nil {
			return err
		}
		res.Pipelines = append(res.Pipelines, float64(sent)/time.Since(start).Seconds())
		add(&pipeCPU, c0, cpu())
		msgs, err := e.mailbox.Messages(ctx, time.Time{})
		if err != nil {
			return err
		}
		res.PipelineVerified = res.PipelineVerified && sent == res.People && len(msgs) == res.People
		if err := e.mailbox.Clear(ctx); err != nil {
			return err
		}
		if err := rawRound(); err != nil {
			return err
		}
	}
	res.RawCPU = perNotice(rawCPU, res.People*len(res.RawBy[0])*len(res.RawWorkers))
	res.bestRaw()
	res.PipelineCPU = perNotice(pipeCPU, res.People*rounds)
	res.Requests = counted.perThousand(res.People * rounds)
	costs, err := e.ledgerCosts(ctx, pids[0])
	if err != nil {
		return err
	}
	res.LedgerCosts = costs

	free := &delivery.Pipeline{Ledger: &ledger.Ledger{DB: &syntheticDB{n: res.People}, Table: "bench"}, SES: e.ses, Render: render,
		From: "privacy@example.com", Pacing: delivery.Pacing{Workers: res.Workers}}
	start := time.Now()
	sent, err := drain(ctx, free, "bench", 0)
	if err != nil {
		return err
	}
	res.PipelineFreeLedger = float64(sent) / time.Since(start).Seconds()
	if err := e.mailbox.Clear(ctx); err != nil {
		return err
	}
	if err := rawRound(); err != nil {
		return err
	}
	// The free ledger's raw rates are the rounds' concurrency's last two.
	after := res.RawBy[slices.Index(res.RawWorkers, res.RawBest)]
	res.RatioFreeLedger = res.PipelineFreeLedger / ((after[len(after)-2] + after[len(after)-1]) / 2)
	for i := range res.RawBy {
		res.RawBy[i] = res.RawBy[i][:len(res.RawBy[i])-1]
	}
	return e.mailbox.Clear(ctx)
}

// bestRawIndex is the raw concurrency with the highest median rate.
func (r *Results) bestRawIndex() int {
	best := 0
	for i := range r.RawBy {
		if median(r.RawBy[i]) > median(r.RawBy[best]) {
			best = i
		}
	}
	return best
}

// bestRaw sets Raw to the best raw concurrency's rates and each round's
// ratio to its pipeline rate over the mean of those either side of it.
func (r *Results) bestRaw() {
	i := r.bestRawIndex()
	r.RawBest = r.RawWorkers[i]
	r.Raw = slices.Clone(r.RawBy[i])
	r.Ratios = r.Ratios[:0]
	for round, p := range r.Pipelines {
		r.Ratios = append(r.Ratios, p/((r.Raw[round]+r.Raw[round+1])/2))
	}
	r.Ratio = median(r.Ratios)
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// CPU is the CPU time each process spent per notice, in milliseconds.
type CPU struct {
	DynamoDB float64 `json:"dynalite_ms"`
	SES      float64 `json:"ses_emulator_ms"`
	Go       float64 `json:"go_ms"`
}

func perNotice(sum [3]float64, n int) CPU {
	f := func(i int) float64 { return sum[i] / float64(n) * 1000 }
	return CPU{DynamoDB: f(0), SES: f(1), Go: f(2)}
}

// procCPU is a process's user+system CPU seconds, from /proc.
func procCPU(pid int) float64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b)[strings.LastIndex(string(b), ")")+2:])
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.Atoi(f[11])
	s, _ := strconv.Atoi(f[12])
	return float64(u+s) / 100 // USER_HZ
}

func selfCPU() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// raw sends n messages of the pipeline's size straight to the emulator
// from workers goroutines and returns the rate.
func (e *benchStack) raw(ctx context.Context, n, workers int) (float64, error) {
	m, err := render(benchPerson("raw", 1))
	if err != nil {
		return 0, err
	}
	p := e.pipeline(delivery.Pacing{Workers: workers}, e.ses)
	var next atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	start := time.Now()
	for range workers {
		wg.Go(func() {
			for i := next.Add(1); i <= int64(n); i = next.Add(1) {
				s := &casetable.Subject{CaseID: "raw", UserID: fmt.Sprintf("r%09d", i), Email: fmt.Sprintf("r%09d@example.org", i)}
				if _, err := e.ses.SendEmail(ctx, p.Input(s, m)); err != nil {
					once.Do(func() { firstErr = err })
					return
				}
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return 0, fmt.Errorf("raw send: %w", firstErr)
	}
	rate := float64(n) / time.Since(start).Seconds()
	return rate, e.mailbox.Clear(ctx)
}

// paced runs the pipeline at rate over sends people and measures the gaps.
func (e *benchStack) paced(ctx context.Context, rate float64, sends int, latency time.Duration, freeLedger bool) (*Paced, error) {
	caseID := "paced"
	var db ledger.DB = e.db
	if freeLedger {
		caseID, db = "bench", &syntheticDB{n: sends}
	} else if err := e.seed(ctx, caseID, sends); err != nil {
		return nil, err
	}
	// Size the workers as the send function does (SES_LATENCY_MS), from
	// this machine's latency: a person costs a send and a share of the
	// page read and record write, about three sends' worth here.
	lat, err := e.latency(ctx)
	if err != nil {
		return nil, err
	}
	pacing := delivery.DerivePacing(rate, 1, max(latency, 3*lat))
	times := make([]time.Time, sends+16)
	var idx atomic.Int64
	rec := sendFunc(func(ctx context.Context, in *sesv2.SendEmailInput, opts ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
		if i := idx.Add(1) - 1; int(i) < len(times) {
			times[i] = time.Now()
		}
		return e.ses.SendEmail(ctx, in, opts...)
	})
	pl := e.pipeline(pacing, rec)
	pl.Ledger = &ledger.Ledger{DB: db, Table: e.table}
	if _, err := drain(ctx, pl, caseID, 0); err != nil {
		return nil, err
	}
	n := min(int(idx.Load()), len(times))
	ts := slices.Clone(times[:n])
	slices.SortFunc(ts, func(a, b time.Time) int { return a.Compare(b) })
	p := &Paced{Configured: rate, Workers: pacing.Workers, Sends: n, FreeLedger: freeLedger}
	if n > 1 {
		p.Achieved = float64(n-1) / ts[n-1].Sub(ts[0]).Seconds()
	}
	// Most sends in any half-open one-second window [t, t+1s).
	for i, j := 0, 0; i < n; i++ {
		for j < n && ts[j].Sub(ts[i]) < time.Second {
			j++
		}
		p.MaxInOneSec = max(p.MaxInOneSec, j-i)
	}
	p.Deviation = (p.Achieved - rate) / rate
	p.WithinFivePc = p.Deviation > -0.05 && p.Deviation < 0.05
	p.NeverAbove = p.Achieved <= rate
	return p, e.mailbox.Clear(ctx)
}

// latency is the mean of 50 sequential SendEmail calls.
func (e *benchStack) latency(ctx context.Context) (time.Duration, error) {
	p := e.pipeline(delivery.Pacing{}, e.ses)
	s := benchPerson("lat", 1)
	m, err := render(s)
	if err != nil {
		return 0, err
	}
	start := time.Now()
	for range 50 {
		if _, err := e.ses.SendEmail(ctx, p.Input(s, m)); err != nil {
			return 0, err
		}
	}
	return time.Since(start) / 50, e.mailbox.Clear(ctx)
}

func (e *benchStack) pipeline(pacing delivery.Pacing, ses delivery.Sender) *delivery.Pipeline {
	return &delivery.Pipeline{
		Ledger: &ledger.Ledger{DB: e.db, Table: e.table},
		SES:    ses,
		Render: render,
		From:   "privacy@example.com",
		Pacing: pacing,
	}
}

// benchPerson is the i-th pending person of caseID on shard 0: a Korean
// customer of the sample case.
func benchPerson(caseID string, i int) *casetable.Subject {
	id := userID(i)
	return &casetable.Subject{
		PK: casetable.SubjectPK(caseID, 0), SK: casetable.SubjectSK(id), CaseID: caseID, UserID: id,
		Name: "고객 " + id, Email: caseID + "." + id + "@example.org", Locale: "ko", Jurisdiction: "KR",
		Categories: []string{"name", "credit_information"}, Status: casetable.StatusPending,
	}
}

// seed writes n pending people of caseID into shard 0.
func (e *benchStack) seed(ctx context.Context, caseID string, n int) error {
	items := make([]map[string]types.AttributeValue, n)
	for i := range items {
		item, err := attributevalue.MarshalMap(benchPerson(caseID, i))
		if err != nil {
			return err
		}
		items[i] = item
	}
	if err := usertable.WriteAll(ctx, e.db, e.table, items); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	return nil
}

type sendFunc func(ctx context.Context, in *sesv2.SendEmailInput, opts ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)

func (f sendFunc) SendEmail(ctx context.Context, in *sesv2.SendEmailInput, opts ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
	return f(ctx, in, opts...)
}

// LedgerCosts is the CPU one ledger operation costs, each process, in
// milliseconds: the parts the pipeline adds to a send.
type LedgerCosts struct {
	ReadDynamoDB  float64 `json:"subject_read_dynalite_ms"`
	ReadGo        float64 `json:"subject_read_go_ms"`
	WriteDynamoDB float64 `json:"record_write_dynalite_ms"`
	WriteGo       float64 `json:"record_write_go_ms"`
	WriteSends    int     `json:"sends_per_record_write"`
}

// ledgerCosts times the ledger's two per-notice operations one at a time
// on a quiet machine: reading a page of subjects (per subject) and writing
// one full batch of send records.
func (e *benchStack) ledgerCosts(ctx context.Context, dynalite int) (LedgerCosts, error) {
	const people, reads, writes = 2000, 16, 200
	if err := e.seed(ctx, "ops", people); err != nil {
		return LedgerCosts{}, err
	}
	led := &ledger.Ledger{DB: e.db, Table: e.table}
	now := time.Now()
	lease, err := led.LeaseShard(ctx, "ops", 0, now, now.Add(time.Hour))
	if err != nil {
		return LedgerCosts{}, err
	}
	defer led.ReleaseLease(context.WithoutCancel(ctx), lease, time.Now())
	var c LedgerCosts
	d0, g0, read := procCPU(dynalite), selfCPU(), 0
	cursor := ""
	for range reads {
		p, err := led.Unsent(ctx, lease, cursor)
		if err != nil {
			return LedgerCosts{}, err
		}
		read += len(p.Subjects)
		cursor = p.Next // after the last page, the first again
	}
	c.ReadDynamoDB = (procCPU(dynalite) - d0) * 1000 / float64(read)
	c.ReadGo = (selfCPU() - g0) * 1000 / float64(read)
	c.WriteSends = ledger.MaxRecordBatch
	sends := make([]ledger.Send, c.WriteSends)
	d0, g0 = procCPU(dynalite), selfCPU()
	for i := range writes {
		for k := range sends {
			sends[k] = ledger.Send{UserID: userID(i*c.WriteSends + k), Page: "ops", MessageID: fmt.Sprintf("0100019a-%08d-%02d-0000-000000000000-000000", i, k), SentAt: now}
		}
		if err := led.RecordSends(ctx, lease, i, sends); err != nil {
			return LedgerCosts{}, err
		}
	}
	c.WriteDynamoDB = (procCPU(dynalite) - d0) * 1000 / writes
	c.WriteGo = (selfCPU() - g0) * 1000 / writes
	return c, nil
}
