package intrinsic_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"breachflow/internal/local/asl/intrinsic"
)

func TestSyntaxAndSemantics(t *testing.T) {
	input := `{"a":{"b c":"spaced","n":2.5,"neg":-2.5},"s":"x,y","obj":{"k":"<v&>"},"arr":[{"x":1},{"x":1},{"x":2}],"nested":[[1],[1]],"big":[1,"1",true,null,1.0]}`
	tests := []struct {
		name, expr, want string
	}{
		{"escapes in literal", `States.Format('it\'s \{\} and \\ {}', 'x')`, `"it's {} and \\ x"`},
		{"escaped braces are no placeholder", `States.Format('\{\}')`, `"{}"`},
		{"format types", `States.Format('{} {} {} {} {}', 1.5, true, null, States.Array(1,'a'), $.obj)`, `"1.5 true null [1,\"a\"] {\"k\":\"<v&>\"}"`},
		{"format integer number", `States.Format('n={}', 42)`, `"n=42"`},
		{"context path", `States.Format('run {}', $$.Execution.Id)`, `"run arn:aws:states:us-east-1:123456789012:execution:sm:run-1"`},
		{"bracket path with space", `States.Array($.a['b c'])`, `["spaced"]`},
		{"literals", `States.Array('s', -1.25e2, 0, null, true, false)`, `["s",-125,0,null,true,false]`},
		{"empty array", `States.Array()`, `[]`},
		{"whitespace", `  States.Array( 1 ,  2 )  `, `[1,2]`},
		{"string with delimiters inside", `States.Array('a,b)', 'c')`, `["a,b)","c"]`},
		{"json to string keeps html", `States.JsonToString($.obj)`, `"{\"k\":\"<v&>\"}"`},
		{"string to json scalar", `States.StringToJson('12')`, `12`},
		{"partition rounds chunk size", `States.ArrayPartition(States.Array(1,2,3), 1.6)`, `[[1,2],[3]]`},
		{"partition empty", `States.ArrayPartition(States.Array(), 3)`, `[]`},
		{"contains object", `States.ArrayContains($.arr, States.StringToJson('{"x":2}'))`, `true`},
		{"contains missing", `States.ArrayContains($.arr, 3)`, `false`},
		{"range negative step", `States.ArrayRange(5, 1, -2)`, `[5,3,1]`},
		{"range rounds", `States.ArrayRange(0.6, 3.4, 1)`, `[1,2,3]`},
		{"range empty", `States.ArrayRange(9, 1, 1)`, `[]`},
		{"range 1000 items", `States.ArrayLength(States.ArrayRange(1, 1000, 1))`, `1000`},
		{"get item 0", `States.ArrayGetItem(States.Array('a','b'), 0)`, `"a"`},
		{"unique objects", `States.ArrayUnique($.arr)`, `[{"x":1},{"x":2}]`},
		{"unique nested arrays", `States.ArrayUnique($.nested)`, `[[1]]`},
		{"unique keeps types apart", `States.ArrayUnique($.big)`, `[1,"1",true,null]`},
		{"md5", `States.Hash('input data', 'MD5')`, `"812f45842bc6d66ee14572ce20db8e86"`},
		{"sha256", `States.Hash('input data', 'SHA-256')`, `"b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3"`},
		{"math add rounds halves up", `States.MathAdd($.a.n, $.a.neg)`, `1`},
		{"math add limits", `States.MathAdd(2147483647, -2147483648)`, `-1`},
		{"split drops empty tokens", `States.StringSplit('a,,b,', ',')`, `["a","b"]`},
		{"split empty", `States.StringSplit('', ',')`, `[]`},
		{"merge", `States.JsonMerge(States.StringToJson('{"a":1}'), $.obj, false)`, `{"a":1,"k":"<v&>"}`},
		{"base64 unicode", `States.Base64Decode(States.Base64Encode('개인정보'))`, `"개인정보"`},
		{"deeply nested ten", `States.ArrayLength(States.Array(States.Array(States.Array(States.Array(States.Array(States.Array(States.Array(States.Array(States.Array(1))))))))))`, `1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := intrinsic.Eval(tt.expr, resolver(t, input))
			if err != nil {
				t.Fatalf("Eval(%s): %v", tt.expr, err)
			}
			if diff := cmp.Diff(jsonOf(t, tt.want), got); diff != "" {
				t.Errorf("Eval(%s) mismatch (-want +got):\n%s", tt.expr, diff)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	input := `{"s":"text","n":3,"arr":[1,2,3],"obj":{}}`
	tests := []struct {
		name, expr, wantMsg string
	}{
		{"unknown function", `States.Nope(1)`, `unknown function "States.Nope"`},
		{"not a call", `$.s`, `expected a function name`},
		{"lower case", `states.Array(1)`, `expected a function name`},
		{"missing paren", `States.Array(1`, `missing ')'`},
		{"trailing text", `States.Array(1) x`, `unexpected text`},
		{"open escape", `States.Format('a\nb')`, `open escape`},
		{"unterminated string", `States.Format('abc)`, `unterminated string`},
		{"too deep", `States.ArrayLength(States.Array(States.Array(States.Array(States.Array(States.Array(States.Array(States.Array(States.Array(States.Array(States.Array(1)))))))))))`, `more than 10 nested`},
		{"format too few args", `States.Format('{} {}', 'a')`, `2 placeholders but 1 arguments`},
		{"format too many args", `States.Format('{}', 'a', 'b')`, `1 placeholders but 2 arguments`},
		{"format template not string", `States.Format($.n)`, `argument 1 must be a string`},
		{"arity fixed", `States.ArrayLength($.arr, 1)`, `takes 1 arguments, got 2`},
		{"arity range", `States.MathRandom(1)`, `takes 2 to 3 arguments, got 1`},
		{"uuid no args", `States.UUID(1)`, `takes 0 arguments`},
		{"string to json invalid", `States.StringToJson($.s)`, `not valid JSON`},
		{"partition not array", `States.ArrayPartition($.s, 2)`, `argument 1 must be an array, got a string`},
		{"partition zero", `States.ArrayPartition($.arr, 0)`, `chunk size must be a positive integer`},
		{"range zero step", `States.ArrayRange(1, 5, 0)`, `must not be zero`},
		{"range too long", `States.ArrayRange(1, 1001, 1)`, `1001 items, more than the limit of 1000`},
		{"range not number", `States.ArrayRange('1', 5, 1)`, `argument 1 must be a number`},
		{"get item out of range", `States.ArrayGetItem($.arr, 3)`, `index 3 is out of bounds`},
		{"get item negative", `States.ArrayGetItem($.arr, -1)`, `index -1 is out of bounds`},
		{"get item fraction", `States.ArrayGetItem($.arr, 1.5)`, `argument 2 must be an integer`},
		{"hash algorithm", `States.Hash($.s, 'SHA-3')`, `unsupported algorithm "SHA-3"`},
		{"hash long input is fine", `States.Hash(States.Format('{}', States.JsonToString(States.ArrayRange(1, 1000, 1))), 'MD5')`, ``},
		{"base64 invalid", `States.Base64Decode('!!')`, `not valid Base64`},
		{"merge deep", `States.JsonMerge($.obj, $.obj, true)`, `deep merging is not supported`},
		{"merge not object", `States.JsonMerge($.arr, $.obj, false)`, `argument 1 must be an object`},
		{"random start not below end", `States.MathRandom(5, 5)`, `start (5) must be less than the end (5)`},
		{"add out of range", `States.MathAdd(2147483648, 1)`, `outside the range`},
		{"split not string", `States.StringSplit($.n, ',')`, `argument 1 must be a string`},
		{"missing path", `States.Array($.missing)`, `path not found`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := intrinsic.Eval(tt.expr, resolver(t, input))
			if tt.wantMsg == "" { // a long but allowed input: must succeed
				if err != nil {
					t.Fatalf("Eval(%s): %v", tt.expr, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Eval(%s) = %v, want an error containing %q", tt.expr, got, tt.wantMsg)
			}
			var ie *intrinsic.Error
			if !errors.As(err, &ie) {
				t.Fatalf("error %v is %T, want *intrinsic.Error", err, err)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q does not contain %q", err, tt.wantMsg)
			}
		})
	}
}

func TestResolveErrorIsWrapped(t *testing.T) {
	_, err := intrinsic.Eval(`States.Array($.missing)`, resolver(t, `{}`))
	if !errors.Is(err, errPathNotFound) {
		t.Fatalf("error %v does not wrap the resolver's error", err)
	}
}

func TestLimitOnStringLength(t *testing.T) {
	long := strings.Repeat("x", intrinsic.MaxStringChars+1)
	resolve := func(string) (any, error) { return long, nil }
	for _, expr := range []string{`States.Base64Encode($.s)`, `States.Base64Decode($.s)`, `States.Hash($.s, 'MD5')`} {
		if _, err := intrinsic.Eval(expr, resolve); err == nil || !strings.Contains(err.Error(), "more than the limit of 10000") {
			t.Errorf("%s on %d characters: err = %v, want the 10,000-character limit", expr, len(long), err)
		}
	}
	ok := func(string) (any, error) { return long[1:], nil }
	if _, err := intrinsic.Eval(`States.Base64Encode($.s)`, ok); err != nil {
		t.Errorf("10,000 characters must be accepted: %v", err)
	}
}

func TestParseRejectsAtLoad(t *testing.T) {
	if _, err := intrinsic.Parse(`States.Format('{}')`); err != nil {
		t.Fatalf("a placeholder count mismatch is a run-time error, not a parse error: %v", err)
	}
	for _, bad := range []string{`States.Bogus()`, `States.Array(`, `States.Format('\x')`, `States.UUID(1)`} {
		if _, err := intrinsic.Parse(bad); err == nil {
			t.Errorf("Parse(%s) accepted a bad call", bad)
		}
	}
	if !intrinsic.IsIntrinsic(" States.UUID()") || intrinsic.IsIntrinsic("$.States") {
		t.Error("IsIntrinsic misclassifies")
	}
}
