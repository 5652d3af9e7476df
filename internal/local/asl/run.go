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
	// test is set when the run is a TestState: one state, mocked results,
	// no waiting, retries reported instead of made.
	test *testRun
}

type frame struct {
	prefix string
	visits map[string]int
	prev   int64
	silent bool      // no history events (distributed map children)
	vars   *varScope // the workflow variables of this scope
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
	return r.runMachine(ctx, m, &frame{visits: map[string]int{}, vars: newScope(nil, false)}, input)
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

// newEnv builds what a visit of st reads besides its input: the context
// object (only when the state reads it) and the variables in scope.
func (r *runner) newEnv(st *State, f *frame, entered time.Time, enteredID int64, retry int, token, key string) *stateEnv {
	env := &stateEnv{vars: f.vars, entered: enteredID, st: st, f: f, key: key}
	if !st.usesContext {
		return env
	}
	env.ctx = map[string]any{
		"Execution":    r.execCtx,
		"StateMachine": r.smCtx,
		"State":        map[string]any{"Name": st.Name, "EnteredTime": formatTime(entered), "RetryCount": jsonInt(retry)},
	}
	if token != "" {
		env.ctx["Task"] = map[string]any{"Token": token}
	}
	if r.test != nil {
		r.test.overlayContext(env.ctx)
	}
	return env
}

// stepResult is how a state ended: where to go, its output, and the
// variables it assigns (set once it has ended, so that everything the state
// evaluated read the values from its entry).
type stepResult struct {
	next   string
	out    any
	caught bool // a Catcher chose next: AWS then records no StateExited
	assign map[string]any
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
	enteredID := f.prev
	key := r.key(st, f)
	if st.Type == "Fail" {
		return "", nil, r.failState(st, r.newEnv(st, f, entered, enteredID, 0, "", key), raw)
	}
	var (
		res stepResult
		err *ExecError
	)
	switch st.Type {
	case "Task", "Parallel", "Map":
		res, err = r.withRetry(ctx, st, f, key, raw, entered, enteredID)
	default:
		res, err = r.simpleState(ctx, st, r.newEnv(st, f, entered, enteredID, 0, "", key), raw)
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
	if n := JSONSize(res.out, MaxPayloadBytes); n > MaxPayloadBytes {
		return "", nil, execErr(ErrDataLimitExceeded, "The state/task '%s' returned a result with a size exceeding the maximum number of bytes service limit.", st.Name)
	}
	if err := checkAssigned(st, res.assign); err != nil {
		return "", nil, err
	}
	f.vars.set(res.assign)
	if r.test != nil {
		r.test.finish(res, f.vars)
	}
	if !res.caught {
		d := &StateExitedDetails{Name: st.Name, Output: text(res.out), AssignedVariables: assignedDetails(res.assign)}
		if d.AssignedVariables != nil {
			d.AssignedVariablesDetails = &PayloadDetails{}
		}
		r.emit(f, st.Type+"StateExited", "stateExitedEventDetails", d)
	}
	return res.next, res.out, nil
}

// checkAssigned enforces the developer guide's limits on Assign.
func checkAssigned(st *State, assigned map[string]any) *ExecError {
	total := 0
	for _, k := range sortedNames(assigned) {
		n := JSONSize(assigned[k], maxVariableBytes)
		if n > maxVariableBytes {
			return execErr(ErrDataLimitExceeded, "The variable '%s' assigned by the state '%s' has a size exceeding the maximum number of bytes service limit.", k, st.Name)
		}
		total += n
	}
	if total > maxAssignBytes {
		return execErr(ErrDataLimitExceeded, "The variables assigned by the state '%s' have a combined size exceeding the maximum number of bytes service limit.", st.Name)
	}
	return nil
}

func (r *runner) failState(st *State, env *stateEnv, raw any) *ExecError {
	e := &ExecError{Name: st.errName, Cause: st.cause}
	if st.jsonata {
		s := jstates{input: raw}
		for _, x := range []struct {
			t     *jtemplate
			field string
			dst   *string
		}{{st.errorExpr, "Error", &e.Name}, {st.causeExpr, "Cause", &e.Cause}} {
			if x.t == nil {
				continue
			}
			v, err := r.evalJ(x.t, x.field, s, env)
			if err != nil {
				return err
			}
			str, isStr := v.(string)
			if !isStr {
				return r.typeError(env, x.t, x.field, "string", v)
			}
			*x.dst = str
		}
		return e
	}
	for _, x := range []struct {
		d   *dynamic
		dst *string
	}{{st.errorPath, &e.Name}, {st.causePath, &e.Cause}} {
		if x.d == nil {
			continue
		}
		v, err := r.evalDynamic(x.d, raw, env)
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

func (r *runner) inputPath(st *State, raw any, env *stateEnv) (any, *ExecError) {
	if st.inputNull {
		return map[string]any{}, nil
	}
	if st.inputPath == nil {
		return raw, nil
	}
	v, ok := st.inputPath.sel(raw, env)
	if !ok {
		return nil, execErr(ErrRuntime, "Invalid path '%s' : No results for path: $['%s']", st.inputPath.src, strings.TrimPrefix(st.inputPath.src, "$."))
	}
	return v, nil
}

func (r *runner) outputPath(st *State, v any, env *stateEnv) (any, *ExecError) {
	if st.outputNull {
		return map[string]any{}, nil
	}
	if st.outputPath == nil {
		return v, nil
	}
	o, ok := st.outputPath.sel(v, env)
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

// evalAssign computes the variables an Assign sets. A JSONPath Assign reads
// input ("$"): the state's result, or its effective input where it has no
// result; a JSONata one reads $states.
func (r *runner) evalAssign(a *assignment, field string, input any, s jstates, env *stateEnv) (map[string]any, *ExecError) {
	if a == nil {
		return nil, nil
	}
	var v any
	var err *ExecError
	if a.jsonata != nil {
		v, err = r.evalJ(a.jsonata, field, s, env)
	} else {
		v, err = r.evalTemplate(a.path, input, env)
	}
	if err != nil {
		return nil, err
	}
	m, _ := v.(map[string]any)
	return m, nil
}

// noChoice is the failure of a Choice state that matched no rule and has no
// Default: States.NoChoiceMatched, as AWS reports it.
func (r *runner) noChoice() *ExecError {
	return &ExecError{Name: ErrNoChoiceMatched, Cause: "No Matches!"}
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
