package intrinsic

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
)

// Eval evaluates the parsed call. resolve evaluates a JSONPath argument.
func (e *Expr) Eval(resolve func(path string) (any, error)) (any, error) {
	return e.call.eval(resolve)
}

func (c *call) eval(resolve func(string) (any, error)) (any, error) {
	args := make([]any, len(c.args))
	for i, a := range c.args {
		switch a := a.(type) {
		case literal:
			args[i] = a.value
		case path:
			v, err := resolve(string(a))
			if err != nil {
				return nil, &Error{Func: c.name, Reason: fmt.Sprintf("argument %d: path %s", i+1, string(a)), Err: err}
			}
			args[i] = v
		case *call:
			v, err := a.eval(resolve)
			if err != nil {
				return nil, err
			}
			args[i] = v
		}
	}
	a := &argList{fn: c.name, vals: args, nodes: c.args}
	v, err := c.fn.eval(a)
	if err != nil {
		return nil, err
	}
	return v, nil
}

// argList gives the function bodies typed access to their arguments with
// errors that name the function and the argument position.
type argList struct {
	fn    string
	vals  []any
	nodes []node
}

func (a *argList) errorf(format string, args ...any) error {
	return &Error{Func: a.fn, Reason: fmt.Sprintf(format, args...)}
}

func (a *argList) String(i int) (string, error) {
	s, ok := a.vals[i].(string)
	if !ok {
		return "", a.errorf("argument %d must be a string, got %s", i+1, typeName(a.vals[i]))
	}
	return s, nil
}

func (a *argList) Array(i int) ([]any, error) {
	s, ok := a.vals[i].([]any)
	if !ok {
		return nil, a.errorf("argument %d must be an array, got %s", i+1, typeName(a.vals[i]))
	}
	return s, nil
}

func (a *argList) Object(i int) (map[string]any, error) {
	m, ok := a.vals[i].(map[string]any)
	if !ok {
		return nil, a.errorf("argument %d must be an object, got %s", i+1, typeName(a.vals[i]))
	}
	return m, nil
}

func (a *argList) Bool(i int) (bool, error) {
	b, ok := a.vals[i].(bool)
	if !ok {
		return false, a.errorf("argument %d must be a boolean, got %s", i+1, typeName(a.vals[i]))
	}
	return b, nil
}

// Int returns argument i rounded to the nearest integer (halves up), which is
// what the developer guide says AWS does with non-integer numbers.
func (a *argList) Int(i int) (int64, error) {
	f, ok := toFloat(a.vals[i])
	if !ok {
		return 0, a.errorf("argument %d must be a number, got %s", i+1, typeName(a.vals[i]))
	}
	r := math.Floor(f + 0.5)
	if math.IsNaN(r) || r > math.MaxInt64/2 || r < math.MinInt64/2 {
		return 0, a.errorf("argument %d is out of range", i+1)
	}
	return int64(r), nil
}

// ExactInt returns argument i, which must be a whole number.
func (a *argList) ExactInt(i int) (int64, error) {
	f, ok := toFloat(a.vals[i])
	if !ok || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, a.errorf("argument %d must be an integer, got %s", i+1, typeName(a.vals[i]))
	}
	return int64(f), nil
}

// intNumber is how results are returned: as json.Number, the representation
// the interpreter decodes JSON into (encoding/json with UseNumber).
func intNumber(n int64) json.Number { return json.Number(strconv.FormatInt(n, 10)) }

// floatNumber renders a literal number the way a JSON parser that reads
// doubles would print it back: integers without a fraction, others shortest.
func floatNumber(f float64) json.Number {
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return intNumber(int64(f))
	}
	return json.Number(strconv.FormatFloat(f, 'g', -1, 64))
}

// toFloat accepts every number representation a JSON decoder may produce.
func toFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case int32:
		return float64(n), true
	case float32:
		return float64(n), true
	case uint64:
		return float64(n), true
	}
	return 0, false
}

func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	if _, ok := toFloat(v); ok {
		return "a number"
	}
	return fmt.Sprintf("%T", v)
}

// equal compares two JSON values, numbers by value whatever their Go type.
func equal(x, y any) bool {
	fx, okx := toFloat(x)
	fy, oky := toFloat(y)
	if okx || oky {
		return okx && oky && fx == fy
	}
	switch x := x.(type) {
	case []any:
		y, ok := y.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equal(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := y.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, xv := range x {
			yv, ok := y[k]
			if !ok || !equal(xv, yv) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(x, y)
}

// jsonText renders v as compact JSON without Go's HTML escaping of <, > and
// &, which AWS does not do either.
func jsonText(v any) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSuffix(buf.String(), "\n"), nil
}

// formatValue renders one States.Format argument.
func formatValue(v any) (string, error) {
	switch v := v.(type) {
	case string:
		return v, nil
	case nil:
		return "null", nil
	case bool:
		return strconv.FormatBool(v), nil
	}
	return jsonText(v)
}
