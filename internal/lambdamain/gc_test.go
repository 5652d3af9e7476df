package lambdamain

import (
	"math"
	"runtime/debug"
	"strings"
	"testing"
)

// TestTuneGC checks what TuneGC leaves in force, read back from the
// runtime, and puts Go's defaults back after each case.
func TestTuneGC(t *testing.T) {
	const mib = 1 << 20
	cases := []struct {
		name      string
		percent   int
		env       map[string]string
		wantGOGC  int
		wantLimit int64 // what the runtime holds after
		fromEnv   bool
		err       string
	}{
		{name: "off Lambda: GOGC only", percent: 800, wantGOGC: 800, wantLimit: math.MaxInt64},
		{name: "in Lambda: GOGC and three quarters of the memory", percent: 800,
			env: map[string]string{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512"}, wantGOGC: 800, wantLimit: 384 * mib},
		{name: "the environment's GOGC wins", percent: 800,
			env: map[string]string{"GOGC": "150", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512"}, wantGOGC: 100, wantLimit: 384 * mib, fromEnv: true},
		{name: "the environment's GOMEMLIMIT wins", percent: 800,
			env: map[string]string{"GOMEMLIMIT": "100MiB", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512"}, wantGOGC: 800, wantLimit: math.MaxInt64, fromEnv: true},
		{name: "no setting changes nothing", percent: 0,
			env: map[string]string{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512"}, wantGOGC: 100, wantLimit: math.MaxInt64},
		{name: "a memory size that is not a number", percent: 800,
			env: map[string]string{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512MB"}, wantGOGC: 800, wantLimit: math.MaxInt64, err: "AWS_LAMBDA_FUNCTION_MEMORY_SIZE"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// The runtime's settings are the process's: start each case
			// from Go's defaults and put them back after. (The GOGC
			// variable itself is only read by Go at start, so a case's
			// "150" stands for one Go already applied: 100 here.)
			debug.SetGCPercent(100)
			debug.SetMemoryLimit(math.MaxInt64)
			t.Cleanup(func() { debug.SetGCPercent(100); debug.SetMemoryLimit(math.MaxInt64) })
			gc, err := TuneGC(c.percent, func(k string) (string, bool) { v, ok := c.env[k]; return v, ok })
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err = %v, want one naming %s", err, c.err)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if got := currentGCPercent(); got != c.wantGOGC || gc.Percent != c.wantGOGC {
				t.Errorf("GOGC in force %d, reported %d, want %d", got, gc.Percent, c.wantGOGC)
			}
			if got := debug.SetMemoryLimit(-1); got != c.wantLimit {
				t.Errorf("memory limit in force %d, want %d", got, c.wantLimit)
			}
			if c.wantLimit != math.MaxInt64 && gc.MemoryLimit != c.wantLimit {
				t.Errorf("reported limit %d, want %d", gc.MemoryLimit, c.wantLimit)
			}
			if gc.FromEnv != c.fromEnv {
				t.Errorf("FromEnv = %v, want %v", gc.FromEnv, c.fromEnv)
			}
		})
	}
}
