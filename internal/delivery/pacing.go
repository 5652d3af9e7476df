package delivery

import (
	"math"
	"math/rand/v2"
	"time"
)

// DefaultSESLatency is what one SendEmail call takes from Lambda
// (research/LIMITS.md: 40-60 ms); workers are sized from it.
const DefaultSESLatency = 60 * time.Millisecond

// MaxWorkers caps one invocation's concurrent sends.
const MaxWorkers = 64

// GCPercent is the send function's GOGC (lambdamain.TuneGC, under a memory
// limit of three quarters of the function's memory). A send allocates about
// 100 KB (the SDK's SendEmail serialization alone about 80 KB of a 9 KB
// request) over a live heap of about 10 MB, so at Go's default of 100 the
// collector ran some 40 times a second at the local stack's 5,000 sends a
// second (9 % of the process's time, GODEBUG=gctrace=1), and each cycle's
// stop-the-world stalls every worker, longest when the machine's cores are
// busy elsewhere. At 800 it runs about 8 times less often (heap goal about
// 100 MB, far under the limit). Measured with `go run ./bench/send`: the pipeline's
// Go CPU a notice went from 0.20-0.22 ms to 0.15-0.17 ms (raw SendEmail's
// 0.16 ms to 0.15 ms); 400 got about half of that and 1,600 no more.
const GCPercent = 800

// Pacing is how fast one send invocation may go and how many sends it keeps
// in flight.
type Pacing struct {
	// Rate is this invocation's share of the account's sends per second;
	// 0 means unlimited (benchmarks only).
	Rate float64 `json:"rate"`
	// Workers is how many people the invocation works on at once; with the
	// record batch it bounds the duplicates a crash of the invocation can
	// cause (Pipeline.DuplicateBound).
	Workers int `json:"workers"`
}

// DerivePacing splits the account's send rate evenly over the send
// invocations that run at once (the Map's MaxConcurrency) and gives each
// enough workers to keep its share busy when one send takes latency, with
// twice the headroom for the page reads and record writes around the sends.
func DerivePacing(accountRate float64, parallel int, latency time.Duration) Pacing {
	if parallel < 1 {
		parallel = 1
	}
	if latency <= 0 {
		latency = DefaultSESLatency
	}
	if accountRate <= 0 {
		return Pacing{Rate: 0, Workers: 16}
	}
	r := accountRate / float64(parallel)
	w := int(math.Ceil(2*r*latency.Seconds())) + 1
	return Pacing{Rate: r, Workers: min(max(w, 1), MaxWorkers)}
}

// Backoff is capped exponential backoff with full jitter: the wait before
// retry n (from 0) is uniform in [0, min(Max, Base*2^n)). Full jitter keeps
// many throttled workers from retrying in step.
type Backoff struct {
	Base, Max time.Duration
}

// DefaultBackoff is used for throttled and transient send errors.
var DefaultBackoff = Backoff{Base: 50 * time.Millisecond, Max: 5 * time.Second}

// Delay returns the wait before retry n.
func (b Backoff) Delay(n int) time.Duration {
	ceil := b.Max
	if n < 30 {
		ceil = min(b.Max, b.Base<<n)
	}
	if ceil <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(ceil)))
}
