// Command send benchmarks breachflow's send stage on this machine, against
// the local emulators it starts itself (dynalite and aws-ses-v2-local, on
// free ports of 127.0.0.1):
//
//  1. throughput: the pipeline (lease, page read, render, send, record)
//     with no rate limit, as a ratio to the raw SendEmail rate of the same
//     emulator, measured before and after in the same run, and what the
//     ledger costs per notice;
//  2. pacing: the pipeline at a configured rate, over a window of sends: the
//     achieved rate and the most sends in any one-second window;
//  3. memory: peak RSS of a child process that runs the pipeline over 100k
//     and 1M people. These runs use an in-process synthetic table and an
//     SES stand-in that accepts at once: a million sends to the emulator
//     would take the shared machine a quarter of an hour and measure the
//     emulator's memory, not the pipeline's.
//
// Usage: go run ./bench/send [-people 2000] [-workers 64] [-rate 100] [-rate-sends 2000] [-rss 100000,1000000] [-json] [-cpuprofile FILE]
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"time"

	"breachflow/internal/casetable"
	"breachflow/internal/delivery"
	"breachflow/internal/draft"
	"breachflow/internal/email"
	"breachflow/internal/functions"
	"breachflow/internal/lambdamain"
	"breachflow/internal/ledger"
	"breachflow/internal/local/emulators"
	"breachflow/internal/local/sam"
	"breachflow/internal/notice"
	"breachflow/internal/report"
	"breachflow/internal/rules"
)

// Results is what the benchmark reports.
type Results struct {
	People  int `json:"people"`
	Workers int `json:"workers"`
	// RawWorkers are the concurrencies raw SendEmail is measured at.
	RawWorkers []int `json:"raw_workers"`
	// RawBy is the raw SendEmail rate at each of RawWorkers, before the
	// first round and after each.
	RawBy [][]float64 `json:"raw_sends_per_s_by_workers"`
	// RawBest is the raw concurrency with the best median rate, and Raw its
	// rates: what each round is compared with.
	RawBest int       `json:"raw_best_workers"`
	Raw     []float64 `json:"raw_sends_per_s"`
	// Pipelines is each round's pipeline rate; Ratios each round's ratio to
	// the raw rates either side of it.
	Pipelines []float64 `json:"pipeline_sends_per_s"`
	Ratios    []float64 `json:"pipeline_to_raw_ratios"`
	// Ratio is the median round's.
	Ratio            float64 `json:"pipeline_to_raw_ratio"`
	PipelineVerified bool    `json:"pipeline_mailbox_verified"`
	// PipelineFreeLedger is the pipeline with a synthetic ledger that
	// costs nothing: what the pipeline's own machinery reaches.
	PipelineFreeLedger float64 `json:"pipeline_free_ledger_sends_per_s"`
	RatioFreeLedger    float64 `json:"pipeline_free_ledger_to_raw_ratio"`
	RawCPU             CPU     `json:"raw_cpu_per_notice"`
	PipelineCPU        CPU     `json:"pipeline_cpu_per_notice"`
	// Requests are the pipeline's database calls per thousand notices.
	Requests Requests `json:"ledger_requests_per_1000_notices"`
	// LedgerCosts is the CPU of one subject read and one record write.
	LedgerCosts LedgerCosts `json:"ledger_costs"`
	Paced       []Paced     `json:"paced,omitempty"`
	RSS         []RSS       `json:"rss,omitempty"`
	// GC is the garbage collector every phase ran with: the send
	// function's (sendGC).
	GC lambdamain.GC `json:"gc"`
}

// Paced is the paced run's measurement.
type Paced struct {
	// FreeLedger: the run used the synthetic ledger, isolating the pacer
	// from the machine's database capacity.
	FreeLedger bool    `json:"free_ledger"`
	Configured float64 `json:"configured_per_s"`
	Workers    int     `json:"workers"`
	Sends      int     `json:"sends"`
	Achieved   float64 `json:"achieved_per_s"`
	Deviation  float64 `json:"deviation"`
	// MaxInOneSec is the most sends whose calls began in any one-second
	// window; scheduling delays on a busy machine can bunch a few calls.
	MaxInOneSec  int  `json:"max_sends_in_any_1s_window"`
	NeverAbove   bool `json:"never_above"`
	WithinFivePc bool `json:"within_5_percent"`
}

