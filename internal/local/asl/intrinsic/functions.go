package intrinsic

import (
	"bytes"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"math"
	mrand "math/rand/v2"
	"strings"
	"unicode/utf8"
)

// MaxArrayRange is the most items States.ArrayRange may produce.
const MaxArrayRange = 1000

// MaxStringChars is the longest input States.Base64Encode, Base64Decode and
// Hash accept, in characters.
const MaxStringChars = 10000

type function struct {
	minArgs, maxArgs int // maxArgs < 0: no limit
	eval             func(a *argList) (any, error)
}

var functions map[string]*function

func init() {
	// Assigned in init because States.Format needs the parsed nodes, which
	// refer back to this table.
	functions = map[string]*function{
		"States.Format":         {1, -1, format},
		"States.StringToJson":   {1, 1, stringToJSON},
		"States.JsonToString":   {1, 1, jsonToString},
		"States.Array":          {0, -1, array},
		"States.ArrayPartition": {2, 2, arrayPartition},
		"States.ArrayContains":  {2, 2, arrayContains},
		"States.ArrayRange":     {3, 3, arrayRange},
		"States.ArrayGetItem":   {2, 2, arrayGetItem},
		"States.ArrayLength":    {1, 1, arrayLength},
		"States.ArrayUnique":    {1, 1, arrayUnique},
		"States.Base64Encode":   {1, 1, base64Encode},
		"States.Base64Decode":   {1, 1, base64Decode},
		"States.Hash":           {2, 2, hashFn},
		"States.JsonMerge":      {3, 3, jsonMerge},
		"States.MathRandom":     {2, 3, mathRandom},
		"States.MathAdd":        {2, 2, mathAdd},
		"States.StringSplit":    {2, 2, stringSplit},
		"States.UUID":           {0, 0, uuid},
	}
}

// format replaces each "{}" of the template with the next argument. When the
// template is a literal, escaped braces (\{\}) stay literal text; a template
// read from a path has no escapes, every "{}" in it is a placeholder.
func format(a *argList) (any, error) {
	tmpl, err := a.String(0)
	if err != nil {
		return nil, err
	}
	segments := strings.Split(tmpl, "{}")
	if lit, ok := a.nodes[0].(literal); ok {
		segments = lit.segments
	}
	if len(segments)-1 != len(a.vals)-1 {
		return nil, a.errorf("the template has %d placeholders but %d arguments follow it", len(segments)-1, len(a.vals)-1)
	}
	var b strings.Builder
	b.WriteString(segments[0])
	for i, seg := range segments[1:] {
		s, err := formatValue(a.vals[i+1])
		if err != nil {
			return nil, a.errorf("argument %d: %v", i+2, err)
		}
		b.WriteString(s)
		b.WriteString(seg)
	}
	return b.String(), nil
}

func stringToJSON(a *argList) (any, error) {
	s, err := a.String(0)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, a.errorf("argument 1 is not valid JSON")
	}
	if dec.More() {
		return nil, a.errorf("argument 1 has text after the JSON value")
	}
	return v, nil
}

func jsonToString(a *argList) (any, error) {
	s, err := jsonText(a.vals[0])
	if err != nil {
		return nil, a.errorf("argument 1 cannot be written as JSON")
	}
	return s, nil
}

func array(a *argList) (any, error) {
	out := make([]any, len(a.vals))
	copy(out, a.vals)
	return out, nil
}

func arrayPartition(a *argList) (any, error) {
	arr, err := a.Array(0)
	if err != nil {
		return nil, err
	}
	size, err := a.Int(1)
	if err != nil {
		return nil, err
	}
	if size <= 0 {
		return nil, a.errorf("the chunk size must be a positive integer, got %d", size)
	}
	out := make([]any, 0, (int64(len(arr))+size-1)/size)
	for start := int64(0); start < int64(len(arr)); start += size {
		end := min(start+size, int64(len(arr)))
		chunk := make([]any, end-start)
		copy(chunk, arr[start:end])
		out = append(out, chunk)
	}
	return out, nil
}

