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
// key is the visit's journal key ("" without a journal).
func (r *runner) withRetry(ctx context.Context, st *State, f *frame, key string, raw any, entered time.Time, enteredID int64) (stepResult, *ExecError) {
	counts := make([]int, len(st.retry))
	attempt := 0
	for {
		akey := key
		if key != "" && attempt > 0 {
			akey = key + "@" + strconv.Itoa(attempt)
		}
		res, err := r.attempt(ctx, st, f, akey, raw, entered, enteredID, attempt)
		if err == nil {
			res.next = st.Next
			if st.End {
				res.next = ""
			}
			return res, nil
		}
		if ctx.Err() != nil {
			return stepResult{}, r.ctxErr(ctx)
		}
		retried := false
		for i, rt := range st.retry {
			if !errorMatches(rt.errorEquals, err.Name) {
				continue
			}
			if r.test != nil {
				// TestState reports the retry instead of making it.
				if n := r.test.retryCount; n < rt.maxAttempts {
					r.test.retriable(i, retryDelay(rt, n, 1))
					return stepResult{}, err
				}
				break
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
				return stepResult{}, serr
			}
			retried = true
			break
		}
		if retried {
			attempt++
			continue
		}
		for i, c := range st.catch {
			if !errorMatches(c.errorEquals, err.Name) {
				continue
			}
			res, cerr := r.catchError(st, f, key, c, i, raw, err, entered, enteredID, attempt)
			if cerr != nil {
				return stepResult{}, cerr
			}
			// A redrive keeps a caught error (the run took its Catch
			// path) and reruns only what failed uncaught.
			if key != "" {
				r.journalPut(Record{Key: key + "/caught", Kind: "caught"})
			}
			if r.test != nil {
				r.test.caught(i, err)
			}
			return res, nil
		}
		return stepResult{}, err
	}
}

