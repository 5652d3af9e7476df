package asl

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"
)

// Inspection levels of TestState.
const (
	InspectionInfo  = "INFO"
	InspectionDebug = "DEBUG"
	InspectionTrace = "TRACE"
)

// TestState statuses.
const (
	TestSucceeded   = "SUCCEEDED"
	TestFailed      = "FAILED"
	TestRetriable   = "RETRIABLE"
	TestCaughtError = "CAUGHT_ERROR"
)

// TestStateInput is one TestState call, as AWS's API takes it.
type TestStateInput struct {
	// Definition is one state, or a whole state machine with StateName
	// naming the state to test (at any depth).
	Definition []byte
	StateName  string
	// Input is the state's input (decoded); nil means {}.
	Input any
	// InspectionLevel is INFO (default), DEBUG or TRACE.
	InspectionLevel string
	// Mock replaces the state's work: a Task's call, a Map's iterations, a
	// Parallel's branches.
	Mock *TestMock
	// Context is merged over the context object (Execution, State, Task...).
	Context map[string]any
	// Variables are the workflow variables in scope when the state starts.
	Variables map[string]any
	// RetrierRetryCount is how many retries have already been made: a
	// retrier with fewer MaxAttempts no longer retries.
	RetrierRetryCount int
}

// TestMock is a mocked result (JSON text) or error.
type TestMock struct {
	Result              string
	IsError             bool
	Error, Cause        string
	FieldValidationMode string // STRICT, PRESENT or NONE; only JSON validity is checked locally
}

// TestStateResult is what TestState reports.
type TestStateResult struct {
	Status       string
	Output       string // JSON text; "" when the state did not produce one
	NextState    string
	Error, Cause string
	// Inspection is nil at INFO.
	Inspection *Inspection
}

// Inspection is the data flow through the state (DEBUG and TRACE). Each
// string is JSON text, "" when the step did not happen.
type Inspection struct {
	Input, AfterInputPath, AfterParameters, Result, AfterResultSelector, AfterResultPath string
	AfterArguments, AfterItemSelector, Variables                                         string
	MaxConcurrency                                                                       *int
	CatchIndex, RetryIndex, RetryBackoffIntervalSeconds                                  *int
}

// testRun is the runner's TestState mode.
type testRun struct {
	state          *State
	mock           *TestMock
	context        map[string]any
	retryCount     int
	debug          bool
	points         map[string]string
	maxConcurrency *int
	catchIndex     *int
	retryIndex     *int
	backoff        *int
	variables      map[string]any
}

func (t *testRun) mockResult() (any, *ExecError) {
	if t.mock.IsError {
		return nil, &ExecError{Name: t.mock.Error, Cause: t.mock.Cause}
	}
	v, err := DecodeJSON([]byte(t.mock.Result))
	if err != nil {
		return nil, execErr(ErrRuntime, "the mocked result is not JSON: %v", err)
	}
	return v, nil
}

func (t *testRun) overlayContext(ctx map[string]any) {
	for k, v := range t.context {
		over, isMap := v.(map[string]any)
		base, baseIsMap := ctx[k].(map[string]any)
		if !isMap || !baseIsMap {
			ctx[k] = v
			continue
		}
		merged := make(map[string]any, len(base)+len(over))
		for bk, bv := range base {
			merged[bk] = bv
		}
		for ok, ov := range over {
			merged[ok] = ov
		}
		ctx[k] = merged
	}
}

func (t *testRun) retriable(i int, delay time.Duration) {
	s := int(math.Round(delay.Seconds()))
	t.retryIndex, t.backoff = &i, &s
}

func (t *testRun) caught(i int, _ *ExecError) { t.catchIndex = &i }

func (t *testRun) finish(_ stepResult, scope *varScope) { t.variables = scope.all() }

// inspect records a step of the tested state's data flow at DEBUG.
func (r *runner) inspect(st *State, point string, v any) {
	if r.test == nil || !r.test.debug || r.test.state != st {
		return
	}
	if _, seen := r.test.points[point]; !seen {
		r.test.points[point] = mustEncode(v)
	}
}

