package asl

import (
	"context"
	"math"
	"strconv"
	"time"
)

// errorMatches implements ErrorEquals. States.Runtime and
// States.DataLimitExceeded are terminal: no retrier or catcher matches them,
// not even by name. States.ALL matches every other error; States.TaskFailed
// every other error but States.Timeout.
func errorMatches(equals []string, name string) bool {
	if name == ErrRuntime || name == ErrDataLimitExceeded {
		return false
	}
	for _, e := range equals {
		switch {
		case e == name, e == ErrAll:
			return true
		case e == ErrTaskFailed && name != ErrTimeout:
			return true
		}
	}
	return false
}

// retryDelay is the back-off before retry number attempt (0-based) of r:
// IntervalSeconds * BackoffRate^attempt, capped by MaxDelaySeconds, then
// scaled by a random factor in [0,1) with FULL jitter.
func retryDelay(r retrier, attempt int, draw float64) time.Duration {
	d := r.interval * math.Pow(r.backoff, float64(attempt))
	if r.maxDelay > 0 && d > r.maxDelay {
		d = r.maxDelay
	}
	if r.jitterFull {
		d *= draw
	}
	return time.Duration(d * float64(time.Second))
}

// withRetry runs a Task, Parallel or Map state, applying Retry and Catch.
// caught reports that a Catcher chose next: AWS then records no
// StateExited event for the state.
func (r *runner) withRetry(ctx context.Context, st *State, f *frame, raw any, entered time.Time) (next string, out any, caught bool, err *ExecError) {
	key := r.key(st, f)
	counts := make([]int, len(st.retry))
	attempt := 0
	for {
		akey := key
		if key != "" && attempt > 0 {
			akey = key + "@" + strconv.Itoa(attempt)
		}
		out, err = r.attempt(ctx, st, f, akey, raw, entered, attempt)
		if err == nil {
			next = st.Next
			if st.End {
				next = ""
			}
			return next, out, false, nil
		}
		if ctx.Err() != nil {
			return "", nil, false, r.ctxErr(ctx)
		}
		retried := false
		for i, rt := range st.retry {
			if !errorMatches(rt.errorEquals, err.Name) {
				continue
			}
			if counts[i] >= rt.maxAttempts {
				break
			}
			draw := 1.0
			if rt.jitterFull {
				draw = r.randomValue(akey + "/jitter")
			}
			delay := retryDelay(rt, counts[i], draw)
			counts[i]++
			var until time.Time
			if rec, ok := r.journalGet(akey + "/retry"); ok {
				until = time.Unix(0, rec.Time)
			} else {
				until = r.clock.Now().Add(delay)
				r.journalPut(Record{Key: akey + "/retry", Kind: "wait", Time: until.UnixNano()})
			}
			if serr := r.sleepUntil(ctx, until); serr != nil {
				return "", nil, false, serr
			}
			retried = true
			break
		}
		if retried {
			attempt++
			continue
		}
		for _, c := range st.catch {
			if !errorMatches(c.errorEquals, err.Name) {
				continue
			}
			errObj := map[string]any{"Error": err.Name, "Cause": err.Cause}
			out, perr := applyResultPath(c.resultPath, c.resultNull, raw, errObj)
			if perr != nil {
				return "", nil, false, perr
			}
			// A redrive keeps a caught error (the run took its Catch
			// path) and reruns only what failed uncaught.
			if key != "" {
				r.journalPut(Record{Key: key + "/caught", Kind: "caught"})
			}
			return c.next, out, true, nil
		}
		return "", nil, false, err
	}
}

func (r *runner) randomValue(key string) float64 {
	if rec, ok := r.journalGet(key); ok {
		if f, err := strconv.ParseFloat(rec.Value, 64); err == nil {
			return f
		}
	}
	f := r.rand()
	r.journalPut(Record{Key: key, Kind: "random", Value: strconv.FormatFloat(f, 'g', -1, 64)})
	return f
}

// attempt runs one try of a Task, Parallel or Map state through the whole
// input/output pipeline.
func (r *runner) attempt(ctx context.Context, st *State, f *frame, key string, raw any, entered time.Time, retry int) (any, *ExecError) {
	token := ""
	if st.Type == "Task" && isCallback(st.Resource) {
		token = r.taskToken(key)
	}
	c := r.stateCtx(st, entered, retry, token)
	eff, err := r.inputPath(st, raw, c)
	if err != nil {
		return nil, err
	}
	var result any
	switch st.Type {
	case "Task":
		params := eff
		if st.parameters != nil {
			if params, err = r.evalTemplate(st.parameters, eff, c); err != nil {
				return nil, err
			}
		}
		if JSONSize(params, MaxPayloadBytes) > MaxPayloadBytes {
			return nil, execErr(ErrDataLimitExceeded, "The state/task '%s' has an input with a size exceeding the maximum number of bytes service limit.", st.Name)
		}
		result, err = r.runTask(ctx, st, f, key, params, eff, c, token)
	case "Parallel":
		params := eff
		if st.parameters != nil {
			if params, err = r.evalTemplate(st.parameters, eff, c); err != nil {
				return nil, err
			}
		}
		result, err = r.runParallel(ctx, st, f, key, params)
	case "Map":
		result, err = r.runMap(ctx, st, f, key, eff, c)
	}
	if err != nil {
		return nil, err
	}
	if st.resultSelector != nil {
		if result, err = r.evalTemplate(st.resultSelector, result, c); err != nil {
			return nil, err
		}
	}
	out, err := applyResultPath(st.resultPath, st.resultNull, raw, result)
	if err != nil {
		return nil, err
	}
	return r.outputPath(st, out, c)
}

func (r *runner) taskToken(key string) string {
	if rec, ok := r.journalGet(key + "/token"); ok {
		return rec.Value
	}
	tok := NewTaskToken()
	r.journalPut(Record{Key: key + "/token", Kind: "token", Value: tok, Time: r.clock.Now().UnixNano()})
	return tok
}