func arrayContains(a *argList) (any, error) {
	arr, err := a.Array(0)
	if err != nil {
		return nil, err
	}
	for _, v := range arr {
		if equal(v, a.vals[1]) {
			return true, nil
		}
	}
	return false, nil
}

// arrayRange counts from start to end inclusive by step. A step that moves
// away from end gives an empty array.
func arrayRange(a *argList) (any, error) {
	var n [3]int64
	for i := range n {
		v, err := a.Int(i)
		if err != nil {
			return nil, err
		}
		n[i] = v
	}
	start, end, step := n[0], n[1], n[2]
	if step == 0 {
		return nil, a.errorf("the step (argument 3) must not be zero")
	}
	count := int64(0)
	if (step > 0 && end >= start) || (step < 0 && end <= start) {
		count = (end-start)/step + 1
	}
	if count > MaxArrayRange {
		return nil, a.errorf("the range has %d items, more than the limit of %d", count, MaxArrayRange)
	}
	out := make([]any, count)
	for i := range out {
		out[i] = intNumber(start + int64(i)*step)
	}
	return out, nil
}

func arrayGetItem(a *argList) (any, error) {
	arr, err := a.Array(0)
	if err != nil {
		return nil, err
	}
	idx, err := a.ExactInt(1)
	if err != nil {
		return nil, err
	}
	if idx < 0 || idx >= int64(len(arr)) {
		return nil, a.errorf("index %d is out of bounds for an array of %d items", idx, len(arr))
	}
	return arr[idx], nil
}

func arrayLength(a *argList) (any, error) {
	arr, err := a.Array(0)
	if err != nil {
		return nil, err
	}
	return intNumber(int64(len(arr))), nil
}

// arrayUnique keeps the first occurrence of each value, in order.
func arrayUnique(a *argList) (any, error) {
	arr, err := a.Array(0)
	if err != nil {
		return nil, err
	}
	out := make([]any, 0, len(arr))
	seen := make(map[string]bool, len(arr))
	for _, v := range arr {
		key, ok := uniqueKey(v)
		if ok {
			if seen[key] {
				continue
			}
			seen[key] = true
		} else if containsEqual(out, v) {
			continue
		}
		out = append(out, v)
	}
	return out, nil
}

// uniqueKey gives scalars a map key so that ArrayUnique stays linear on the
// large arrays it is used on; arrays and objects fall back to comparison.
func uniqueKey(v any) (string, bool) {
	if f, ok := toFloat(v); ok {
		return fmt.Sprintf("n%v", f), true
	}
	switch v := v.(type) {
	case string:
		return "s" + v, true
	case bool:
		return fmt.Sprintf("b%v", v), true
	case nil:
		return "null", true
	}
	return "", false
}

func containsEqual(arr []any, v any) bool {
	for _, x := range arr {
		if equal(x, v) {
			return true
		}
	}
	return false
}

func limitedString(a *argList, i int) (string, error) {
	s, err := a.String(i)
	if err != nil {
		return "", err
	}
	if n := utf8.RuneCountInString(s); n > MaxStringChars {
		return "", a.errorf("argument %d has %d characters, more than the limit of %d", i+1, n, MaxStringChars)
	}
	return s, nil
}

func base64Encode(a *argList) (any, error) {
	s, err := limitedString(a, 0)
	if err != nil {
		return nil, err
	}
	return base64.StdEncoding.EncodeToString([]byte(s)), nil
}

func base64Decode(a *argList) (any, error) {
	s, err := limitedString(a, 0)
	if err != nil {
		return nil, err
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, a.errorf("argument 1 is not valid Base64")
	}
	return string(b), nil
}

var hashes = map[string]func() hash.Hash{
	"MD5":     md5.New,
	"SHA-1":   sha1.New,
	"SHA-256": sha256.New,
	"SHA-384": sha512.New384,
	"SHA-512": sha512.New,
}

