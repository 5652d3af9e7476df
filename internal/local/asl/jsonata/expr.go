package jsonata

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	jsonata "github.com/blues/jsonata-go"
	"github.com/blues/jsonata-go/jparse"
)

// ErrUndefined is what Eval returns when the expression has no value (a
// path that matches nothing, an unset variable). JSON cannot carry
// "undefined", so Step Functions fails the state (States.QueryEvaluationError).
var ErrUndefined = errors.New("returned nothing (undefined)")

// ErrUnsupportedResult is what Eval returns when the value is one JSON
// cannot carry, such as a function.
var ErrUnsupportedResult = errors.New("returned an unsupported result type")

// EvalError is an error raised while evaluating: Message is the JSONata
// error code and text, as AWS puts it after "threw an error during
// evaluation." (e.g. "T1006: Attempted to invoke a non-function").
type EvalError struct{ Message string }

func (e *EvalError) Error() string { return e.Message }

// SyntaxError is an expression that does not parse.
type SyntaxError struct {
	Expr string
	Err  error
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("the JSONata expression '%s' is not valid: %v", e.Expr, e.Err)
}

func (e *SyntaxError) Unwrap() error { return e.Err }

// evalMu serializes evaluations: the library's built-in functions are
// shared objects into which each call writes its evaluation context
// (callable.go, SetContext), so two evaluations at once would read each
// other's context. Evaluations are microseconds; the engine's parallelism is
// in tasks and Map iterations, not here.
var evalMu sync.Mutex

// Expr is a compiled expression (the text between "{%" and "%}").
type Expr struct {
	src string
	// names are the $names the text reads; states lists the members of
	// $states it reads (nil with allStates).
	names     []string
	states    []string
	allStates bool
	funcs     map[string]jsonata.Extension
}

// Env is what an evaluation reads besides the expression.
type Env struct {
	// Lookup returns the value of $name (engine values: numbers as
	// json.Number). "states" must return a map whose members (input,
	// context, result, errorOutput) are read only if the expression names
	// them.
	Lookup func(name string) (any, bool)
	// Now is the time $now() and $millis() return; zero means time.Now().
	Now time.Time
}

// Compile parses an expression. A syntax error is a *SyntaxError.
func Compile(src string) (*Expr, error) {
	if _, err := compile(src); err != nil {
		return nil, &SyntaxError{Expr: src, Err: err}
	}
	e := &Expr{src: src}
	seen := map[string]bool{}
	for _, r := range references(src) {
		if r.name == "states" {
			switch {
			case r.member == "":
				e.allStates = true
			case !seen["states."+r.member]:
				seen["states."+r.member] = true
				e.states = append(e.states, r.member)
			}
		}
		if seen[r.name] {
			continue
		}
		seen[r.name] = true
		e.names = append(e.names, r.name)
		if ext, ok := awsFunctions[r.name]; ok {
			if e.funcs == nil {
				e.funcs = map[string]jsonata.Extension{}
			}
			e.funcs[r.name] = ext
		}
	}
	sort.Strings(e.names)
	return e, nil
}

// compile parses with the library, turning its panics into errors.
func compile(src string) (x *jsonata.Expr, err error) {
	defer func() {
		if p := recover(); p != nil {
			x, err = nil, fmt.Errorf("%v", p)
		}
	}()
	return jsonata.Compile(src)
}

// String returns the expression text.
func (e *Expr) String() string { return e.src }

// Names returns the $names the expression reads, sorted, including
// "states" and function names.
func (e *Expr) Names() []string { return e.names }

// Eval evaluates the expression. The result is an engine value (numbers as
// json.Number, written as JavaScript writes them). Errors are ErrUndefined,
// ErrUnsupportedResult or *EvalError.
func (e *Expr) Eval(env Env) (any, error) {
	vars := make(map[string]any, len(e.names))
	for _, n := range e.names {
		if _, isFunc := e.funcs[n]; isFunc || env.Lookup == nil {
			continue
		}
		v, ok := env.Lookup(n)
		if !ok {
			continue
		}
		if n == "states" {
			v = e.statesValue(v)
		}
		vars[n] = toJSONata(v)
	}
	now := env.Now
	if now.IsZero() {
		now = time.Now()
	}
	evalMu.Lock()
	defer evalMu.Unlock()
	// A fresh compile per evaluation: the library rewrites the tree of an
	// expression that uses "~>" each time it evaluates it, and keeps
	// variables in the compiled object. Compiling is a few microseconds.
	x, err := compile(e.src)
	if err != nil {
		return nil, &SyntaxError{Expr: e.src, Err: err}
	}
	if err := x.RegisterExts(clockFunctions(now)); err != nil {
		return nil, err
	}
	if len(e.funcs) > 0 {
		if err := x.RegisterExts(e.funcs); err != nil {
			return nil, err
		}
	}
	if len(vars) > 0 {
		if err := x.RegisterVars(vars); err != nil {
			return nil, err
		}
	}
	v, err := eval(x)
	if err != nil {
		if errors.Is(err, jsonata.ErrUndefined) {
			return nil, ErrUndefined
		}
		return nil, &EvalError{Message: describe(err)}
	}
	out, err := fromJSONata(v)
	if err != nil {
		if errors.Is(err, errUnsupported) {
			return nil, ErrUnsupportedResult
		}
		return nil, &EvalError{Message: err.Error()}
	}
	return out, nil
}