// RSS is one memory run.
type RSS struct {
	People  int     `json:"people"`
	Sent    int     `json:"sent"`
	Seconds float64 `json:"seconds"`
	PeakMB  float64 `json:"peak_rss_mb"`
	// PeakHeapMB is the most heap in use seen (sampled every 50 ms): what
	// the pipeline holds, without the garbage collector's slack.
	PeakHeapMB float64 `json:"peak_heap_inuse_mb"`
	// PeakLiveMB is the most heap the garbage collector found live after
	// any cycle: what the pipeline holds on to, without garbage not yet
	// collected. Flat means nothing is kept per person.
	PeakLiveMB float64 `json:"peak_live_heap_mb"`
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench/send:", err)
		os.Exit(1)
	}
}

func run() error {
	people := flag.Int("people", 2000, "people in the throughput phase")
	workers := flag.Int("workers", delivery.MaxWorkers, "the pipeline's workers (the send function runs 64 at any rate share above ~525/s: DerivePacing)")
	rawWorkers := flag.String("raw-workers", "16,64", "concurrencies of the raw SendEmail rounds; each round keeps the best")
	rounds := flag.Int("rounds", 9, "pipeline rounds of the throughput phase, each between two raw rounds")
	rate := flag.Float64("rate", 100, "configured rate of the paced phase (0 skips it)")
	rateSends := flag.Int("rate-sends", 2000, "sends in the paced phase's window")
	pacedLatency := flag.Duration("paced-latency", 250*time.Millisecond, "per-person latency the paced phase sizes its workers for (SES_LATENCY_MS in the function); a loaded machine needs more than AWS's 60 ms")
	rssSizes := flag.String("rss", "100000,1000000", "population sizes of the memory phase (empty skips it)")
	rssChild := flag.Int("rss-child", 0, "internal: run one memory measurement of this many people")
	asJSON := flag.Bool("json", false, "print JSON")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of this process to the file")
	flag.Parse()
	ctx := context.Background()
	gc, err := sendGC()
	if err != nil {
		return err
	}
	if *rssChild > 0 {
		return rssRun(ctx, *rssChild, *workers)
	}

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
	res := Results{People: *people, Workers: *workers, GC: gc}
	for _, f := range strings.Split(*rawWorkers, ",") {
		w, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || w < 1 {
			return fmt.Errorf("-raw-workers %q: want a list of positive counts", *rawWorkers)
		}
		res.RawWorkers = append(res.RawWorkers, w)
	}
	if *people > 0 || *rate > 0 {
		em, err := startEmulators(ctx)
		if err != nil {
			return err
		}
		defer em.close()
		if *people > 0 {
			if err := em.throughput(ctx, &res, max(*rounds, 1)); err != nil {
				return err
			}
		}
		if *rate > 0 {
			for _, free := range []bool{false, true} {
				p, err := em.paced(ctx, *rate, *rateSends, *pacedLatency, free)
				if err != nil {
					return err
				}
				res.Paced = append(res.Paced, *p)
			}
		}
	}
	for _, f := range strings.Split(*rssSizes, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil {
			return fmt.Errorf("-rss %q: %w", *rssSizes, err)
		}
		r, err := rssMeasure(n, *workers)
		if err != nil {
			return err
		}
		res.RSS = append(res.RSS, r)
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	printResults(res)
	return nil
}

// sendGC sets this process's garbage collector as the send function's is
// set in Lambda: functions.Send.GCPercent under a memory limit from the
// SendFunction's MemorySize in template.yaml. GOGC or GOMEMLIMIT in the
// environment win, as they do in Lambda (GOGC=100 measures Go's default).
func sendGC() (lambdamain.GC, error) {
	dir, err := emulators.Checkout()
	if err != nil {
		return lambdamain.GC{}, err
	}
	tpl, err := sam.Load(filepath.Join(dir, "template.yaml"))
	if err != nil {
		return lambdamain.GC{}, err
	}
	fns, err := tpl.Functions()
	if err != nil {
		return lambdamain.GC{}, err
	}
	mem := fns[functions.Send.LogicalID].MemorySize
	return lambdamain.TuneGC(functions.Send.GCPercent, func(k string) (string, bool) {
		if k == "AWS_LAMBDA_FUNCTION_MEMORY_SIZE" {
			return mem, mem != ""
		}
		return os.LookupEnv(k)
	})
}

func printResults(r Results) {
	env := ""
	if r.GC.FromEnv {
		env = ", from the environment"
	}
	fmt.Printf("garbage collector: GOGC %d, memory limit %.0f MB (the send function's in Lambda%s)\n", r.GC.Percent, float64(r.GC.MemoryLimit)/(1<<20), env)
	if len(r.Pipelines) > 0 {
		fmt.Printf("throughput (%d people a round; pipeline %d workers; raw at %d workers, the best median of %v; real emulators)\n", r.People, r.Workers, r.RawBest, r.RawWorkers)
		for i, w := range r.RawWorkers {
			fmt.Printf("  raw at %2d workers: median %5.0f/s over %d measurements\n", w, median(r.RawBy[i]), len(r.RawBy[i]))
		}
		for i, p := range r.Pipelines {
			fmt.Printf("  round %d: raw %5.0f/s, pipeline %5.0f/s, raw %5.0f/s: %3.0f %%\n", i+1, r.Raw[i], p, r.Raw[i+1], 100*r.Ratios[i])
		}
		fmt.Printf("  pipeline = %.0f %% of raw SendEmail, median round (goal >= 80 %%), mailbox verified: %v\n", 100*r.Ratio, r.PipelineVerified)
		fmt.Printf("  pipeline, free ledger %5.0f/s  = %.0f %% of raw (the pipeline's own cost, ledger writes excluded)\n", r.PipelineFreeLedger, 100*r.RatioFreeLedger)
		fmt.Printf("  CPU per notice, raw:      dynalite %.2f ms, SES emulator %.2f ms, Go %.2f ms\n", r.RawCPU.DynamoDB, r.RawCPU.SES, r.RawCPU.Go)
		fmt.Printf("  CPU per notice, pipeline: dynalite %.2f ms, SES emulator %.2f ms, Go %.2f ms\n", r.PipelineCPU.DynamoDB, r.PipelineCPU.SES, r.PipelineCPU.Go)
		fmt.Printf("  ledger requests per 1000 notices: %.1f queries, %.1f record writes, %.1f lease calls\n", r.Requests.Queries, r.Requests.Writes, r.Requests.Leases)
		c := r.LedgerCosts
		fmt.Printf("  ledger CPU, one at a time: a subject read dynalite %.3f ms + Go %.3f ms; a record write of %d sends dynalite %.2f ms + Go %.2f ms\n",
			c.ReadDynamoDB, c.ReadGo, c.WriteSends, c.WriteDynamoDB, c.WriteGo)
	}
	for _, p := range r.Paced {
		ledger := "dynalite ledger"
		if p.FreeLedger {
			ledger = "synthetic ledger, real SES emulator"
		}
		fmt.Printf("pacing (%d sends, %d workers, %s)\n", p.Sends, p.Workers, ledger)
		fmt.Printf("  configured %.1f/s, achieved %.2f/s (%+.2f %%), most in any 1 s window %d: within 5 %% %v, never above %v\n",
			p.Configured, p.Achieved, 100*p.Deviation, p.MaxInOneSec, p.WithinFivePc, p.NeverAbove)
	}
	if len(r.RSS) > 0 {
		fmt.Println("memory (synthetic table, instant SES; child process per size)")
		for _, m := range r.RSS {
			fmt.Printf("  %9d people: peak RSS %6.1f MB, peak heap in use %5.1f MB, peak live heap %5.1f MB, %d sent in %.1f s (%.0f/s)\n", m.People, m.PeakMB, m.PeakHeapMB, m.PeakLiveMB, m.Sent, m.Seconds, float64(m.Sent)/m.Seconds)
		}
	}
}

// rssMeasure runs one memory measurement in a child process, so each size
// starts from a fresh heap; the child reports its own peak RSS.
func rssMeasure(n, workers int) (RSS, error) {
	self, err := os.Executable()
	if err != nil {
		return RSS{}, err
	}
	cmd := exec.Command(self, "-rss-child", strconv.Itoa(n), "-workers", strconv.Itoa(workers))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return RSS{}, fmt.Errorf("memory run of %d: %w", n, err)
	}
	var r RSS
	if err := json.Unmarshal(out, &r); err != nil {
		return RSS{}, fmt.Errorf("memory run of %d: %w", n, err)
	}
	return r, nil
}

