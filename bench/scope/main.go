// Command scope is the scale harness of scoping: for each population size it
// seeds the synthetic user table into a fresh dynalite, measures the
// emulator's own rates in the same run (raw parallel Scan, BatchWriteItem,
// conditional PutItem), then scopes the table with every segment running at
// once, and reports throughput against those rates and this process's peak
// RSS.
//
//	go run ./bench/scope -users 100000,1000000
//
// Each size runs in a child process of its own, so the peak RSS reported for
// a size is that size's alone (VmHWM of /proc/self/status, reset after
// seeding, so it is the scope phase's peak).
//
// Two scopes run per size: "selective" selects ~0.5 % of users (Singapore
// VIPs), so the run is bound by scanning; "kakaopay" is the sample report's
// criteria, selecting ~45 %, so it is bound by the emulator's writes (an
// address claim and a subject put per person). For each, "vs emulator" is
// the time the emulator alone needs for the same work at its measured raw
// rates (the same filtered scan + claims + batch puts; dynalite is
// single-threaded, so they add up) divided by the time scoping took: 1.0
// means scoping costs nothing beyond the emulator's own work. "÷scan" is
// items/s over the plain parallel-scan rate, "÷fscan" over the rate of the
// same filtered, projected scan with nothing done with the items.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"breachflow/internal/awsenv"
	"breachflow/internal/breach"
	"breachflow/internal/casetable"
	"breachflow/internal/criteria"
	"breachflow/internal/local/emulators"
	"breachflow/internal/scope"
	"breachflow/internal/usertable"
)

type scopeRun struct {
	Name        string  `json:"name"`
	Scanned     int64   `json:"scanned"`
	Matched     int64   `json:"matched"`
	Claims      int64   `json:"claims"` // matched users with an address
	Seconds     float64 `json:"seconds"`
	ItemsPerSec float64 `json:"items_per_s"` // users scanned per second
	ScanRatio   float64 `json:"scan_ratio"`  // items/s over the raw parallel-scan rate
	// FilteredScanRatio is items/s over dynalite's rate for the same
	// filtered, projected scan with nothing done with the items: what is
	// left is breachflow's own cost.
	FilteredScanRatio float64 `json:"filtered_scan_ratio"`
	VsEmulator        float64 `json:"vs_emulator"` // emulator-alone time / scoping time
}

type result struct {
	Users         int        `json:"users"`
	Segments      int        `json:"segments"`
	Disk          bool       `json:"disk"`
	SeedPerSec    float64    `json:"seed_items_per_s"` // BatchWriteItem rate while seeding
	ScanPerSec    float64    `json:"raw_scan_items_per_s"`
	PutPerSec     float64    `json:"raw_conditional_puts_per_s"`
	Runs          []scopeRun `json:"runs"`
	PeakRSSMB     float64    `json:"peak_rss_mb"`      // this process, scope phase
	SeedPeakRSSMB float64    `json:"seed_peak_rss_mb"` // this process, seeding phase
	DynaliteRSSMB float64    `json:"dynalite_peak_rss_mb"`
}

func main() {
	sizes := flag.String("users", "100000,1000000", "comma-separated population sizes")
	segments := flag.Int("segments", 8, "scan segments, all scoped at once")
	disk := flag.Bool("disk", true, "keep dynalite's data on disk (1M users take ~4 GB in memory)")
	seed := flag.Uint64("seed", 1, "population seed")
	child := flag.Bool("child", false, "run one size in this process (used by the parent)")
	flag.Parse()
	ctx := context.Background()
	if *child {
		slog.SetDefault(slog.New(slog.DiscardHandler)) // one line per segment would drown the progress
		n, err := strconv.Atoi(*sizes)
		if err == nil {
			var r *result
			r, err = runSize(ctx, n, *segments, *disk, *seed)
			if err == nil {
				err = json.NewEncoder(os.Stdout).Encode(r)
			}
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench/scope:", err)
			os.Exit(1)
		}
		return
	}
	var results []*result
	for _, s := range strings.Split(*sizes, ",") {
		fmt.Fprintf(os.Stderr, "size %s: seeding, measuring dynalite, scoping...\n", s)
		cmd := exec.Command(os.Args[0], "-child", "-users", strings.TrimSpace(s), "-segments", strconv.Itoa(*segments),
			"-disk="+strconv.FormatBool(*disk), "-seed", strconv.FormatUint(*seed, 10))
		cmd.Stderr = os.Stderr
		out, err := cmd.Output()
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench/scope: size", s, "failed:", err)
			os.Exit(1)
		}
		var r result
		if err := json.Unmarshal(out, &r); err != nil {
			fmt.Fprintln(os.Stderr, "bench/scope: child output:", err)
			os.Exit(1)
		}
		results = append(results, &r)
		report(os.Stdout, results)
	}
}

