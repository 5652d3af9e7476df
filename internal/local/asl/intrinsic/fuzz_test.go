package intrinsic_test

import (
	"testing"

	"breachflow/internal/local/asl/intrinsic"
)

// FuzzEval checks that no call text makes the parser or a function panic:
// intrinsics come from user-written definitions.
func FuzzEval(f *testing.F) {
	for _, seed := range []string{
		`States.Format('a {} b', $.x)`, `States.Array(1, 'x', null, true, States.Array())`,
		`States.ArrayRange(1, 9, 2)`, `States.StringSplit('a,b', ',')`, `States.Hash('x', 'MD5')`,
		`States.JsonMerge(States.StringToJson('{}'), States.StringToJson('{"a":1}'), false)`,
		`States.MathRandom(1, 2, 3)`, `States.Format('\'\{\}\\')`, `States.ArrayGetItem($.a['b, c'], 0)`,
	} {
		f.Add(seed)
	}
	resolve := func(string) (any, error) { return []any{"v", 1.5, map[string]any{"k": nil}}, nil }
	f.Fuzz(func(t *testing.T, expr string) {
		intrinsic.Eval(expr, resolve)
	})
}
