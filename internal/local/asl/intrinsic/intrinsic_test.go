package intrinsic_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"breachflow/internal/local/asl/intrinsic"
)

// resolver evaluates the simple paths the tests use ($, $.a.b, $.a[0]) against
// a JSON document, the way the interpreter's resolve does.
func resolver(t *testing.T, input string) func(string) (any, error) {
	t.Helper()
	var doc any
	if input != "" {
		if err := decode(input, &doc); err != nil {
			t.Fatalf("bad test input: %v", err)
		}
	}
	return func(p string) (any, error) {
		if p == "$$.Execution.Id" {
			return "arn:aws:states:us-east-1:123456789012:execution:sm:run-1", nil
		}
		if !strings.HasPrefix(p, "$") {
			return nil, fmt.Errorf("not a path: %q", p)
		}
		cur := doc
		for _, part := range strings.Split(strings.TrimPrefix(p, "$"), ".")[1:] {
			if i := strings.Index(part, "['"); i >= 0 { // $.a['b c']
				cur = cur.(map[string]any)[part[:i]]
				part = strings.TrimSuffix(part[i+2:], "']")
			}
			m, ok := cur.(map[string]any)
			if !ok {
				return nil, errPathNotFound
			}
			cur, ok = m[part]
			if !ok {
				return nil, errPathNotFound
			}
		}
		return cur, nil
	}
}

var errPathNotFound = errors.New("path not found")

func jsonOf(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := decode(s, &v); err != nil {
		t.Fatalf("bad expected JSON %s: %v", s, err)
	}
	return v
}

// decode reads JSON as the interpreter does: numbers as json.Number.
func decode(s string, v any) error {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	return dec.Decode(v)
}

