// Command sms benchmarks breachflow's SMS send pipeline on this machine,
// beside bench/send, against the local stack it starts itself (dynalite for
// the ledger, the local End User Messaging SMS endpoint of package
// localsms, on free ports of 127.0.0.1):
//
//  1. throughput: the pipeline (lease, page read, number check, the
//     person's notice link issued and stored as the send stage issues it
//     (posting.Links, a page at a time), text, SendTextMessage, record)
//     with no rate limit, as a ratio to the raw
//     SendTextMessage rate of the same endpoint measured before and after
//     each round in the same run (goal: at least 80 %);
//  2. pacing: the pipeline at a configured rate over a window of texts:
//     the achieved rate (goal: within 5 %) and the most texts in any
//     one-second window (goal: never above the rate).
//
// Raw and pipeline rounds each run at every concurrency of -workers, and
// each side is judged by its best concurrency's median: on a shared
// two-core machine more goroutines can be slower, and neither side should
// be held to a concurrency that suits the other.
//
// Usage: go run ./bench/sms [-people 3000] [-rounds 5] [-workers 16,64] [-rate 100] [-rate-sends 1500] [-json]
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/pinpointsmsvoicev2"
	smstypes "github.com/aws/aws-sdk-go-v2/service/pinpointsmsvoicev2/types"

	"breachflow/internal/awsenv"
	"breachflow/internal/casetable"
	"breachflow/internal/delivery"
	"breachflow/internal/draft"
	"breachflow/internal/ledger"
	"breachflow/internal/local/emulators"
	"breachflow/internal/local/localsms"
	"breachflow/internal/posting"
	"breachflow/internal/sms"
	"breachflow/internal/usertable"
)

// Results is what the benchmark reports.
type Results struct {
	People int `json:"people"`
	// Workers are the concurrencies both sides run at.
	Workers []int `json:"workers"`
	// PipelineBy is the pipeline's rate at each of Workers, each round;
	// PipelineBest the concurrency with the best median, and Pipelines
	// its rates.
	PipelineBy   [][]float64 `json:"pipeline_texts_per_s_by_workers"`
	PipelineBest int         `json:"pipeline_best_workers"`
	// RawBy is the raw SendTextMessage rate at each of Workers, before
	// the first round and after each; RawBest the concurrency with the
	// best median, and Raw its rates.
	RawBy     [][]float64 `json:"raw_texts_per_s_by_workers"`
	RawBest   int         `json:"raw_best_workers"`
	Raw       []float64   `json:"raw_texts_per_s"`
	Pipelines []float64   `json:"pipeline_texts_per_s"`
	Ratios    []float64   `json:"pipeline_to_raw_ratios"`
	// Ratio is the median round's.
	Ratio float64 `json:"pipeline_to_raw_ratio"`
	// Verified: every round's texts reached the endpoint, one per person,
	// the ledger holds a record for each, and a sample of their links
	// resolves to the person each went to.
	Verified bool   `json:"pipeline_verified"`
	Paced    *Paced `json:"paced,omitempty"`
	// RawCPU and PipelineCPU are the CPU each process spent per text, in
	// ms: dynalite's (the ledger) and this process's (the SDK, the
	// pipeline and the in-process SMS endpoint).
	RawCPU      CPU `json:"raw_cpu_per_text"`
	PipelineCPU CPU `json:"pipeline_cpu_per_text"`
	// CPURatio is raw's CPU per text over the pipeline's, all processes:
	// the rate ratio a machine whose cores are the limit would show, free
	// of the load other processes put on a shared machine between rounds.
	CPURatio float64 `json:"cpu_ratio"`
	// Floor is what the ledger cannot do without for each text, measured
	// on its own in the same run; Ceiling the ratio by CPU that leaves the
	// pipeline: raw's CPU per text over raw's plus the floor's, as if
	// the pipeline did nothing else.
	Floor   *Floor  `json:"ledger_floor,omitempty"`
	Ceiling float64 `json:"cpu_ceiling,omitempty"`
	// GCPercent is the garbage collector's setting for every phase: the
	// send function's (delivery.GCPercent), unless GOGC is set.
	GCPercent int `json:"gc_percent"`
}

