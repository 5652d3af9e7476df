package asl

import (
	"context"
	"errors"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// ExecutionInfo describes the running execution for the context object.
type ExecutionInfo struct {
	ID, Name, RoleArn                string
	StartTime                        time.Time
	StateMachineID, StateMachineName string
	RedriveCount                     int
}

// Hooks connect a run to the service around it. Every field is optional.
type Hooks struct {
	// Emit records history events; nil records none.
	Emit Emitter
	// Journal makes the run resumable; nil keeps nothing.
	Journal Journal
	// Tokens is where .waitForTaskToken tasks wait; nil means a private
	// registry (tokens then cannot be completed from outside).
	Tokens *TaskTokens
	// OnToken is called when a task starts waiting on a token.
	OnToken func(token string)
}

// runner executes one execution of a machine.
type runner struct {
	top     *Machine
	opts    Options
	clock   Clock
	hooks   Hooks
	info    ExecutionInfo
	execCtx map[string]any
	smCtx   map[string]any
	rand    func() float64
}

type frame struct {
	prefix string
	visits map[string]int
	prev   int64
	silent bool // no history events (distributed map children)
}

// Run executes the machine on input and returns its output or the error it
// failed with. Cancelling ctx stops it; the error is then the cause given to
// context.WithCancelCause if that is an *ExecError, else States.Aborted.
func (m *Machine) Run(ctx context.Context, opts Options, info ExecutionInfo, input any, hooks Hooks) (any, *ExecError) {
	r := newRunner(m, opts, info, input, hooks)
	if m.TimeoutSeconds > 0 {
		var cancel context.CancelCauseFunc
		ctx, cancel = context.WithCancelCause(ctx)
		defer cancel(nil)
		deadline := info.StartTime.Add(time.Duration(m.TimeoutSeconds) * time.Second)
		timer := r.clock.After(deadline.Sub(r.clock.Now()))
		go func() {
			select {
			case <-timer:
				cancel(&ExecError{Name: ErrTimeout, Cause: "The execution timed out", executionTimeout: true})
			case <-ctx.Done():
			}
		}()
	}
	return r.runMachine(ctx, m, &frame{visits: map[string]int{}}, input)
}

func newRunner(m *Machine, opts Options, info ExecutionInfo, input any, hooks Hooks) *runner {
	if opts.Clock == nil {
		opts.Clock = RealClock{}
	}
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	if opts.Account == "" {
		opts.Account = "123456789012"
	}
	if hooks.Tokens == nil {
		hooks.Tokens = NewTaskTokens()
	}
	if info.StartTime.IsZero() {
		info.StartTime = opts.Clock.Now()
	}
	r := &runner{top: m, opts: opts, clock: opts.Clock, hooks: hooks, info: info, rand: opts.Rand}
	if r.rand == nil {
		r.rand = rand.Float64
	}
	r.execCtx = map[string]any{
		"Id": info.ID, "Input": input, "Name": info.Name, "RoleArn": info.RoleArn,
		"StartTime": formatTime(info.StartTime), "RedriveCount": jsonInt(info.RedriveCount),
	}
	r.smCtx = map[string]any{"Id": info.StateMachineID, "Name": info.StateMachineName}
	return r
}

func formatTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func (r *runner) emit(f *frame, typ, field string, details any) {
	if r.hooks.Emit == nil || f.silent {
		return
	}
	f.prev = r.hooks.Emit(Event{Type: typ, DetailsField: field, Details: details}, f.prev)
}

func (r *runner) ctxErr(ctx context.Context) *ExecError {
	var ee *ExecError
	if errors.As(context.Cause(ctx), &ee) {
		return ee
	}
	return &ExecError{Name: ErrExecutionAborted, Cause: "execution stopped"}
}

// specErr names errors the spec reserves but AWS reports as States.Runtime.
func (r *runner) specErr(name, format string, args ...any) *ExecError {
	e := execErr(name, format, args...)
	if !r.opts.SpecErrorNames {
		e.Name = ErrRuntime
	}
	return e
}

func (r *runner) runMachine(ctx context.Context, mc *Machine, f *frame, input any) (any, *ExecError) {
	name := mc.StartAt
	for {
		if ctx.Err() != nil {
			return nil, r.ctxErr(ctx)
		}
		st := mc.States[name]
		next, out, err := r.runState(ctx, st, f, input)
		if err != nil {
			return nil, err
		}
		if next == "" {
			return out, nil
		}
		name, input = next, out
	}
}

// key returns the journal key of this visit of st, "" without a journal.
func (r *runner) key(st *State, f *frame) string {
	if r.hooks.Journal == nil {
		return ""
	}
	f.visits[st.Name]++
	return f.prefix + st.Name + "#" + strconv.Itoa(f.visits[st.Name])
}

// stateCtx builds the context object for a state, or nil when the state
// never reads it.
func (r *runner) stateCtx(st *State, entered time.Time, retry int, token string) map[string]any {
	if !st.usesContext {
		return nil
	}
	c := map[string]any{
		"Execution":    r.execCtx,
		"StateMachine": r.smCtx,
		"State":        map[string]any{"Name": st.Name, "EnteredTime": formatTime(entered), "RetryCount": jsonInt(retry)},
	}
	if token != "" {
		c["Task"] = map[string]any{"Token": token}
	}
	return c
}

func (r *runner) runState(ctx context.Context, st *State, f *frame, raw any) (next string, out any, err *ExecError) {
	// A bug in the engine fails the execution, never the process.
	defer func() {
		if p := recover(); p != nil {
			next, out, err = "", nil, execErr(ErrRuntime, "internal error in state %q: %v", st.Name, p)
		}
	}()
	return r.runStateUnsafe(ctx, st, f, raw)
}

func (r *runner) runStateUnsafe(ctx context.Context, st *State, f *frame, raw any) (string, any, *ExecError) {
	entered := r.clock.Now()
	r.emit(f, st.Type+"StateEntered", "stateEnteredEventDetails", &StateEnteredDetails{Name: st.Name, Input: text(raw)})
	if st.Type == "Fail" {
		return "", nil, r.failState(st, raw, entered)
	}
	var (
		next   string
		out    any
		caught bool
		err    *ExecError
	)
	switch st.Type {
	case "Task", "Parallel", "Map":
		next, out, caught, err = r.withRetry(ctx, st, f, raw, entered)
	default:
		next, out, err = r.simpleState(ctx, st, f, raw, entered)
	}
	if err != nil {
		if ctx.Err() != nil {
			switch st.Type {
			case "Task", "Wait", "Map", "Parallel":
				r.emit(f, st.Type+"StateAborted", "", nil)
			}
		}
		return "", nil, err
	}
	if n := JSONSize(out, MaxPayloadBytes); n > MaxPayloadBytes {
		return "", nil, execErr(ErrDataLimitExceeded, "The state/task '%s' returned a result with a size exceeding the maximum number of bytes service limit.", st.Name)
	}
	if !caught {
		r.emit(f, st.Type+"StateExited", "stateExitedEventDetails", &StateExitedDetails{Name: st.Name, Output: text(out)})
	}
	return next, out, nil
}

func (r *runner) failState(st *State, raw any, entered time.Time) *ExecError {
	e := &ExecError{Name: st.errName, Cause: st.cause}
	c := r.stateCtx(st, entered, 0, "")
	for _, x := range []struct {
		d   *dynamic
		dst *string
	}{{st.errorPath, &e.Name}, {st.causePath, &e.Cause}} {
		if x.d == nil {
			continue
		}
		v, err := r.evalDynamic(x.d, raw, c)
		if err != nil {
			return err
		}
		s, isStr := v.(string)
		if !isStr {
			return execErr(ErrRuntime, "%s in state %q did not give a string", x.d.src, st.Name)
		}
		*x.dst = s
	}
	return e
}

func (r *runner) inputPath(st *State, raw, c any) (any, *ExecError) {
	if st.inputNull {
		return map[string]any{}, nil
	}
	if st.inputPath == nil {
		return raw, nil
	}
	v, ok := st.inputPath.Select(raw, c)
	if !ok {
		return nil, execErr(ErrRuntime, "Invalid path '%s' : No results for path: $['%s']", st.inputPath.src, strings.TrimPrefix(st.inputPath.src, "$."))
	}
	return v, nil
}

func (r *runner) outputPath(st *State, v, c any) (any, *ExecError) {
	if st.outputNull {
		return map[string]any{}, nil
	}
	if st.outputPath == nil {
		return v, nil
	}
	o, ok := st.outputPath.Select(v, c)
	if !ok {
		return nil, execErr(ErrRuntime, "Invalid path '%s' : No results for path: $['%s']", st.outputPath.src, strings.TrimPrefix(st.outputPath.src, "$."))
	}
	return o, nil
}

func applyResultPath(p *Path, isNull bool, raw, result any) (any, *ExecError) {
	if isNull {
		return raw, nil
	}
	if p == nil {
		return result, nil
	}
	out, err := setPath(raw, p.segs, result)
	if err != nil {
		return nil, execErr(ErrResultPathMatchFailure, "Unable to apply ResultPath \"%s\" to input \"%s\": %v", p.src, truncateJSON(raw), err)
	}
	return out, nil
}

func (r *runner) simpleState(ctx context.Context, st *State, f *frame, raw any, entered time.Time) (string, any, *ExecError) {
	c := r.stateCtx(st, entered, 0, "")
	eff, err := r.inputPath(st, raw, c)
	if err != nil {
		return "", nil, err
	}
	next := st.Next
	switch st.Type {
	case "Pass":
		if st.parameters != nil {
			if eff, err = r.evalTemplate(st.parameters, eff, c); err != nil {
				return "", nil, err
			}
		}
		result := eff
		if st.hasResult {
			result = st.result
		}
		if eff, err = applyResultPath(st.resultPath, st.resultNull, raw, result); err != nil {
			return "", nil, err
		}
	case "Choice":
		next = ""
		for _, rule := range st.choices {
			ok, err := r.matches(rule, eff, c)
			if err != nil {
				return "", nil, err
			}
			if ok {
				next = rule.next
				break
			}
		}
		if next == "" {
			next = st.defaultNext
		}
		if next == "" {
			return "", nil, r.specErr(ErrNoChoiceMatched, "No Choice Rules matched and no Default was specified in state %q", st.Name)
		}
	case "Wait":
		if err := r.wait(ctx, st, f, eff, c); err != nil {
			return "", nil, err
		}
	case "Succeed":
		next = ""
	}
	out, err := r.outputPath(st, eff, c)
	if err != nil {
		return "", nil, err
	}
	if st.End {
		next = ""
	}
	return next, out, nil
}

func (r *runner) wait(ctx context.Context, st *State, f *frame, eff, c any) *ExecError {
	key := r.key(st, f)
	var deadline time.Time
	if rec, ok := r.journalGet(key + "/wait"); ok {
		deadline = time.Unix(0, rec.Time)
	} else {
		now := r.clock.Now()
		switch {
		case st.seconds != nil:
			deadline = now.Add(time.Duration(*st.seconds) * time.Second)
		case st.timestamp != nil:
			deadline = *st.timestamp
		case st.secondsPath != nil:
			v, ok := st.secondsPath.Select(eff, c)
			n, isInt := toInt(v)
			if !ok || !isInt || n < 0 {
				return execErr(ErrRuntime, "The SecondsPath parameter does not reference a valid integer value: %s", st.secondsPath.src)
			}
			deadline = now.Add(time.Duration(n) * time.Second)
		case st.timestampPath != nil:
			v, ok := st.timestampPath.Select(eff, c)
			s, _ := v.(string)
			t, valid := parseTimestamp(s)
			if !ok || !valid {
				return execErr(ErrRuntime, "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: %s", st.timestampPath.src)
			}
			deadline = t
		}
		r.journalPut(Record{Key: key + "/wait", Kind: "wait", Time: deadline.UnixNano()})
	}
	return r.sleepUntil(ctx, deadline)
}

func (r *runner) sleepUntil(ctx context.Context, t time.Time) *ExecError {
	d := t.Sub(r.clock.Now())
	if d <= 0 {
		return nil
	}
	select {
	case <-r.clock.After(d):
		return nil
	case <-ctx.Done():
		return r.ctxErr(ctx)
	}
}

func (r *runner) journalGet(key string) (Record, bool) {
	if r.hooks.Journal == nil || key == "" || strings.HasPrefix(key, "/") {
		return Record{}, false
	}
	return r.hooks.Journal.Get(key)
}

func (r *runner) journalPut(rec Record) {
	if r.hooks.Journal == nil || rec.Key == "" || strings.HasPrefix(rec.Key, "/") {
		return
	}
	r.hooks.Journal.Put(rec)
}

func jsonInt(n int) any { return jsonNumber(strconv.Itoa(n)) }