func eval(x *jsonata.Expr) (v any, err error) {
	defer func() {
		if p := recover(); p != nil {
			v, err = nil, fmt.Errorf("%v", p)
		}
	}()
	return x.Eval(nil)
}

// statesValue keeps only the members of $states the expression reads, so
// that a large input is not converted for an expression that reads the
// context only.
func (e *Expr) statesValue(v any) any {
	m, ok := v.(map[string]any)
	if !ok || e.allStates {
		return v
	}
	out := make(map[string]any, len(e.states))
	for _, k := range e.states {
		if x, ok := m[k]; ok {
			out[k] = x
		}
	}
	return out
}

// describe gives a library error JSONata's code and wording where the two
// correspond.
func describe(err error) string {
	var ee *jsonata.EvalError
	if errors.As(err, &ee) {
		switch ee.Type {
		case jsonata.ErrNonCallable, jsonata.ErrNonCallableApply, jsonata.ErrNonCallablePartial:
			return "T1006: Attempted to invoke a non-function"
		case jsonata.ErrNonNumberLHS:
			return fmt.Sprintf("T2001: The left side of the %s operator must evaluate to a number", ee.Value)
		case jsonata.ErrNonNumberRHS:
			return fmt.Sprintf("T2002: The right side of the %s operator must evaluate to a number", ee.Value)
		case jsonata.ErrNonIntegerLHS:
			return "T2003: The left side of the range operator (..) must evaluate to an integer"
		case jsonata.ErrNonIntegerRHS:
			return "T2004: The right side of the range operator (..) must evaluate to an integer"
		case jsonata.ErrNonComparableLHS, jsonata.ErrNonComparableRHS:
			return fmt.Sprintf("T2010: The expressions either side of operator %q must evaluate to numeric or string values", ee.Value)
		case jsonata.ErrTypeMismatch:
			return fmt.Sprintf("T2009: The values either side of operator %q must be of the same data type", ee.Value)
		case jsonata.ErrNumberInf, jsonata.ErrNumberNaN:
			return "D1001: Number out of range"
		case jsonata.ErrMaxRangeItems:
			return "D2014: The size of the sequence allocated by the range operator (..) must not exceed 1e7"
		}
	}
	var ac *jsonata.ArgCountError
	var at *jsonata.ArgTypeError
	switch {
	case errors.As(err, &ac):
		return fmt.Sprintf("T0410: Argument %d of function %q does not match function signature", min(ac.Expected, ac.Received)+1, ac.Func)
	case errors.As(err, &at):
		return fmt.Sprintf("T0410: Argument %d of function %q does not match function signature", at.Which, at.Func)
	}
	var pe *jparse.Error
	if errors.As(err, &pe) {
		return pe.Error()
	}
	return err.Error()
}

// reference is one $name in an expression, with the member after it when
// the name is "states" ($states.input -> member "input").
type reference struct{ name, member string }

// references lists the $names an expression text reads, skipping string
// literals, comments and back-quoted names.
func references(src string) []reference {
	var out []reference
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '"' || c == '\'':
			i = skipString(src, i)
		case c == '`':
			if j := strings.IndexByte(src[i+1:], '`'); j >= 0 {
				i += j + 2
			} else {
				i = len(src)
			}
		case c == '/' && strings.HasPrefix(src[i:], "/*"):
			if j := strings.Index(src[i+2:], "*/"); j >= 0 {
				i += j + 4
			} else {
				i = len(src)
			}
		case c == '$':
			j := i + 1
			for j < len(src) {
				r, size := utf8.DecodeRuneInString(src[j:])
				if r != '_' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
					break
				}
				j += size
			}
			if j > i+1 {
				ref := reference{name: src[i+1 : j]}
				if ref.name == "states" {
					k := j
					for k < len(src) && src[k] == ' ' {
						k++
					}
					if k < len(src) && src[k] == '.' {
						k++
						m := k
						for m < len(src) && (src[m] == '_' || unicode.IsLetter(rune(src[m])) || unicode.IsDigit(rune(src[m]))) {
							m++
						}
						ref.member = src[k:m]
					}
				}
				out = append(out, ref)
			}
			i = j
		default:
			i++
		}
	}
	return out
}

func skipString(src string, i int) int {
	q := src[i]
	for j := i + 1; j < len(src); j++ {
		switch src[j] {
		case '\\':
			j++
		case q:
			return j + 1
		}
	}
	return len(src)
}

// Nondeterministic reports whether the expression may give another value
// each time: it calls $uuid, $random, $now or $millis.
func (e *Expr) Nondeterministic() bool {
	for _, n := range e.names {
		switch n {
		case "uuid", "random", "now", "millis":
			return true
		}
	}
	return false
}