// Floor is the ledger work every text needs whatever the pipeline does
// around it, in CPU ms per text (dynalite's and this process's): reading
// the person once (a page of the shard, with the SMS channel's
// projection, and the page's send records), issuing the link the text
// carries (a page's links in one write, posting.Links.LinkAll) and
// recording the send (one write of ledger.MaxRecordBatch records).
type Floor struct {
	Read   CPU `json:"read"`
	Link   CPU `json:"link"`
	Record CPU `json:"record"`
}

// CPU is CPU time per text, in milliseconds.
type CPU struct {
	DynamoDB float64 `json:"dynalite_ms"`
	Go       float64 `json:"go_ms"`
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
	st, _ := strconv.Atoi(f[12])
	return float64(u+st) / 100 // USER_HZ
}

func selfCPU() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// Paced is the paced run's measurement.
type Paced struct {
	Configured  float64 `json:"configured_per_s"`
	Workers     int     `json:"workers"`
	Texts       int     `json:"texts"`
	Achieved    float64 `json:"achieved_per_s"`
	Deviation   float64 `json:"deviation"`
	MaxInOneSec int     `json:"max_texts_in_any_1s_window"`
	// Throttled counts the endpoint's ThrottlingExceptions (it enforces the
	// rate per second, in parts); Accepted the texts it took.
	Throttled    int  `json:"throttled"`
	Accepted     int  `json:"accepted"`
	NeverAbove   bool `json:"never_above"`
	WithinFivePc bool `json:"within_5_percent"`
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench/sms:", err)
		os.Exit(1)
	}
}

