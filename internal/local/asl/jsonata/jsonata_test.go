package jsonata_test

import (
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"breachflow/internal/local/asl/jsonata"
)

func decode(t *testing.T, s string) any {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func eval(t *testing.T, src string, vars map[string]any) (any, error) {
	t.Helper()
	e, err := jsonata.Compile(src)
	if err != nil {
		t.Fatalf("Compile(%q): %v", src, err)
	}
	return e.Eval(jsonata.Env{Lookup: func(n string) (any, bool) { v, ok := vars[n]; return v, ok },
		Now: time.Date(2024, 11, 22, 10, 30, 0, 0, time.UTC)})
}

// The examples are the AWS developer guide's, for the functions Step
// Functions adds to JSONata, and its $states samples.
func TestEval(t *testing.T) {
	states := map[string]any{"states": decode(t, `{"input": {"title": "Doctor", "items": [1, 2.5, 3], "content": "abc", "seed": 42,
		"json": "{\"a\": [1, null], \"b\": 1.5}"}, "context": {"Execution": {"Name": "run-1"}}}`), "customerName": "María"}
	tests := []struct{ src, want string }{
		{`$partition([1, 2, 3, 4, 5, 6, 7, 8, 9], 3)`, `[[1,2,3],[4,5,6],[7,8,9]]`},
		{`$partition([1, 2, 3, 4], 3)`, `[[1,2,3],[4]]`},
		{`$range(0, 10, 2)`, `[0,2,4,6,8,10]`},
		{`$range(5, 1, -2)`, `[5,3,1]`},
		{`$hash($states.input.content, 'SHA-256')`, `"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"`},
		{`$hash('abc', 'MD5')`, `"900150983cd24fb0d6963f7d28e17f72"`},
		{`$parse($states.input.json)`, `{"a":[1,null],"b":1.5}`},
		{`$states.input.title`, `"Doctor"`},
		{`$customerName`, `"María"`},
		{`{"static": "Hello", "title": $states.input.title, "name": $customerName}`, `{"name":"María","static":"Hello","title":"Doctor"}`},
		{`$sum($states.input.items)`, `6.5`},
		{`$count($states.input.items) * 1e21`, `3e+21`},
		{`1 / 8`, `0.125`},
		{`$states.context.Execution.Name & '-' & $string(2)`, `"run-1-2"`},
		{`$now()`, `"2024-11-22T10:30:00.000Z"`},
		{`$millis()`, `1732271400000`},
		{`"a" ~> $uppercase()`, `"A"`},
		{`null`, `null`},
		{`[1, null]`, `[1,null]`},
		{`$split('a,b', ',')`, `["a","b"]`},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			for i := 0; i < 2; i++ { // twice: a compiled expression is reusable
				got, err := eval(t, tt.src, states)
				if err != nil {
					t.Fatalf("Eval: %v", err)
				}
				b, _ := json.Marshal(got)
				if diff := cmp.Diff(tt.want, string(b)); diff != "" {
					t.Fatalf("(-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestRandomAndUUID(t *testing.T) {
	seeded1, err := eval(t, `$random(42)`, nil)
	if err != nil {
		t.Fatal(err)
	}
	seeded2, _ := eval(t, `$random(42)`, nil)
	if seeded1 != seeded2 {
		t.Errorf("$random(42) gave %v then %v; a seeded draw must repeat", seeded1, seeded2)
	}
	// java.util.Random(42).nextDouble()
	if seeded1 != json.Number("0.7275636800328681") {
		t.Errorf("$random(42) = %v, want java.util.Random(42).nextDouble() 0.7275636800328681", seeded1)
	}
	for i := 0; i < 20; i++ {
		v, _ := eval(t, `$random()`, nil)
		f, _ := v.(json.Number).Float64()
		if f < 0 || f >= 1 {
			t.Fatalf("$random() = %v, want [0, 1)", f)
		}
	}
	u, _ := eval(t, `$uuid()`, nil)
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(u.(string)) {
		t.Errorf("$uuid() = %v, not a version 4 UUID", u)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		src  string
		want error
		msg  string
	}{
		{`$doesNotExist`, jsonata.ErrUndefined, ""},
		{`$states.input.missing`, jsonata.ErrUndefined, ""},
		{`$randomSeeded(1)`, nil, "T1006: Attempted to invoke a non-function"},
		{`$eval('1')`, nil, "T1006: Attempted to invoke a non-function"},
		{`function($x){$x}`, jsonata.ErrUnsupportedResult, ""},
		{`'a' + 1`, nil, "T2001: The left side of the + operator must evaluate to a number"},
		{`$partition([1], 0)`, nil, "D3040"},
		{`$hash('a', 'SHA-3')`, nil, "D3044"},
		{`$parse('{')`, nil, "D3045"},
		{`$range(0, 5000, 1)`, nil, "D3043"},
	}
	vars := map[string]any{"states": map[string]any{"input": map[string]any{}}}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			_, err := eval(t, tt.src, vars)
			if tt.want != nil {
				if !errors.Is(err, tt.want) {
					t.Fatalf("error %v, want %v", err, tt.want)
				}
				return
			}
			var ee *jsonata.EvalError
			if !errors.As(err, &ee) || !strings.HasPrefix(ee.Message, tt.msg) {
				t.Fatalf("error %v, want an EvalError starting %q", err, tt.msg)
			}
		})
	}
	if _, err := jsonata.Compile(`$states.input.(`); err == nil {
		t.Error("a malformed expression compiled")
	}
}

func TestFormatNumber(t *testing.T) {
	a, b := 0.1, 0.2
	for f, want := range map[float64]string{0: "0", 3: "3", -2.5: "-2.5", 1e21: "1e+21", 1e20: "100000000000000000000",
		1.5e-7: "1.5e-7", 1e-6: "0.000001", a + b: "0.30000000000000004"} {
		if got := jsonata.FormatNumber(f); got != want {
			t.Errorf("FormatNumber(%v) = %q, want %q", f, got, want)
		}
	}
}

// Concurrent evaluations must not see each other's values (the library
// shares its built-in functions between evaluations).
func TestConcurrentEvaluations(t *testing.T) {
	e, err := jsonata.Compile(`{"n": $states.input.n, "s": $string($states.input.n), "u": $states.input.w ~> $uppercase()}`)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 100; i++ {
				in := map[string]any{"input": map[string]any{"n": json.Number(string(rune('0' + g))), "w": "w"}}
				v, err := e.Eval(jsonata.Env{Lookup: func(n string) (any, bool) { return in, n == "states" }})
				if err != nil {
					t.Error(err)
					return
				}
				m := v.(map[string]any)
				if m["s"] != string(rune('0'+g)) || m["u"] != "W" {
					t.Errorf("goroutine %d got %v", g, m)
					return
				}
			}
		}(g)
	}
	wg.Wait()
}