// rssRun is the child: the pipeline over n synthetic people.
func rssRun(ctx context.Context, n, workers int) error {
	db := &syntheticDB{n: n}
	p := &delivery.Pipeline{
		Ledger: &ledger.Ledger{DB: db, Table: "bench"},
		SES:    &instantSES{},
		Render: render,
		From:   "privacy@example.com",
		Pacing: delivery.Pacing{Workers: workers},
	}
	var peak, live uint64
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	done := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			metrics.Read(sample)
			live = max(live, sample[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	start := time.Now()
	sent, err := drain(ctx, p, "bench", 0)
	close(done)
	<-sampled
	if err != nil {
		return err
	}
	hwm, err := peakRSS()
	if err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(RSS{People: n, Sent: sent, Seconds: time.Since(start).Seconds(), PeakMB: hwm, PeakHeapMB: float64(peak) / (1 << 20), PeakLiveMB: float64(live) / (1 << 20)})
}

// peakRSS is this process's peak resident set in MB: VmHWM, the high-water
// mark of its own address space. Not the parent's view of the child's
// rusage: Linux carries the address space's high-water mark across exec,
// and Go starts a child on its parent's address space (vfork), so the
// parent saw its own RSS whenever that was larger (155 MB here, the child's
// own being 34 MB).
func peakRSS() (float64, error) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			if err != nil {
				return 0, fmt.Errorf("VmHWM %q: %w", v, err)
			}
			return float64(kb) / 1024, nil
		}
	}
	return 0, fmt.Errorf("no VmHWM in /proc/self/status")
}