// TestState runs one state in isolation, as AWS's TestState API does:
// with its input, the context and variables given, and a mocked result or
// error in place of its work. Retries are reported (RETRIABLE), not made;
// a Wait state does not wait. Errors are *DefinitionError for a bad
// definition and plain errors for a bad request.
func TestState(ctx context.Context, in TestStateInput, opts Options) (*TestStateResult, error) {
	st, err := testedState(in.Definition, in.StateName)
	if err != nil {
		return nil, err
	}
	level := in.InspectionLevel
	switch level {
	case "":
		level = InspectionInfo
	case InspectionInfo, InspectionDebug, InspectionTrace:
	default:
		return nil, fmt.Errorf("inspectionLevel must be INFO, DEBUG or TRACE")
	}
	if in.Mock != nil && st.Type != "Task" && st.Type != "Map" && st.Type != "Parallel" {
		return nil, fmt.Errorf("A mock can only be specified for Task, Map, or Parallel states")
	}
	if in.Context != nil && in.Mock == nil {
		return nil, fmt.Errorf("A context can only be specified together with a mock")
	}
	if in.Mock != nil && !in.Mock.IsError {
		if _, err := DecodeJSON([]byte(in.Mock.Result)); err != nil {
			return nil, fmt.Errorf("The mocked result is not valid JSON: %v", err)
		}
	}
	for name := range in.Variables {
		if why := checkVarName(name); why != "" {
			return nil, fmt.Errorf("variables: %s", why)
		}
	}
	input := in.Input
	if input == nil {
		input = map[string]any{}
	}
	tr := &testRun{state: st, mock: in.Mock, context: in.Context, retryCount: in.RetrierRetryCount,
		debug: level != InspectionInfo, points: map[string]string{}}
	if st.usesContext || in.Context != nil {
		st = withContext(st)
		tr.state = st
	}
	info := ExecutionInfo{Name: "TestState", ID: fmt.Sprintf("arn:aws:states:%s:%s:execution:TestStateMachine:TestState", orDefault(opts.Region, "us-east-1"), orDefault(opts.Account, "123456789012")),
		StateMachineName: "TestStateMachine", StateMachineID: fmt.Sprintf("arn:aws:states:%s:%s:stateMachine:TestStateMachine", orDefault(opts.Region, "us-east-1"), orDefault(opts.Account, "123456789012"))}
	r := newRunner(&Machine{StartAt: st.Name, States: map[string]*State{st.Name: st}}, opts, info, input, Hooks{})
	r.test = tr
	scope := newScope(nil, false)
	scope.set(in.Variables)
	f := &frame{visits: map[string]int{}, vars: scope}
	next, out, xerr := r.runState(ctx, st, f, input)
	res := &TestStateResult{}
	switch {
	case xerr == nil && tr.catchIndex != nil:
		res.Status, res.NextState = TestCaughtError, next
		res.Output = mustEncode(out)
		if m, ok := out.(map[string]any); ok && !st.jsonata {
			res.Error, _ = m["Error"].(string)
			res.Cause, _ = m["Cause"].(string)
		}
	case xerr == nil:
		res.Status, res.NextState, res.Output = TestSucceeded, next, mustEncode(out)
	case tr.retryIndex != nil:
		res.Status, res.Error, res.Cause = TestRetriable, xerr.Name, xerr.Cause
	default:
		res.Status, res.Error, res.Cause = TestFailed, xerr.Name, xerr.Cause
	}
	if tr.debug {
		p := tr.points
		ins := &Inspection{Input: mustEncode(input), AfterInputPath: p["afterInputPath"], AfterParameters: p["afterParameters"],
			Result: p["result"], AfterResultSelector: p["afterResultSelector"], AfterResultPath: p["afterResultPath"],
			AfterArguments: p["afterArguments"], AfterItemSelector: p["afterItemSelector"], MaxConcurrency: tr.maxConcurrency,
			CatchIndex: tr.catchIndex, RetryIndex: tr.retryIndex, RetryBackoffIntervalSeconds: tr.backoff}
		if vars := tr.variables; len(vars) > 0 || len(in.Variables) > 0 {
			if vars == nil {
				vars = in.Variables
			}
			ins.Variables = mustEncode(vars)
		}
		res.Inspection = ins
	}
	return res, nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// withContext returns a copy of st that builds the context object, so that
// a context given to TestState reaches the state.
func withContext(st *State) *State {
	c := *st
	c.usesContext = true
	return &c
}

// testedState finds the state a TestState call tests.
func testedState(definition []byte, name string) (*State, error) {
	raw, err := DecodeJSON(definition)
	if err != nil {
		return nil, &DefinitionError{Reason: "definition is not valid JSON: " + err.Error()}
	}
	m, ok := raw.(map[string]any)
	if !ok {
		return nil, &DefinitionError{Reason: "definition must be a JSON object"}
	}
	if name != "" {
		mc, err := Parse(definition)
		if err != nil {
			return nil, err
		}
		if st := findState(mc, name); st != nil {
			return st, nil
		}
		return nil, fmt.Errorf("the state %q is not in the definition", name)
	}
	if _, isState := m["Type"]; !isState {
		return nil, fmt.Errorf("the definition is a state machine: name the state to test (stateName)")
	}
	// One state: its transitions lead outside the definition, so only the
	// state itself is checked.
	const testName = "TestState"
	st, err := parseState(testName, m, parseCtx{})
	if err != nil {
		switch e := err.(type) {
		case *DefinitionError:
			return nil, e
		case *fieldError:
			return nil, schemaErr(testName, "/"+e.field, "%s", e.msg)
		}
		return nil, &DefinitionError{StateName: testName, Reason: err.Error()}
	}
	enc := mustEncode(m)
	st.usesContext = strings.Contains(enc, "$$") || st.jsonata && strings.Contains(enc, "$states")
	return st, nil
}

func findState(mc *Machine, name string) *State {
	if st, ok := mc.States[name]; ok {
		return st
	}
	for _, st := range mc.States {
		for _, b := range st.branches {
			if found := findState(b, name); found != nil {
				return found
			}
		}
		if st.processor != nil {
			if found := findState(st.processor, name); found != nil {
				return found
			}
		}
	}
	return nil
}