// catchError builds the output of a Catcher and the variables it assigns.
// The error output is {"Error", "Cause"}: JSONPath puts it at the
// catcher's ResultPath, JSONata reads it as $states.errorOutput.
func (r *runner) catchError(st *State, f *frame, key string, c catcher, i int, raw any, err *ExecError, entered time.Time, enteredID int64, retry int) (stepResult, *ExecError) {
	errObj := map[string]any{"Error": err.Name, "Cause": err.Cause}
	env := r.newEnv(st, f, entered, enteredID, retry, "", key)
	res := stepResult{next: c.next, caught: true}
	where := "Catch/" + strconv.Itoa(i)
	if st.jsonata {
		s := jstates{input: raw, errorOutput: errObj, hasError: true}
		res.out = errObj
		if c.output != nil {
			out, oerr := r.evalJ(c.output, where+"/Output", s, env)
			if oerr != nil {
				return stepResult{}, oerr
			}
			res.out = out
		}
		assigned, aerr := r.evalAssign(c.assign, where+"/Assign", nil, s, env)
		if aerr != nil {
			return stepResult{}, aerr
		}
		res.assign = assigned
		return res, nil
	}
	out, perr := applyResultPath(c.resultPath, c.resultNull, raw, errObj)
	if perr != nil {
		return stepResult{}, perr
	}
	assigned, aerr := r.evalAssign(c.assign, where+"/Assign", errObj, jstates{}, env)
	if aerr != nil {
		return stepResult{}, aerr
	}
	res.out, res.assign = out, assigned
	return res, nil
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
func (r *runner) attempt(ctx context.Context, st *State, f *frame, key string, raw any, entered time.Time, enteredID int64, retry int) (stepResult, *ExecError) {
	token := ""
	if st.Type == "Task" && isCallback(st.Resource) {
		token = r.taskToken(key)
	}
	env := r.newEnv(st, f, entered, enteredID, retry, token, key)
	if st.jsonata {
		return r.attemptJSONata(ctx, st, f, key, raw, env, token)
	}
	eff, err := r.inputPath(st, raw, env)
	if err != nil {
		return stepResult{}, err
	}
	r.inspect(st, "afterInputPath", eff)
	var result any
	switch st.Type {
	case "Task":
		params := eff
		if st.parameters != nil {
			if params, err = r.evalTemplate(st.parameters, eff, env); err != nil {
				return stepResult{}, err
			}
		}
		r.inspect(st, "afterParameters", params)
		if JSONSize(params, MaxPayloadBytes) > MaxPayloadBytes {
			return stepResult{}, execErr(ErrDataLimitExceeded, "The state/task '%s' has an input with a size exceeding the maximum number of bytes service limit.", st.Name)
		}
		result, err = r.runTask(ctx, st, f, key, params, eff, env, token)
	case "Parallel":
		params := eff
		if st.parameters != nil {
			if params, err = r.evalTemplate(st.parameters, eff, env); err != nil {
				return stepResult{}, err
			}
		}
		r.inspect(st, "afterParameters", params)
		result, err = r.runParallel(ctx, st, f, key, params)
	case "Map":
		result, err = r.runMap(ctx, st, f, key, eff, env)
	}
	if err != nil {
		return stepResult{}, err
	}
	r.inspect(st, "result", result)
	if st.resultSelector != nil {
		if result, err = r.evalTemplate(st.resultSelector, result, env); err != nil {
			return stepResult{}, err
		}
		r.inspect(st, "afterResultSelector", result)
	}
	assigned, err := r.evalAssign(st.assign, "Assign", result, jstates{}, env)
	if err != nil {
		return stepResult{}, err
	}
	out, err := applyResultPath(st.resultPath, st.resultNull, raw, result)
	if err != nil {
		return stepResult{}, err
	}
	r.inspect(st, "afterResultPath", out)
	if out, err = r.outputPath(st, out, env); err != nil {
		return stepResult{}, err
	}
	return stepResult{out: out, assign: assigned}, nil
}

// attemptJSONata is attempt for a JSONata state: Arguments in, the result
// as $states.result, then Output and Assign.
func (r *runner) attemptJSONata(ctx context.Context, st *State, f *frame, key string, raw any, env *stateEnv, token string) (stepResult, *ExecError) {
	s := jstates{input: raw}
	args := raw
	if st.arguments != nil {
		var err *ExecError
		if args, err = r.evalJ(st.arguments, "Arguments", s, env); err != nil {
			return stepResult{}, err
		}
		r.inspect(st, "afterArguments", args)
	}
	var result any
	var err *ExecError
	switch st.Type {
	case "Task":
		if JSONSize(args, MaxPayloadBytes) > MaxPayloadBytes {
			return stepResult{}, execErr(ErrDataLimitExceeded, "The state/task '%s' has an input with a size exceeding the maximum number of bytes service limit.", st.Name)
		}
		result, err = r.runTask(ctx, st, f, key, args, raw, env, token)
	case "Parallel":
		result, err = r.runParallel(ctx, st, f, key, args)
	case "Map":
		result, err = r.runMap(ctx, st, f, key, raw, env)
	}
	if err != nil {
		return stepResult{}, err
	}
	r.inspect(st, "result", result)
	s.result, s.hasResult = result, true
	assigned, err := r.evalAssign(st.assign, "Assign", nil, s, env)
	if err != nil {
		return stepResult{}, err
	}
	out := result
	if st.output != nil {
		if out, err = r.evalJ(st.output, "Output", s, env); err != nil {
			return stepResult{}, err
		}
	}
	return stepResult{out: out, assign: assigned}, nil
}

func (r *runner) taskToken(key string) string {
	if rec, ok := r.journalGet(key + "/token"); ok {
		return rec.Value
	}
	tok := NewTaskToken()
	r.journalPut(Record{Key: key + "/token", Kind: "token", Value: tok, Time: r.clock.Now().UnixNano()})
	return tok
}
