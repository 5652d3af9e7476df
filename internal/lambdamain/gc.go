package lambdamain

import (
	"fmt"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
)

// GC is the garbage-collector setting a function asked for and what was
// applied, for the cold start's log line.
type GC struct {
	// Percent is the GOGC in force: the function's own, or the GOGC
	// variable's when the environment sets one (Go applied it at start).
	Percent int
	// FromEnv says the environment's GOGC or GOMEMLIMIT won over the
	// function's setting.
	FromEnv bool
	// MemoryLimit is the soft heap limit set, in bytes; 0 when none was.
	MemoryLimit int64
}

// MemoryLimitShare is the part of the function's memory (Lambda's
// AWS_LAMBDA_FUNCTION_MEMORY_SIZE) that TuneGC lets the Go runtime use
// before it collects regardless of GOGC: a raised GOGC trades memory for
// CPU, and this keeps the trade from ever costing the function its memory.
// The rest is the binary, the runtime's own and the Lambda agent's.
const MemoryLimitShare = 0.75

// TuneGC sets the garbage collector to percent (GOGC) with a soft memory
// limit of MemoryLimitShare of the function's memory, for a function whose
// CPU goes to allocation-heavy SDK calls over a small live heap (the send
// stage: see delivery.GCPercent). percent <= 0 changes nothing. A GOGC or
// GOMEMLIMIT in the environment wins: an operator who set one meant it.
func TuneGC(percent int, lookup func(string) (string, bool)) (GC, error) {
	if percent <= 0 {
		return GC{Percent: currentGCPercent()}, nil
	}
	g := GC{Percent: percent}
	if v, ok := lookup("GOGC"); ok && v != "" {
		g.FromEnv = true
		g.Percent = currentGCPercent()
	} else {
		debug.SetGCPercent(percent)
	}
	if v, ok := lookup("GOMEMLIMIT"); ok && v != "" {
		g.FromEnv = true
		return g, nil
	}
	mb, ok := lookup("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
	if !ok || mb == "" {
		return g, nil // not in Lambda: no memory size to keep under
	}
	n, err := strconv.Atoi(mb)
	if err != nil || n <= 0 {
		return g, fmt.Errorf("AWS_LAMBDA_FUNCTION_MEMORY_SIZE: %q is not a positive number of megabytes", mb)
	}
	g.MemoryLimit = int64(float64(n) * MemoryLimitShare * (1 << 20))
	debug.SetMemoryLimit(g.MemoryLimit)
	return g, nil
}

// currentGCPercent reads the GOGC in force from the runtime's metrics.
func currentGCPercent() int {
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	metrics.Read(s)
	return int(s[0].Value.Uint64())
}