func report(w io.Writer, rs []*result) {
	fmt.Fprintf(w, "\n%-9s %-6s %7s %9s %7s | %-9s %8s %8s %7s %6s %6s %6s | %7s %7s %8s\n",
		"users", "store", "seed/s", "rawscan/s", "cput/s", "scope", "matched", "items/s", "seconds", "÷scan", "÷fscan", "÷emul", "RSS MB", "seed MB", "dynalite")
	for _, r := range rs {
		store := "memory"
		if r.Disk {
			store = "disk"
		}
		for _, run := range r.Runs {
			fmt.Fprintf(w, "%-9d %-6s %7.0f %9.0f %7.0f | %-9s %8d %8.0f %7.1f %6.3f %6.2f %6.2f | %7.1f %7.1f %8.0f\n",
				r.Users, store, r.SeedPerSec, r.ScanPerSec, r.PutPerSec, run.Name, run.Matched, run.ItemsPerSec, run.Seconds,
				run.ScanRatio, run.FilteredScanRatio, run.VsEmulator, r.PeakRSSMB, r.SeedPeakRSSMB, r.DynaliteRSSMB)
		}
	}
	if len(rs) > 1 {
		fmt.Fprintf(w, "peak RSS of scoping, largest vs smallest size: %.2fx (goal <= 1.2x)\n", rs[len(rs)-1].PeakRSSMB/rs[0].PeakRSSMB)
	}
	b, _ := json.Marshal(rs)
	fmt.Fprintf(w, "json: %s\n", b)
}

func runSize(ctx context.Context, n, segments int, disk bool, seed uint64) (*result, error) {
	opts := emulators.Options{Log: io.Discard, StartTimeout: time.Minute}
	if disk {
		dir, err := os.MkdirTemp("", "breachflow-bench-dynalite-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		opts.DataDir = dir
	}
	stack, err := emulators.Start(ctx, opts)
	if err != nil {
		return nil, err
	}
	defer stack.Close()
	for _, kv := range stack.Env() {
		k, v, _ := strings.Cut(kv, "=")
		os.Setenv(k, v)
	}
	cfg, err := awsenv.Load(ctx)
	if err != nil {
		return nil, err
	}
	db := dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.RetryMaxAttempts = 10 })
	const users, cases = "users", "cases"
	if err := usertable.CreateTable(ctx, db, users, usertable.DefaultMapping()); err != nil {
		return nil, err
	}
	if err := casetable.CreateTable(ctx, db, cases); err != nil {
		return nil, err
	}
	r := &result{Users: n, Segments: segments, Disk: disk}

	start := time.Now()
	if err := usertable.Seed(ctx, db, users, usertable.SeedOptions{Users: n, Seed: seed}); err != nil {
		return nil, err
	}
	r.SeedPerSec = float64(n) / time.Since(start).Seconds()
	r.SeedPeakRSSMB = peakRSS("self")
	fmt.Fprintf(os.Stderr, "  seeded %d users at %.0f/s\n", n, r.SeedPerSec)

	for range 2 { // the better of two, so a cold first pass does not flatter scoping
		rate, err := rawScan(ctx, db, users, segments, nil)
		if err != nil {
			return nil, err
		}
		r.ScanPerSec = max(r.ScanPerSec, rate)
	}
	if r.PutPerSec, err = rawPuts(ctx, db, cases, 5000); err != nil {
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "  dynalite raw: scan %.0f items/s, conditional put %.0f/s\n", r.ScanPerSec, r.PutPerSec)

	resetPeakRSS()
	s := &scope.Scoper{DB: db, CaseTable: cases, UserTable: users, Mapping: usertable.DefaultMapping()}
	cats := []breach.Category{breach.CategoryDeviceID, breach.CategoryPhone, breach.CategoryEmail, breach.CategoryCreditInfo, breach.CategoryTransactions}
	for _, c := range []struct{ name, criteria string }{
		{"selective", `{"all":[{"attr":"country","op":"=","value":"SG"},{"attr":"tier","op":"in","value":["gold","vip"]}]}`},
		{"kakaopay", `{"all":[{"attr":"payment_service","op":"=","value":"kakaopay"},{"attr":"overseas_transfer","op":"=","value":true}]}`},
	} {
		var crit criteria.Criteria
		if err := json.Unmarshal([]byte(c.criteria), &crit); err != nil {
			return nil, err
		}
		plan, err := criteria.Compile(&crit, s.Mapping)
		if err != nil {
			return nil, err
		}
		var filtered float64
		for range 2 {
			rate, err := rawScan(ctx, db, users, segments, plan)
			if err != nil {
				return nil, err
			}
			filtered = max(filtered, rate)
		}
		run, err := scopeAll(ctx, s, scope.SegmentInput{CaseID: "bench-" + c.name, TotalSegments: segments, ReportCategories: cats, Criteria: &crit})
		if err != nil {
			return nil, err
		}
		run.Name = c.name
		run.ItemsPerSec = float64(run.Scanned) / run.Seconds
		run.ScanRatio = run.ItemsPerSec / r.ScanPerSec
		run.FilteredScanRatio = run.ItemsPerSec / filtered
		emulator := float64(run.Scanned)/filtered + float64(run.Claims)/r.PutPerSec + float64(run.Matched)/r.SeedPerSec
		run.VsEmulator = emulator / run.Seconds
		fmt.Fprintf(os.Stderr, "  scope %s: %d of %d users in %.1fs (%.0f items/s)\n", c.name, run.Matched, run.Scanned, run.Seconds, run.ItemsPerSec)
		r.Runs = append(r.Runs, *run)
	}
	r.PeakRSSMB = peakRSS("self")
	for _, pid := range stack.PIDs()[:1] {
		r.DynaliteRSSMB = peakRSS(strconv.Itoa(pid))
	}
	return r, nil
}

