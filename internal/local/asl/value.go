package asl

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"
)

// MaxPayloadBytes is the Step Functions payload limit on state input, output
// and task results (256 KiB).
const MaxPayloadBytes = 256 * 1024

// DecodeJSON decodes JSON text into the engine's value representation
// (numbers as json.Number).
func DecodeJSON(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if d.More() {
		return nil, fmt.Errorf("unexpected data after JSON value")
	}
	return v, nil
}

// EncodeJSON encodes a value as compact JSON without HTML escaping, as Step
// Functions does.
func EncodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// mustEncode encodes values the engine produced itself; they always encode.
func mustEncode(v any) string {
	b, err := EncodeJSON(v)
	if err != nil {
		return fmt.Sprintf("%q", err.Error())
	}
	return string(b)
}

// JSONSize returns the length of v's compact JSON encoding without encoding
// it, stopping early once limit is passed (limit <= 0: no limit).
func JSONSize(v any, limit int) int {
	n := 0
	var walk func(v any) bool
	walk = func(v any) bool {
		switch x := v.(type) {
		case nil:
			n += 4
		case bool:
			if x {
				n += 4
			} else {
				n += 5
			}
		case string:
			n += stringSize(x)
		case json.Number:
			n += len(x)
		case float64:
			n += len(strconv.FormatFloat(x, 'g', -1, 64))
		case int:
			n += len(strconv.Itoa(x))
		case int64:
			n += len(strconv.FormatInt(x, 10))
		case []any:
			n += 2
			if len(x) > 1 {
				n += len(x) - 1
			}
			for _, e := range x {
				if !walk(e) {
					return false
				}
			}
		case map[string]any:
			n += 2
			if len(x) > 1 {
				n += len(x) - 1
			}
			for k, e := range x {
				n += stringSize(k) + 1
				if !walk(e) {
					return false
				}
			}
		default:
			b, _ := json.Marshal(x)
			n += len(b)
		}
		return limit <= 0 || n <= limit
	}
	walk(v)
	return n
}

func stringSize(s string) int {
	n := 2
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t' || c == '\b' || c == '\f':
				n += 2
			case c < 0x20:
				n += 6
			default:
				n++
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			n += 6
		} else {
			n += size
		}
		i += size
	}
	return n
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case float64:
		return x, true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	}
	return 0, false
}

func isNumber(v any) bool {
	_, ok := toFloat(v)
	return ok
}

// toInt converts a JSON number that is a whole number to int.
func toInt(v any) (int, bool) {
	f, ok := toFloat(v)
	if !ok || f != math.Trunc(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return int(f), true
}

func jsonEqual(a, b any) bool {
	if af, ok := toFloat(a); ok {
		bf, ok := toFloat(b)
		return ok && af == bf
	}
	switch x := a.(type) {
	case nil:
		return b == nil
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case string:
		y, ok := b.(string)
		return ok && x == y
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !jsonEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !jsonEqual(v, w) {
				return false
			}
		}
		return true
	}
	return false
}

// setPath returns a copy of doc with value placed at the reference path;
// maps along the path are copied, never mutated. Missing objects along the
// path are created, as ResultPath does.
func setPath(doc any, segs []segment, value any) (any, error) {
	if len(segs) == 0 {
		return value, nil
	}
	sg := segs[0]
	switch sg.kind {
	case segName:
		var m map[string]any
		switch x := doc.(type) {
		case map[string]any:
			m = make(map[string]any, len(x)+1)
			for k, v := range x {
				m[k] = v
			}
		case nil:
			m = map[string]any{}
		default:
			return nil, fmt.Errorf("cannot set field %q on a %s", sg.name, typeName(doc))
		}
		child, err := setPath(m[sg.name], segs[1:], value)
		if err != nil {
			return nil, err
		}
		m[sg.name] = child
		return m, nil
	case segIndex:
		a, ok := doc.([]any)
		i := sg.index
		if ok && i < 0 {
			i += len(a)
		}
		if !ok || i < 0 || i >= len(a) {
			return nil, fmt.Errorf("index %d out of range", sg.index)
		}
		c := append([]any(nil), a...)
		child, err := setPath(c[i], segs[1:], value)
		if err != nil {
			return nil, err
		}
		c[i] = child
		return c, nil
	}
	return nil, fmt.Errorf("not a reference path")
}

func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	if isNumber(v) {
		return "number"
	}
	return fmt.Sprintf("%T", v)
}

type jsonNumber = json.Number
