package jsonata

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
)

// null is how the JSONata library represents JSON null: a nil Go value
// would read as "undefined" (no value at all), which is a different thing
// in JSONata ($exists(null) is true).
var null = (*any)(nil)

// toJSONata converts an engine value (numbers as json.Number) into what the
// library evaluates: numbers as float64 and null as a typed nil pointer.
func toJSONata(v any) any {
	switch x := v.(type) {
	case nil:
		return null
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return x.String()
		}
		return f
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = toJSONata(e)
		}
		return m
	case []any:
		a := make([]any, len(x))
		for i, e := range x {
			a[i] = toJSONata(e)
		}
		return a
	case int:
		return float64(x)
	case int64:
		return float64(x)
	}
	return v
}

// errUnsupported reports a result JSON cannot carry (a function).
var errUnsupported = fmt.Errorf("unsupported result type")

// fromJSONata converts a result of the library back into an engine value.
func fromJSONata(v any) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case *any:
		if x == nil {
			return nil, nil
		}
		return fromJSONata(*x)
	case string, bool:
		return x, nil
	case json.Number:
		return x, nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("D1001: Number out of range: %v", x)
		}
		return json.Number(FormatNumber(x)), nil
	case float32:
		return fromJSONata(float64(x))
	case int:
		return json.Number(strconv.Itoa(x)), nil
	case int64:
		return json.Number(strconv.FormatInt(x, 10)), nil
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			c, err := fromJSONata(e)
			if err != nil {
				return nil, err
			}
			m[k] = c
		}
		return m, nil
	case []any:
		a := make([]any, len(x))
		for i, e := range x {
			c, err := fromJSONata(e)
			if err != nil {
				return nil, err
			}
			a[i] = c
		}
		return a, nil
	}
	// Typed slices and maps ($split gives []string, $keys too), by reflection.
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		a := make([]any, rv.Len())
		for i := range a {
			c, err := fromJSONata(rv.Index(i).Interface())
			if err != nil {
				return nil, err
			}
			a[i] = c
		}
		return a, nil
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			return nil, errUnsupported
		}
		m := make(map[string]any, rv.Len())
		for it := rv.MapRange(); it.Next(); {
			c, err := fromJSONata(it.Value().Interface())
			if err != nil {
				return nil, err
			}
			m[it.Key().String()] = c
		}
		return m, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return fromJSONata(float64(rv.Convert(reflect.TypeOf(float64(0))).Float()))
	case reflect.Float32, reflect.Float64:
		return fromJSONata(rv.Float())
	case reflect.String:
		return rv.String(), nil
	case reflect.Bool:
		return rv.Bool(), nil
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return nil, nil
		}
		if rv.Kind() == reflect.Interface || rv.Elem().Kind() != reflect.Struct {
			return fromJSONata(rv.Elem().Interface())
		}
	}
	return nil, errUnsupported
}

// FormatNumber renders a number as JavaScript's Number.prototype.toString
// does, which is how JSONata (a JavaScript library) and therefore Step
// Functions write numbers: integers without a fraction, plain notation from
// 1e-6 up to 1e21, exponent notation such as 1e+21 and 1.5e-7 outside.
func FormatNumber(f float64) string {
	if f == 0 {
		return "0"
	}
	abs := math.Abs(f)
	if abs >= 1e-6 && abs < 1e21 {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	s := strconv.FormatFloat(f, 'e', -1, 64) // 1e+21, 1.5e-07
	mant, exp, _ := strings.Cut(s, "e")
	sign := exp[:1]
	digits := strings.TrimLeft(exp[1:], "0")
	if digits == "" {
		digits = "0"
	}
	return mant + "e" + sign + digits
}