func run() error {
	people := flag.Int("people", 3000, "people in each throughput round")
	rounds := flag.Int("rounds", 5, "pipeline rounds, each between two raw rounds")
	workers := flag.String("workers", "16,64", "concurrencies of the raw and the pipeline rounds; each side keeps its best")
	rate := flag.Float64("rate", 100, "configured rate of the paced phase, texts per second (0 skips it)")
	rateSends := flag.Int("rate-sends", 1500, "texts in the paced phase")
	asJSON := flag.Bool("json", false, "print JSON")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of this process to the file")
	blockProfile := flag.String("blockprofile", "", "write a profile of where this process's goroutines wait to the file")
	flag.Parse()
	gc := sendGC()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if *blockProfile != "" {
		runtime.SetBlockProfileRate(int(time.Microsecond))
		defer func() {
			if f, err := os.Create(*blockProfile); err == nil {
				pprof.Lookup("block").WriteTo(f, 0)
				f.Close()
			}
		}()
	}
	ctx := context.Background()
	res := Results{People: *people, GCPercent: gc}
	for _, f := range strings.Split(*workers, ",") {
		w, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || w < 1 {
			return fmt.Errorf("-workers %q: want a list of positive counts", *workers)
		}
		res.Workers = append(res.Workers, w)
	}
	b, err := start(ctx)
	if err != nil {
		return err
	}
	defer b.stack.Close()
	if *people > 0 {
		if err := b.throughput(ctx, &res, max(*rounds, 1)); err != nil {
			return err
		}
	}
	if *rate > 0 {
		if res.Paced, err = b.paced(ctx, *rate, *rateSends); err != nil {
			return err
		}
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	print(res)
	return nil
}

// sendGC runs this process's garbage collector as the send function's runs
// in Lambda (delivery.GCPercent), unless GOGC says otherwise; raw and
// pipeline rounds alike.
func sendGC() int {
	if v, ok := os.LookupEnv("GOGC"); ok {
		n, _ := strconv.Atoi(v)
		return n
	}
	debug.SetGCPercent(delivery.GCPercent)
	return delivery.GCPercent
}

type bench struct {
	cfg    aws.Config
	stack  *emulators.Stack
	db     *dynamodb.Client
	client *pinpointsmsvoicev2.Client
	table  string
}

const configSet = "breachflow"

func start(ctx context.Context) (*bench, error) {
	stack, err := emulators.Start(ctx, emulators.Options{SMSConfigurationSets: []string{configSet}})
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
	b := &bench{cfg: cfg, stack: stack, db: dynamodb.NewFromConfig(cfg), client: sms.NewClient(cfg), table: "bench-sms"}
	if err := casetable.CreateTable(ctx, b.db, b.table); err != nil {
		stack.Close()
		return nil, err
	}
	// The raw rounds' one prepared text (their input) links into a case
	// of its own.
	if err := b.post(ctx, "raw"); err != nil {
		stack.Close()
		return nil, err
	}
	return b, nil
}

// site is the posted notice's address the links point to.
const site = "https://notice.example.com"

// links are the send stage's notice links (internal/functions): tokens
// issued and stored in the case table, which resolve to their person.
func (b *bench) links() *posting.Links {
	return &posting.Links{DB: b.db, Table: b.table, BaseURL: site}
}

// post publishes caseID's substitute notice to the stack's S3 and records
// its posting period, as the publish stage does before any text is sent:
// links are issued against it.
func (b *bench) post(ctx context.Context, caseID string) error {
	pub := &posting.Publisher{S3: b.stack.S3Client(), Store: posting.Store{DB: b.db, Table: b.table}, Bucket: emulators.NoticeBucket, BaseURL: site}
	d := draft.Draft{ID: "substitute-ko", Kind: draft.KindSubstitute, Locale: "ko", HTML: "<!doctype html><title>benchmark notice</title>"}
	if _, err := pub.Publish(ctx, caseID, "bench", []draft.Draft{d}, posting.Period{Days: 30}); err != nil {
		return fmt.Errorf("post %s: %w", caseID, err)
	}
	return nil
}

func (b *bench) channel(client sms.Sender) *sms.Channel {
	senders, err := sms.ParseSenders([]string{"KR=0215881234"})
	if err != nil {
		panic(err)
	}
	return &sms.Channel{Client: client, Senders: senders, Org: "카카오페이", ConfigurationSet: configSet, Links: b.links()}
}

func (b *bench) pipeline(client sms.Sender, pacing delivery.Pacing) *delivery.Pipeline {
	return &delivery.Pipeline{Ledger: &ledger.Ledger{DB: b.db, Table: b.table}, Channel: b.channel(client), Pacing: pacing}
}

func person(caseID string, i int) casetable.Subject {
	id := fmt.Sprintf("u%09d", i)
	return casetable.Subject{
		PK: casetable.SubjectPK(caseID, 0), SK: casetable.SubjectSK(id), CaseID: caseID, UserID: id,
		Phone: fmt.Sprintf("010-%04d-%04d", 1000+i/10000, i%10000), Locale: "ko", Jurisdiction: "KR",
		Categories: []string{"name", "credit_information"}, Status: casetable.StatusPending,
	}
}

func (b *bench) seed(ctx context.Context, caseID string, n int) error {
	if err := b.post(ctx, caseID); err != nil {
		return err
	}
	items := make([]map[string]types.AttributeValue, n)
	for i := range items {
		item, err := attributevalue.MarshalMap(person(caseID, i))
		if err != nil {
			return err
		}
		items[i] = item
	}
	if err := usertable.WriteAll(ctx, b.db, b.table, items); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	return nil
}

func drain(ctx context.Context, p *delivery.Pipeline, caseID string) (int, error) {
	batch := delivery.Batch{CaseID: caseID}
	sent := 0
	for {
		res, err := p.Run(ctx, batch)
		if err != nil {
			return sent, err
		}
		sent += res.Sent
		if res.Done {
			return sent, nil
		}
		batch.Cursor = res.NextCursor
	}
}

// raw sends n texts straight to the endpoint from workers goroutines, the
// same call the pipeline makes (Prepare's for one person, with the
// destination varied), and returns the rate.
func (b *bench) raw(ctx context.Context, n, workers int) (float64, error) {
	s := person("raw", 1)
	var in *pinpointsmsvoicev2.SendTextMessageInput
	capture := sendFunc(func(_ context.Context, i *pinpointsmsvoicev2.SendTextMessageInput, _ ...func(*pinpointsmsvoicev2.Options)) (*pinpointsmsvoicev2.SendTextMessageOutput, error) {
		in = i
		return &pinpointsmsvoicev2.SendTextMessageOutput{}, nil
	})
	send, err := b.channel(capture).Prepare(ctx, &s)
	if err != nil {
		return 0, err
	}
	if _, err := send(ctx); err != nil {
		return 0, err
	}
	var next atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	begin := time.Now()
	for range workers {
		wg.Go(func() {
			for i := next.Add(1); i <= int64(n); i = next.Add(1) {
				c := *in
				c.DestinationPhoneNumber = aws.String(fmt.Sprintf("+8210%08d", 50_000_000+i))
				if _, err := b.client.SendTextMessage(ctx, &c); err != nil {
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
	return float64(n) / time.Since(begin).Seconds(), nil
}

// throughput alternates raw rounds and pipeline rounds, raw first and
// last, each pipeline round on a fresh case seeded before any round runs;
// a round's ratio is its rate over the mean of the best raw concurrency's
// rates either side of it, and the result is the median round's.
func (b *bench) throughput(ctx context.Context, res *Results, rounds int) error {
	if err := b.seed(ctx, "warm", res.People); err != nil {
		return err
	}
	for r := range rounds {
		for _, w := range res.Workers {
			if err := b.seed(ctx, fmt.Sprintf("thru%d-%d", r, w), res.People); err != nil {
				return err
			}
		}
	}
	if _, err := drain(ctx, b.pipeline(b.client, delivery.Pacing{Workers: res.Workers[0]}), "warm"); err != nil {
		return err
	}
	dynalite := b.stack.PIDs()[0]
	var rawCPU, pipeCPU [2]float64
	var rawTexts int
	measure := func(sum *[2]float64, f func() error) error {
		d0, g0 := procCPU(dynalite), selfCPU()
		err := f()
		sum[0] += procCPU(dynalite) - d0
		sum[1] += selfCPU() - g0
		return err
	}
	res.RawBy = make([][]float64, len(res.Workers))
	res.PipelineBy = make([][]float64, len(res.Workers))
	rawRound := func() error {
		for i, w := range res.Workers {
			var r float64
			if err := measure(&rawCPU, func() (err error) { r, err = b.raw(ctx, res.People, w); return err }); err != nil {
				return err
			}
			rawTexts += res.People
			res.RawBy[i] = append(res.RawBy[i], r)
		}
		return nil
	}
	if err := rawRound(); err != nil {
		return err
	}
	res.Verified = true
	srv := b.stack.SMSServer
	for r := range rounds {
		for i, w := range res.Workers {
			caseID := fmt.Sprintf("thru%d-%d", r, w)
			before := srv.Sent()
			begin := time.Now()
			var sent int
			if err := measure(&pipeCPU, func() (err error) {
				sent, err = drain(ctx, b.pipeline(b.client, delivery.Pacing{Workers: w}), caseID)
				return err
			}); err != nil {
				return err
			}
			res.PipelineBy[i] = append(res.PipelineBy[i], float64(sent)/time.Since(begin).Seconds())
			records := 0
			if err := (&ledger.Ledger{DB: b.db, Table: b.table}).ChannelSends(ctx, caseID, 0, casetable.ChannelSMS, func(c ledger.ChannelSend) error {
				if c.MessageID != "" {
					records++
				}
				return nil
			}); err != nil {
				return err
			}
			// The endpoint keeps its latest messages only: this round's
			// are the last it accepted.
			msgs := srv.Messages()
			linked, err := b.linked(ctx, msgs[max(0, len(msgs)-(srv.Sent()-before)):], caseID)
			if err != nil {
				return err
			}
			res.Verified = res.Verified && sent == res.People && srv.Sent()-before == res.People && records == res.People && linked
		}
		if err := rawRound(); err != nil {
			return err
		}
	}
	bestOf := func(by [][]float64) int {
		best := 0
		for i := range by {
			if median(by[i]) > median(by[best]) {
				best = i
			}
		}
		return best
	}
	best := bestOf(res.RawBy)
	res.RawBest, res.Raw = res.Workers[best], res.RawBy[best]
	pbest := bestOf(res.PipelineBy)
	res.PipelineBest, res.Pipelines = res.Workers[pbest], res.PipelineBy[pbest]
	for r, p := range res.Pipelines {
		res.Ratios = append(res.Ratios, p/((res.Raw[r]+res.Raw[r+1])/2))
	}
	res.Ratio = median(res.Ratios)
	per := func(sum [2]float64, n int) CPU {
		return CPU{DynamoDB: sum[0] * 1000 / float64(n), Go: sum[1] * 1000 / float64(n)}
	}
	res.RawCPU, res.PipelineCPU = per(rawCPU, rawTexts), per(pipeCPU, rounds*len(res.Workers)*res.People)
	res.CPURatio = (res.RawCPU.DynamoDB + res.RawCPU.Go) / (res.PipelineCPU.DynamoDB + res.PipelineCPU.Go)
	floor, err := b.floor(ctx, res.People)
	if err != nil {
		return err
	}
	raw := res.RawCPU.DynamoDB + res.RawCPU.Go
	res.Floor = floor
	f := floor
	res.Ceiling = raw / (raw + f.Read.DynamoDB + f.Read.Go + f.Link.DynamoDB + f.Link.Go + f.Record.DynamoDB + f.Record.Go)
	return nil
}

// floor measures the ledger work each text needs (Floor) on a case of n
// people seeded for it: every page read as the SMS pipeline reads it, and
// a record of every person written in full batches, each timed on its own.
func (b *bench) floor(ctx context.Context, n int) (*Floor, error) {
	const caseID = "floor"
	if err := b.seed(ctx, caseID, n); err != nil {
		return nil, err
	}
	l := &ledger.Ledger{DB: b.db, Table: b.table}
	now := time.Now()
	lease, err := l.LeaseChannel(ctx, casetable.ChannelSMS, caseID, 0, now, now.Add(time.Hour))
	if err != nil {
		return nil, err
	}
	dynalite := b.stack.PIDs()[0]
	per := func(f func() error) (CPU, error) {
		d0, g0 := procCPU(dynalite), selfCPU()
		err := f()
		return CPU{DynamoDB: (procCPU(dynalite) - d0) * 1000 / float64(n), Go: (selfCPU() - g0) * 1000 / float64(n)}, err
	}
	var fl Floor
	var pages []ledger.Page
	attrs := b.channel(nil).Attributes()
	if fl.Read, err = per(func() error {
		for cursor := ""; ; {
			p, err := l.Unsent(ctx, lease, cursor, attrs...)
			if err != nil {
				return err
			}
			pages = append(pages, p)
			if cursor = p.Next; cursor == "" {
				return nil
			}
		}
	}); err != nil {
		return nil, fmt.Errorf("floor: read: %w", err)
	}
	if fl.Link, err = per(func() error {
		for _, p := range pages {
			users := make([]string, len(p.Subjects))
			for i, s := range p.Subjects {
				users[i] = s.UserID
			}
			if _, err := b.links().LinkAll(ctx, caseID, 0, users); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("floor: links: %w", err)
	}
	var sends []ledger.Send
	for _, p := range pages {
		for _, s := range p.Subjects {
			sends = append(sends, ledger.Send{Page: p.Start, UserID: s.UserID, MessageID: "00000000-0000-0000-0000-000000000000", SentAt: now})
		}
	}
	if len(sends) != n {
		return nil, fmt.Errorf("floor: read %d people of %d", len(sends), n)
	}
	batch := 0
	if fl.Record, err = per(func() error {
		for part := range slices.Chunk(sends, ledger.MaxRecordBatch) {
			if err := l.RecordSends(ctx, lease, batch, part); err != nil {
				return err
			}
			batch++
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("floor: record: %w", err)
	}
	return &fl, l.ReleaseLease(ctx, lease, time.Now())
}

// linked reports whether the texts sent for caseID carry working links:
// a sample of them (every 50th and the last) resolves to the person the
// text went to.
func (b *bench) linked(ctx context.Context, msgs []localsms.Message, caseID string) (bool, error) {
	for i, m := range msgs {
		if i%50 != 0 && i != len(msgs)-1 {
			continue
		}
		_, tok, ok := strings.Cut(m.Body, site+posting.LinkPath)
		if !ok {
			return false, nil
		}
		k, err := b.links().Resolve(ctx, tok)
		if errors.Is(err, posting.ErrLinkNotFound) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		if k.CaseID != caseID || k.UserID != m.Context[sms.ContextUser] {
			return false, nil
		}
	}
	return len(msgs) > 0, nil
}

// paced runs the pipeline at rate over n people and times every call.
func (b *bench) paced(ctx context.Context, rate float64, n int) (*Paced, error) {
	if err := b.seed(ctx, "paced", n); err != nil {
		return nil, err
	}
	// An endpoint of its own that enforces the rate in message parts a
	// second, as the service does: a pacer that let a second go over would
	// be throttled there, and Throttled counts it.
	limited, err := localsms.Start(localsms.Options{Addr: "127.0.0.1:0", MPS: rate, ConfigurationSets: []string{configSet}})
	if err != nil {
		return nil, err
	}
	defer limited.Close()
	client := sms.NewClient(b.cfg, func(o *pinpointsmsvoicev2.Options) { o.BaseEndpoint = aws.String(limited.Endpoint) })
	// Size the workers as the send function does, from this machine's
	// latency: a person costs a send and a share of the page read and the
	// record write, about three sends' worth here.
	lat, err := b.latency(ctx)
	if err != nil {
		return nil, err
	}
	pacing := delivery.DerivePacing(rate, 1, max(250*time.Millisecond, 3*lat))
	times := make([]time.Time, n+16)
	var idx, throttled atomic.Int64
	rec := sendFunc(func(ctx context.Context, in *pinpointsmsvoicev2.SendTextMessageInput, opts ...func(*pinpointsmsvoicev2.Options)) (*pinpointsmsvoicev2.SendTextMessageOutput, error) {
		if i := idx.Add(1) - 1; int(i) < len(times) {
			times[i] = time.Now()
		}
		out, err := client.SendTextMessage(ctx, in, opts...)
		if _, ok := errors.AsType[*smstypes.ThrottlingException](err); ok {
			throttled.Add(1)
		}
		return out, err
	})
	if _, err := drain(ctx, b.pipeline(rec, pacing), "paced"); err != nil {
		return nil, err
	}
	k := min(int(idx.Load()), len(times))
	ts := slices.Clone(times[:k])
	slices.SortFunc(ts, func(a, b time.Time) int { return a.Compare(b) })
	p := &Paced{Configured: rate, Workers: pacing.Workers, Texts: k, Throttled: int(throttled.Load()), Accepted: limited.Sent()}
	if k > 1 {
		p.Achieved = float64(k-1) / ts[k-1].Sub(ts[0]).Seconds()
	}
	for i, j := 0, 0; i < k; i++ {
		for j < k && ts[j].Sub(ts[i]) < time.Second {
			j++
		}
		p.MaxInOneSec = max(p.MaxInOneSec, j-i)
	}
	p.Deviation = (p.Achieved - rate) / rate
	p.WithinFivePc = p.Deviation > -0.05 && p.Deviation < 0.05
	p.NeverAbove = p.Achieved <= rate && float64(p.MaxInOneSec) <= rate && p.Throttled == 0
	return p, nil
}

// latency is the mean of 50 sequential SendTextMessage calls to the
// stack's (unlimited) endpoint.
func (b *bench) latency(ctx context.Context) (time.Duration, error) {
	in := &pinpointsmsvoicev2.SendTextMessageInput{DestinationPhoneNumber: aws.String("+821099999999"),
		OriginationIdentity: aws.String("0215881234"), MessageBody: aws.String("latency probe")}
	begin := time.Now()
	for range 50 {
		if _, err := b.client.SendTextMessage(ctx, in); err != nil {
			return 0, err
		}
	}
	return time.Since(begin) / 50, nil
}

type sendFunc func(ctx context.Context, in *pinpointsmsvoicev2.SendTextMessageInput, opts ...func(*pinpointsmsvoicev2.Options)) (*pinpointsmsvoicev2.SendTextMessageOutput, error)

func (f sendFunc) SendTextMessage(ctx context.Context, in *pinpointsmsvoicev2.SendTextMessageInput, opts ...func(*pinpointsmsvoicev2.Options)) (*pinpointsmsvoicev2.SendTextMessageOutput, error) {
	return f(ctx, in, opts...)
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

func print(r Results) {
	fmt.Printf("garbage collector: GOGC %d (the send function's)\n", r.GCPercent)
	if len(r.Pipelines) > 0 {
		fmt.Printf("SMS throughput (%d people a round; each side at its best concurrency of %v: raw %d, pipeline %d; dynalite and the local SMS endpoint)\n", r.People, r.Workers, r.RawBest, r.PipelineBest)
		for i, w := range r.Workers {
			fmt.Printf("  at %2d workers: raw median %5.0f/s over %d measurements, pipeline median %5.0f/s over %d\n", w, median(r.RawBy[i]), len(r.RawBy[i]), median(r.PipelineBy[i]), len(r.PipelineBy[i]))
		}
		for i, p := range r.Pipelines {
			fmt.Printf("  round %d: raw %5.0f/s, pipeline %5.0f/s, raw %5.0f/s: %3.0f %%\n", i+1, r.Raw[i], p, r.Raw[i+1], 100*r.Ratios[i])
		}
		fmt.Printf("  SMS pipeline = %.0f %% of raw SendTextMessage, median round (goal >= 80 %%); one text, one record and a working link per person: %v\n", 100*r.Ratio, r.Verified)
		fmt.Printf("  CPU per text, raw:      dynalite %.3f ms, Go %.3f ms (SDK and the in-process endpoint)\n", r.RawCPU.DynamoDB, r.RawCPU.Go)
		fmt.Printf("  CPU per text, pipeline: dynalite %.3f ms, Go %.3f ms\n", r.PipelineCPU.DynamoDB, r.PipelineCPU.Go)
		fmt.Printf("  by CPU per text, the pipeline can reach %.0f %% of raw where the cores are the limit (the ledger's dynalite reads and writes are the difference)\n", 100*r.CPURatio)
		if f := r.Floor; f != nil {
			fmt.Printf("  ledger floor per text, each measured alone (dynalite, Go): reading the person %.3f, %.3f ms; issuing their link %.3f, %.3f ms; recording the send (%d a write) %.3f, %.3f ms\n",
				f.Read.DynamoDB, f.Read.Go, f.Link.DynamoDB, f.Link.Go, ledger.MaxRecordBatch, f.Record.DynamoDB, f.Record.Go)
			fmt.Printf("  so a pipeline that did nothing but send, read, link and record could reach %.0f %% of raw by CPU on this machine\n", 100*r.Ceiling)
		}
	}
	if p := r.Paced; p != nil {
		fmt.Printf("SMS pacing (%d texts, %d workers, dynalite ledger)\n", p.Texts, p.Workers)
		fmt.Printf("  configured %.1f/s, achieved %.2f/s (%+.2f %%), most in any 1 s window %d, throttled by the endpoint (MPS %.0f) %d times, %d texts accepted: within 5 %% %v, never above %v\n",
			p.Configured, p.Achieved, 100*p.Deviation, p.MaxInOneSec, p.Configured, p.Throttled, p.Accepted, p.WithinFivePc, p.NeverAbove)
	}
}
