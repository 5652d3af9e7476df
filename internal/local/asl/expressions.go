package asl

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"breachflow/internal/local/asl/jsonata"
)

// jtemplate is a compiled value of a JSONata state's field (Arguments,
// Output, Assign, Items, ItemSelector, Condition, TimeoutSeconds...):
// literals are kept as they are, and every string that is exactly
// "{% expression %}" is an expression evaluated per use.
type jtemplate struct {
	static bool
	lit    any
	expr   *jsonata.Expr
	keys   []string     // object members, in sorted order
	subs   []*jtemplate // object members or array elements
	array  bool
}

// jsonataSource returns the expression of a "{% ... %}" string.
func jsonataSource(s string) (string, bool) {
	if len(s) >= 4 && strings.HasPrefix(s, "{%") && strings.HasSuffix(s, "%}") {
		return strings.TrimSpace(s[2 : len(s)-2]), true
	}
	return "", false
}

// compileJ compiles a field value; where is the field's path for errors
// ("Output/result").
func compileJ(v any, where string) (*jtemplate, error) {
	switch x := v.(type) {
	case string:
		src, ok := jsonataSource(x)
		if !ok {
			return &jtemplate{static: true, lit: x}, nil
		}
		e, err := jsonata.Compile(src)
		if err != nil {
			return nil, &fieldError{field: where, msg: err.Error()}
		}
		return &jtemplate{expr: e}, nil
	case map[string]any:
		t := &jtemplate{static: true, lit: x}
		for _, k := range sortedKeys(x) {
			sub, err := compileJ(x[k], where+"/"+k)
			if err != nil {
				return nil, err
			}
			t.static = t.static && sub.static
			t.keys = append(t.keys, k)
			t.subs = append(t.subs, sub)
		}
		if t.static {
			t.keys, t.subs = nil, nil
		}
		return t, nil
	case []any:
		t := &jtemplate{static: true, lit: x, array: true}
		for i, e := range x {
			sub, err := compileJ(e, where+"/"+strconv.Itoa(i))
			if err != nil {
				return nil, err
			}
			t.static = t.static && sub.static
			t.subs = append(t.subs, sub)
		}
		if t.static {
			t.subs = nil
		}
		return t, nil
	}
	return &jtemplate{static: true, lit: v}, nil
}

// fieldError is a definition error in one field of a state, located by its
// path below the state ("Assign/states").
type fieldError struct{ field, msg string }

func (e *fieldError) Error() string { return e.msg }

// exprs calls fn for every expression of the template.
func (t *jtemplate) exprs(fn func(*jsonata.Expr)) {
	if t == nil {
		return
	}
	if t.expr != nil {
		fn(t.expr)
	}
	for _, s := range t.subs {
		s.exprs(fn)
	}
}

// jstates is the $states a JSONata expression reads.
type jstates struct {
	input       any
	result      any
	hasResult   bool
	errorOutput any
	hasError    bool
}

// evalJ evaluates a template. field names it in errors ("Output",
// "Arguments/Payload"), as AWS does.
func (r *runner) evalJ(t *jtemplate, field string, s jstates, env *stateEnv) (any, *ExecError) {
	if t.static {
		return t.lit, nil
	}
	if t.expr != nil {
		return r.evalExpr(t.expr, field, s, env)
	}
	if t.array {
		out := make([]any, len(t.subs))
		for i, sub := range t.subs {
			v, err := r.evalJ(sub, field+"/"+strconv.Itoa(i), s, env)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	}
	out := make(map[string]any, len(t.keys))
	for i, k := range t.keys {
		v, err := r.evalJ(t.subs[i], field+"/"+k, s, env)
		if err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, nil
}

// evalExpr evaluates one expression. An expression that reads $uuid(),
// $random(), $now() or $millis() gives a different value each time, so its
// value is journaled: a resumed execution reads what the first run drew.
func (r *runner) evalExpr(e *jsonata.Expr, field string, s jstates, env *stateEnv) (any, *ExecError) {
	jkey := ""
	if env.key != "" && e.Nondeterministic() {
		jkey = env.key + "/expr/" + field
		if rec, ok := r.journalGet(jkey); ok {
			if v, err := DecodeJSON([]byte(rec.Value)); err == nil {
				return v, nil
			}
		}
	}
	v, err := e.Eval(jsonata.Env{Now: r.clock.Now(), Lookup: func(name string) (any, bool) {
		if name == "states" {
			m := map[string]any{"input": s.input}
			if env.ctx != nil {
				m["context"] = env.ctx
			}
			if s.hasResult {
				m["result"] = s.result
			}
			if s.hasError {
				m["errorOutput"] = s.errorOutput
			}
			return m, true
		}
		if env.vars == nil {
			return nil, false
		}
		return env.vars.lookup(name)
	}})
	if err != nil {
		return nil, r.queryError(env, e, field, err)
	}
	if jkey != "" {
		r.journalPut(Record{Key: jkey, Kind: "expr", Value: mustEncode(v)})
	}
	return v, nil
}

// queryError is States.QueryEvaluationError with AWS's cause, recorded as
// an EvaluationFailed event.
func (r *runner) queryError(env *stateEnv, e *jsonata.Expr, field string, err error) *ExecError {
	var what string
	var ee *jsonata.EvalError
	switch {
	case errors.Is(err, jsonata.ErrUndefined):
		what = "returned nothing (undefined)."
	case errors.Is(err, jsonata.ErrUnsupportedResult):
		what = "returned an unsupported result type."
	case errors.As(err, &ee):
		what = "threw an error during evaluation. " + ee.Message
	default:
		what = "threw an error during evaluation. " + err.Error()
	}
	return r.evaluationFailed(env, field, fmt.Sprintf("The JSONata expression '%s' specified for the field '%s' %s", e, field, what))
}

// typeError is States.QueryEvaluationError for an expression whose value
// has the wrong type for its field.
func (r *runner) typeError(env *stateEnv, t *jtemplate, field, want string, got any) *ExecError {
	src := mustEncode(t.lit)
	if t.expr != nil {
		src = t.expr.String()
	}
	return r.evaluationFailed(env, field, fmt.Sprintf("The JSONata expression '%s' specified for the field '%s' returned an unexpected result type. Expected '%s', but was '%s' for value: %s",
		src, field, want, typeName(got), mustEncode(got)))
}

func (r *runner) evaluationFailed(env *stateEnv, field, what string) *ExecError {
	name := ""
	if env.st != nil {
		name = env.st.Name
	}
	cause := fmt.Sprintf("An error occurred while executing the state '%s' (entered at the event id #%d). %s", name, env.entered, what)
	if env.f != nil {
		r.emit(env.f, "EvaluationFailed", "evaluationFailedEventDetails", &EvaluationFailedDetails{Error: ErrQueryEvaluationError, Cause: cause, Location: field, State: name})
	}
	return &ExecError{Name: ErrQueryEvaluationError, Cause: cause}
}

// evalInt evaluates a numeric field of a JSONata state (TimeoutSeconds,
// MaxConcurrency...): a number, or an expression giving a whole number.
func (r *runner) evalInt(t *jtemplate, field string, s jstates, env *stateEnv, least int) (int, *ExecError) {
	v, err := r.evalJ(t, field, s, env)
	if err != nil {
		return 0, err
	}
	n, ok := toInt(v)
	if !ok || n < least {
		return 0, r.typeError(env, t, field, "integer", v)
	}
	return n, nil
}