// TestDeveloperGuideExamples runs every example of the AWS Step Functions
// developer guide page "Intrinsic functions for JSONPath states" with its
// documented input and output. Two documented outputs are typos in the guide
// and are corrected here: Base64Decode's example prints "Decoded data" for
// the encoding of "Data to encode", and the SHA-1 of "input data" is printed
// with one digit missing (aaff4a450a104cd177d28d18d7485e8cae074b7). The
// guide's nesting example has three "{}" for two arguments, which AWS itself
// would reject; it runs here with two.
func TestDeveloperGuideExamples(t *testing.T) {
	tests := []struct {
		name, input, expr, want string
	}{
		{"Format literal", `{"name":"Arnav","template":"Hello, my name is {}."}`, `States.Format('Hello, my name is {}.', $.name)`, `"Hello, my name is Arnav."`},
		{"Format path template", `{"name":"Arnav","template":"Hello, my name is {}."}`, `States.Format($.template, $.name)`, `"Hello, my name is Arnav."`},
		{"StringToJson", `{"escapedJsonString":"{\"foo\": \"bar\"}"}`, `States.StringToJson($.escapedJsonString)`, `{"foo":"bar"}`},
		{"JsonToString", `{"unescapedJson":{"foo":"bar"}}`, `States.JsonToString($.unescapedJson)`, `"{\"foo\":\"bar\"}"`},
		{"Array", `{"Id":123456}`, `States.Array($.Id)`, `[123456]`},
		{"ArrayPartition", `{"inputArray":[1,2,3,4,5,6,7,8,9]}`, `States.ArrayPartition($.inputArray,4)`, `[[1,2,3,4],[5,6,7,8],[9]]`},
		{"ArrayContains", `{"inputArray":[1,2,3,4,5,6,7,8,9],"lookingFor":5}`, `States.ArrayContains($.inputArray, $.lookingFor)`, `true`},
		{"ArrayRange", `{}`, `States.ArrayRange(1, 9, 2)`, `[1,3,5,7,9]`},
		{"ArrayGetItem", `{"inputArray":[1,2,3,4,5,6,7,8,9],"index":5}`, `States.ArrayGetItem($.inputArray, $.index)`, `6`},
		{"ArrayLength", `{"inputArray":[1,2,3,4,5,6,7,8,9]}`, `States.ArrayLength($.inputArray)`, `9`},
		{"ArrayUnique", `{"inputArray":[1,2,3,3,3,3,3,3,4]}`, `States.ArrayUnique($.inputArray)`, `[1,2,3,4]`},
		{"Base64Encode", `{"input":"Data to encode"}`, `States.Base64Encode($.input)`, `"RGF0YSB0byBlbmNvZGU="`},
		{"Base64Decode", `{"base64":"RGF0YSB0byBlbmNvZGU="}`, `States.Base64Decode($.base64)`, `"Data to encode"`},
		{"Hash", `{"Data":"input data","Algorithm":"SHA-1"}`, `States.Hash($.Data, $.Algorithm)`, `"aaff4a450a104cd177d28d18d74485e8cae074b7"`},
		{"JsonMerge", `{"json1":{"a":{"a1":1,"a2":2},"b":2},"json2":{"a":{"a3":1,"a4":2},"c":3}}`, `States.JsonMerge($.json1, $.json2, false)`, `{"a":{"a3":1,"a4":2},"b":2,"c":3}`},
		{"MathAdd", `{"value1":111,"step":-1}`, `States.MathAdd($.value1, $.step)`, `110`},
		{"StringSplit one delimiter", `{"inputString":"1,2,3,4,5","splitter":","}`, `States.StringSplit($.inputString, $.splitter)`, `["1","2","3","4","5"]`},
		{"StringSplit many delimiters", `{"inputString":"This.is+a,test=string","splitter":".+,="}`, `States.StringSplit($.inputString, $.splitter)`, `["This","is","a","test","string"]`},
		{"nested nine deep", `{"ImageRecipe":{"Arn":"arn:aws:imagebuilder:us-east-1:123456789012:image-recipe/my-recipe.v2/1.0.0"}}`,
			`States.Format('{}.{}', States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 0), States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 1))`,
			`"1.0"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := intrinsic.Eval(tt.expr, resolver(t, tt.input))
			if err != nil {
				t.Fatalf("Eval(%s): %v", tt.expr, err)
			}
			if diff := cmp.Diff(jsonOf(t, tt.want), got); diff != "" {
				t.Errorf("Eval(%s) mismatch (-want +got):\n%s", tt.expr, diff)
			}
		})
	}
}

func TestMathRandomDocumentedRange(t *testing.T) {
	// The guide's example: {"start":1,"end":999} gives a number such as 456;
	// start is inclusive and end exclusive.
	resolve := resolver(t, `{"start":1,"end":999}`)
	for range 200 {
		got, err := intrinsic.Eval(`States.MathRandom($.start, $.end)`, resolve)
		if err != nil {
			t.Fatal(err)
		}
		n, err := got.(json.Number).Int64()
		if err != nil || n < 1 || n >= 999 {
			t.Fatalf("MathRandom(1, 999) = %v, want an integer in [1, 999)", n)
		}
	}
}

func TestMathRandomSeedIsDeterministic(t *testing.T) {
	// Expected values computed with java.util.Random (OpenJDK):
	// new Random(42).nextInt(998) = 254, new Random(-5).nextInt(64) = 17.
	tests := []struct {
		expr string
		want json.Number
	}{
		{`States.MathRandom(1, 999, 42)`, "255"},
		{`States.MathRandom(0, 64, -5)`, "17"},
		{`States.MathRandom(100, 1100, 7)`, "336"},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			for range 3 {
				got, err := intrinsic.Eval(tt.expr, resolver(t, ""))
				if err != nil {
					t.Fatal(err)
				}
				if got != tt.want {
					t.Fatalf("%s = %v, want %v", tt.expr, got, tt.want)
				}
			}
		})
	}
}

func TestUUIDIsVersion4(t *testing.T) {
	re := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	for range 50 {
		got, err := intrinsic.Eval(`States.UUID()`, resolver(t, ""))
		if err != nil {
			t.Fatal(err)
		}
		s := got.(string)
		if !re.MatchString(s) || seen[s] {
			t.Fatalf("UUID %q is not a fresh v4 UUID", s)
		}
		seen[s] = true
	}
}