// scopeAll runs every segment at once, as the Map state does, and sums them.
func scopeAll(ctx context.Context, s *scope.Scoper, in scope.SegmentInput) (*scopeRun, error) {
	start := time.Now()
	res := make([]scope.SegmentResult, in.TotalSegments)
	errs := make([]error, in.TotalSegments)
	var wg sync.WaitGroup
	for seg := range in.TotalSegments {
		wg.Go(func() {
			in := in
			in.Segment = seg
			r, err := s.Segment(ctx, in)
			if err == nil {
				res[seg] = *r
			}
			errs[seg] = err
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	t, err := scope.Aggregate(scope.AggregateInput{CaseID: in.CaseID, Segments: res})
	if err != nil {
		return nil, err
	}
	return &scopeRun{Scanned: t.Scanned, Matched: t.Matched, Claims: t.Pending + t.Duplicates, Seconds: time.Since(start).Seconds()}, nil
}

// rawScan is dynalite's own parallel-scan rate: the same segments, nothing
// done with the items; with a plan, the same filter and projection as
// scoping's (the rate counts users scanned, not matched).
func rawScan(ctx context.Context, db *dynamodb.Client, table string, segments int, plan *criteria.Plan) (float64, error) {
	start := time.Now()
	counts := make([]int64, segments)
	errs := make([]error, segments)
	var wg sync.WaitGroup
	for seg := range segments {
		wg.Go(func() {
			in := &dynamodb.ScanInput{TableName: aws.String(table), Segment: aws.Int32(int32(seg)), TotalSegments: aws.Int32(int32(segments))}
			if plan != nil {
				in.FilterExpression, in.ProjectionExpression = aws.String(plan.Filter), aws.String(plan.Projection)
				in.ExpressionAttributeNames, in.ExpressionAttributeValues = plan.Names, plan.Values
			}
			p := dynamodb.NewScanPaginator(db, in)
			for p.HasMorePages() {
				out, err := p.NextPage(ctx)
				if err != nil {
					errs[seg] = err
					return
				}
				counts[seg] += int64(out.ScannedCount)
			}
		})
	}
	wg.Wait()
	var total int64
	for seg := range segments {
		if errs[seg] != nil {
			return 0, errs[seg]
		}
		total += counts[seg]
	}
	return float64(total) / time.Since(start).Seconds(), nil
}

// rawPuts is dynalite's conditional PutItem rate from 16 callers, the shape
// of scoping's address claims.
func rawPuts(ctx context.Context, db *dynamodb.Client, table string, n int) (float64, error) {
	start := time.Now()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	for w := range 16 {
		wg.Go(func() {
			for i := w; i < n; i += 16 {
				_, err := db.PutItem(ctx, &dynamodb.PutItemInput{
					TableName: aws.String(table),
					Item: map[string]types.AttributeValue{
						"pk": &types.AttributeValueMemberS{Value: "BENCH#" + strconv.Itoa(i%64)},
						"sk": &types.AttributeValueMemberS{Value: strconv.Itoa(i)},
					},
					ConditionExpression: aws.String("attribute_not_exists(pk)"),
				})
				if err != nil {
					mu.Lock()
					first = err
					mu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	return float64(n) / time.Since(start).Seconds(), first
}

// peakRSS reads VmHWM of a process ("self" or a pid) in MB.
func peakRSS(pid string) float64 {
	f, err := os.Open("/proc/" + pid + "/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

// resetPeakRSS sets VmHWM back to the current RSS (Linux clear_refs "5"),
// so the scope phase's peak is not the seeding phase's.
func resetPeakRSS() {
	os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}