// drain runs a shard to the end, following cursors.
func drain(ctx context.Context, p *delivery.Pipeline, caseID string, shard int) (int, error) {
	b := delivery.Batch{CaseID: caseID, Shard: shard}
	sent := 0
	for {
		res, err := p.Run(ctx, b)
		if err != nil {
			return sent, err
		}
		sent += res.Sent
		if res.Done {
			return sent, nil
		}
		b.Cursor = res.NextCursor
	}
}

// render is the send function's renderer over the Kakao Pay sample case's
// notice set, built as the draft stage builds it (without the approval
// check that reads the drafts from the table): a Korean notice for the
// Korean people the bench seeds, 8 KB of text and HTML (a SendEmail body of
// 8.8 KB). Raw SendEmail sends one of these notices.
func render(s *casetable.Subject) (email.Message, error) {
	r, err := renderer()
	if err != nil {
		return email.Message{}, err
	}
	return r(s)
}

var renderer = sync.OnceValues(func() (email.Renderer, error) {
	root, err := emulators.Checkout()
	if err != nil {
		return nil, err
	}
	path := filepath.Join(root, "events", "reports", "kakaopay-alipay.json")
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	// A day after the sample's controller became aware, the drafting time
	// the CLI's tests use.
	now := time.Date(2024, 8, 14, 9, 0, 0, 0, time.FixedZone("KST", 9*3600))
	r, err := report.ParseAt(raw, now)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	a, err := rules.Assess(r, nil, now)
	if err != nil {
		return nil, err
	}
	set, err := notice.NewNoticeSet(draft.Facts(r, a, now))
	if err != nil {
		return nil, err
	}
	return draft.Renderer(set), nil
})
