package asl_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"breachflow/internal/local/asl"
)

var t0 = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

type result struct {
	out any
	err *asl.ExecError
}

// start runs def in a goroutine on a fake clock.
func start(t *testing.T, def string, input string, opts asl.Options, hooks asl.Hooks) (*asl.FakeClock, <-chan result) {
	t.Helper()
	m, err := asl.Parse([]byte(def))
	if err != nil {
		t.Fatal(err)
	}
	clock := asl.NewFakeClock(t0)
	opts.Clock = clock
	in, err := asl.DecodeJSON([]byte(input))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan result, 1)
	go func() {
		out, xerr := m.Run(context.Background(), opts, asl.ExecutionInfo{Name: "e", StartTime: t0}, in, hooks)
		done <- result{out, xerr}
	}()
	return clock, done
}

// nextDelay waits until the engine sleeps and returns for how long.
func nextDelay(t *testing.T, c *asl.FakeClock) time.Duration {
	t.Helper()
	if !c.WaitForTimers(1, 5*time.Second) {
		t.Fatal("engine did not start waiting")
	}
	d, _ := c.NextDeadline()
	return d.Sub(c.Now())
}

func finished(t *testing.T, done <-chan result) result {
	t.Helper()
	select {
	case r := <-done:
		return r
	case <-time.After(5 * time.Second):
		t.Fatal("execution did not finish")
	}
	return result{}
}

func TestWaitStates(t *testing.T) {
	cases := []struct {
		name, state, input string
		want               time.Duration
	}{
		{"Seconds", `"Seconds": 10`, `{}`, 10 * time.Second},
		{"SecondsPath", `"SecondsPath": "$.s"`, `{"s": 90}`, 90 * time.Second},
		{"Timestamp", `"Timestamp": "2024-05-01T13:00:00Z"`, `{}`, time.Hour},
		{"TimestampPath", `"TimestampPath": "$.ts"`, `{"ts": "2024-05-01T14:00:00+01:00"}`, time.Hour},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			def := `{"StartAt":"W","States":{"W":{"Type":"Wait",` + tc.state + `,"End":true}}}`
			clock, done := start(t, def, tc.input, asl.Options{}, asl.Hooks{})
			if got := nextDelay(t, clock); got != tc.want {
				t.Fatalf("waits %v, want %v", got, tc.want)
			}
			select {
			case <-done:
				t.Fatal("finished before the clock moved")
			default:
			}
			clock.Advance(tc.want)
			if r := finished(t, done); r.err != nil {
				t.Fatal(r.err)
			}
		})
	}
}

func TestWaitSecondsPathInvalid(t *testing.T) {
	def := `{"StartAt":"W","States":{"W":{"Type":"Wait","SecondsPath":"$.s","End":true}}}`
	_, done := start(t, def, `{"s":"ten"}`, asl.Options{}, asl.Hooks{})
	if r := finished(t, done); r.err == nil || r.err.Name != asl.ErrRuntime {
		t.Fatalf("got %v, want States.Runtime", r.err)
	}
}

// flaky fails n times with CustomError, then succeeds.
func flaky(n int32, calls *int32) lambda.Handler {
	return lambda.NewHandler(func() (string, error) {
		if atomic.AddInt32(calls, 1) <= n {
			return "", &CustomError{"not yet"}
		}
		return "ok", nil
	})
}

func TestRetryBackoffAndMaxDelay(t *testing.T) {
	var calls int32
	def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:flaky",
	  "Retry":[{"ErrorEquals":["CustomError"],"IntervalSeconds":2,"BackoffRate":3,"MaxAttempts":4,"MaxDelaySeconds":10}],"End":true}}}`
	clock, done := start(t, def, `{}`, asl.Options{Functions: map[string]lambda.Handler{"flaky": flaky(3, &calls)}}, asl.Hooks{})
	for i, want := range []time.Duration{2 * time.Second, 6 * time.Second, 10 * time.Second} {
		got := nextDelay(t, clock)
		if got != want {
			t.Fatalf("retry %d waits %v, want %v", i+1, got, want)
		}
		clock.Advance(got)
	}
	r := finished(t, done)
	if r.err != nil || r.out != "ok" || calls != 4 {
		t.Fatalf("got %v %v after %d calls", r.out, r.err, calls)
	}
}

func TestRetryExhaustedThenCatch(t *testing.T) {
	var calls int32
	def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:flaky",
	  "Retry":[{"ErrorEquals":["States.ALL"],"IntervalSeconds":1,"MaxAttempts":2}],
	  "Catch":[{"ErrorEquals":["CustomError"],"ResultPath":"$.err","Next":"C"}],"End":true},
	  "C":{"Type":"Pass","End":true}}}`
	clock, done := start(t, def, `{"a":1}`, asl.Options{Functions: map[string]lambda.Handler{"flaky": flaky(100, &calls)}}, asl.Hooks{})
	clock.Advance(nextDelay(t, clock))
	clock.Advance(nextDelay(t, clock))
	r := finished(t, done)
	if r.err != nil || calls != 3 {
		t.Fatalf("err %v after %d calls, want caught after 3", r.err, calls)
	}
	if got := mustJSON(r.out); got != `{"a":1,"err":{"Cause":"{\"errorMessage\":\"not yet\",\"errorType\":\"CustomError\"}","Error":"CustomError"}}` {
		t.Fatalf("output %s", got)
	}
}