// hashFn hashes a string's UTF-8 bytes; any other value is hashed as its
// compact JSON text. The result is lower-case hex.
func hashFn(a *argList) (any, error) {
	data, ok := a.vals[0].(string)
	if !ok {
		text, err := jsonText(a.vals[0])
		if err != nil {
			return nil, a.errorf("argument 1 cannot be written as JSON")
		}
		data = text
	}
	if n := utf8.RuneCountInString(data); n > MaxStringChars {
		return nil, a.errorf("argument 1 has %d characters, more than the limit of %d", n, MaxStringChars)
	}
	alg, err := a.String(1)
	if err != nil {
		return nil, err
	}
	newHash, ok := hashes[alg]
	if !ok {
		return nil, a.errorf("unsupported algorithm %q (use MD5, SHA-1, SHA-256, SHA-384 or SHA-512)", alg)
	}
	h := newHash()
	h.Write([]byte(data))
	return hex.EncodeToString(h.Sum(nil)), nil
}

// jsonMerge merges two objects shallowly: keys of the second win. AWS only
// supports the shallow mode, so the third argument must be false.
func jsonMerge(a *argList) (any, error) {
	x, err := a.Object(0)
	if err != nil {
		return nil, err
	}
	y, err := a.Object(1)
	if err != nil {
		return nil, err
	}
	deep, err := a.Bool(2)
	if err != nil {
		return nil, err
	}
	if deep {
		return nil, a.errorf("deep merging is not supported: argument 3 must be false")
	}
	out := make(map[string]any, len(x)+len(y))
	for k, v := range x {
		out[k] = v
	}
	for k, v := range y {
		out[k] = v
	}
	return out, nil
}

// mathRandom returns an integer in [start, end). With a seed the result is
// deterministic, from java.util.Random's generator seeded with it.
func mathRandom(a *argList) (any, error) {
	start, err := a.Int(0)
	if err != nil {
		return nil, err
	}
	end, err := a.Int(1)
	if err != nil {
		return nil, err
	}
	if start >= end {
		return nil, a.errorf("the start (%d) must be less than the end (%d)", start, end)
	}
	if end-start > math.MaxInt32 {
		return nil, a.errorf("the range from start to end is too large")
	}
	bound := int32(end - start)
	if len(a.vals) == 3 {
		seed, err := a.Int(2)
		if err != nil {
			return nil, err
		}
		return intNumber(start + int64(newJavaRandom(seed).nextInt(bound))), nil
	}
	return intNumber(start + mrand.Int64N(int64(bound))), nil
}

// mathAdd adds two integers in the 32-bit signed range.
func mathAdd(a *argList) (any, error) {
	var sum int64
	for i := range 2 {
		v, err := a.Int(i)
		if err != nil {
			return nil, err
		}
		if v < math.MinInt32 || v > math.MaxInt32 {
			return nil, a.errorf("argument %d is outside the range %d to %d", i+1, math.MinInt32, math.MaxInt32)
		}
		sum += v
	}
	return intNumber(sum), nil
}

// stringSplit splits at any of the delimiter characters and drops empty
// tokens, so "a,,b" split at "," is ["a","b"].
func stringSplit(a *argList) (any, error) {
	s, err := a.String(0)
	if err != nil {
		return nil, err
	}
	delims, err := a.String(1)
	if err != nil {
		return nil, err
	}
	fields := strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(delims, r) })
	out := make([]any, len(fields))
	for i, f := range fields {
		out[i] = f
	}
	return out, nil
}

// uuid returns a random (version 4) UUID.
func uuid(*argList) (any, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, &Error{Func: "States.UUID", Reason: "no randomness", Err: err}
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out bytes.Buffer
	h := hex.EncodeToString(b[:])
	out.WriteString(h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32])
	return out.String(), nil
}
