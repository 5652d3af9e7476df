package jsonata

import (
	"bytes"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"math"
	"reflect"
	"time"

	jsonata "github.com/blues/jsonata-go"
	"github.com/blues/jsonata-go/jlib"
	"github.com/blues/jsonata-go/jtypes"
)

// awsFunctions are the functions Step Functions adds to JSONata. $random
// replaces JSONata's own, adding the optional seed.
var awsFunctions = map[string]jsonata.Extension{
	"partition": {Func: partition},
	"range":     {Func: rangeOf},
	"hash":      {Func: hashOf},
	"random":    {Func: random},
	"uuid":      {Func: uuid},
	"parse":     {Func: parse},
}

// maxRange is the most elements $range returns, as States.ArrayRange.
const maxRange = 1000

func isInteger(f float64) bool { return f == math.Trunc(f) && !math.IsInf(f, 0) }

// partition splits an array into chunks of size elements; the last chunk
// may be shorter.
func partition(arr reflect.Value, size float64) ([]any, error) {
	if !isInteger(size) || size < 1 {
		return nil, fmt.Errorf("D3040: The chunk size argument of $partition must be a positive integer, found %v", size)
	}
	items := arrayOf(arr)
	n := int(size)
	out := make([]any, 0, (len(items)+n-1)/n)
	for i := 0; i < len(items); i += n {
		out = append(out, append([]any(nil), items[i:min(i+n, len(items))]...))
	}
	return out, nil
}

// arrayOf reads a JSONata sequence argument: an array, or a single value
// (JSONata treats a value as an array of one).
func arrayOf(v reflect.Value) []any {
	v = jtypes.Resolve(v)
	if !v.IsValid() {
		return nil
	}
	if v.Kind() == reflect.Slice || v.Kind() == reflect.Array {
		out := make([]any, v.Len())
		for i := range out {
			out[i] = v.Index(i).Interface()
		}
		return out
	}
	return []any{v.Interface()}
}

// rangeOf returns start, start+step, ... up to and including end (the
// JSONata twin of States.ArrayRange).
func rangeOf(start, end, step float64) ([]any, error) {
	if !isInteger(start) || !isInteger(end) || !isInteger(step) {
		return nil, fmt.Errorf("D3041: The arguments of $range must be integers")
	}
	if step == 0 {
		return nil, fmt.Errorf("D3042: The step argument of $range must not be zero")
	}
	var out []any
	for x := start; (step > 0 && x <= end) || (step < 0 && x >= end); x += step {
		if len(out) == maxRange {
			return nil, fmt.Errorf("D3043: $range would return more than %d elements", maxRange)
		}
		out = append(out, x)
	}
	if out == nil {
		out = []any{}
	}
	return out, nil
}

// hashOf returns the lowercase hex digest of a string with one of the
// algorithms States.Hash accepts.
func hashOf(data, algorithm string) (string, error) {
	var h hash.Hash
	switch algorithm {
	case "MD5":
		h = md5.New()
	case "SHA-1":
		h = sha1.New()
	case "SHA-256":
		h = sha256.New()
	case "SHA-384":
		h = sha512.New384()
	case "SHA-512":
		h = sha512.New()
	default:
		return "", fmt.Errorf("D3044: The hash algorithm %q is not supported; use MD5, SHA-1, SHA-256, SHA-384 or SHA-512", algorithm)
	}
	h.Write([]byte(data))
	return hex.EncodeToString(h.Sum(nil)), nil
}

// random returns a number in [0, 1). With a seed it is deterministic: the
// next double of java.util.Random seeded with it, the generator of the
// Java service that AWS runs (as States.MathRandom with a seed).
func random(seed jtypes.OptionalFloat64) float64 {
	if seed.IsSet() {
		return newJavaRandom(int64(seed.Float64)).nextDouble()
	}
	return jlib.Random()
}

// uuid returns a random version 4 UUID.
func uuid() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// parse decodes JSON text (AWS's replacement for $eval).
func parse(s string) (any, error) {
	d := json.NewDecoder(bytes.NewReader([]byte(s)))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil || d.More() {
		return nil, fmt.Errorf("D3045: The argument of $parse is not valid JSON: %q", s)
	}
	return toJSONata(v), nil
}

// clockFunctions are $now and $millis bound to one instant, so that every
// call in an evaluation reads the same time, and that time is the engine's
// clock (a fake clock in tests).
func clockFunctions(now time.Time) map[string]jsonata.Extension {
	ms := now.UnixMilli()
	return map[string]jsonata.Extension{
		"millis": {Func: func() int64 { return ms }},
		"now": {Func: func(picture, tz jtypes.OptionalString) (string, error) {
			return jlib.FromMillis(ms, picture, tz)
		}},
	}
}

// javaRandom is java.util.Random's linear congruential generator.
type javaRandom struct{ seed int64 }

func newJavaRandom(seed int64) *javaRandom {
	return &javaRandom{seed: (seed ^ 0x5DEECE66D) & (1<<48 - 1)}
}

func (r *javaRandom) next(bits uint) int64 {
	r.seed = (r.seed*0x5DEECE66D + 0xB) & (1<<48 - 1)
	return int64(int32(uint64(r.seed) >> (48 - bits)))
}

func (r *javaRandom) nextDouble() float64 {
	return float64(r.next(26)<<27+r.next(27)) * (1.0 / (1 << 53))
}