func TestRetryMaxAttemptsZeroNeverRetries(t *testing.T) {
	var calls int32
	def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:flaky",
	  "Retry":[{"ErrorEquals":["CustomError"],"MaxAttempts":0},{"ErrorEquals":["States.ALL"],"MaxAttempts":5}],"End":true}}}`
	_, done := start(t, def, `{}`, asl.Options{Functions: map[string]lambda.Handler{"flaky": flaky(1, &calls)}}, asl.Hooks{})
	r := finished(t, done)
	if r.err == nil || r.err.Name != "CustomError" || calls != 1 {
		t.Fatalf("got %v after %d calls; the first matching retrier (MaxAttempts 0) must stop retries", r.err, calls)
	}
}

func TestRetryFullJitterBounds(t *testing.T) {
	for _, draw := range []float64{0, 0.25, 0.999} {
		var calls int32
		def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:flaky",
		  "Retry":[{"ErrorEquals":["CustomError"],"IntervalSeconds":4,"BackoffRate":2,"MaxAttempts":2,"JitterStrategy":"FULL"}],"End":true}}}`
		opts := asl.Options{Functions: map[string]lambda.Handler{"flaky": flaky(2, &calls)}, Rand: func() float64 { return draw }}
		clock, done := start(t, def, `{}`, opts, asl.Hooks{})
		for _, base := range []time.Duration{4 * time.Second, 8 * time.Second} {
			want := time.Duration(float64(base) * draw)
			if want == 0 {
				// a zero delay does not create a timer
				continue
			}
			got := nextDelay(t, clock)
			if got != want || got < 0 || got > base {
				t.Fatalf("draw %v: waits %v, want %v within [0,%v]", draw, got, want, base)
			}
			clock.Advance(got)
		}
		if r := finished(t, done); r.err != nil {
			t.Fatal(r.err)
		}
	}
}

func TestTaskTimeout(t *testing.T) {
	block := lambda.NewHandler(func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() })
	def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:block","TimeoutSecondsPath":"$.t",
	  "Catch":[{"ErrorEquals":["States.TaskFailed"],"Next":"Wrong"},{"ErrorEquals":["States.Timeout"],"Next":"Right"}],"End":true},
	  "Wrong":{"Type":"Fail","Error":"wrong"},"Right":{"Type":"Pass","Result":"timed out","End":true}}}`
	clock, done := start(t, def, `{"t":5}`, asl.Options{Functions: map[string]lambda.Handler{"block": block}}, asl.Hooks{})
	if d := nextDelay(t, clock); d != 5*time.Second {
		t.Fatalf("timeout timer %v, want 5s", d)
	}
	clock.Advance(5 * time.Second)
	if r := finished(t, done); r.err != nil || r.out != "timed out" {
		t.Fatalf("got %v %v", r.out, r.err)
	}
}

func TestExecutionTimeout(t *testing.T) {
	def := `{"TimeoutSeconds":60,"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":100,"End":true}}}`
	clock, done := start(t, def, `{}`, asl.Options{}, asl.Hooks{})
	clock.WaitForTimers(2, 5*time.Second)
	clock.Advance(60 * time.Second)
	r := finished(t, done)
	if !asl.IsExecutionTimeout(r.err) || r.err.Name != asl.ErrTimeout {
		t.Fatalf("got %v, want execution timeout", r.err)
	}
}

func TestLambdaContext(t *testing.T) {
	def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:lambda-ctx:prod","TimeoutSeconds":30,"End":true}}}`
	_, done := start(t, def, `{}`, asl.Options{Functions: testFunctions()}, asl.Hooks{})
	r := finished(t, done)
	if got := mustJSON(r.out); got != `{"arn":"arn:aws:lambda:us-east-1:123456789012:function:lambda-ctx","deadline":true,"ok":true}` {
		t.Fatalf("got %s %v", got, r.err)
	}
}
