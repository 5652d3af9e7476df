package asl_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"breachflow/internal/local/asl"
)

// The spec's Paths example input.
const pathInput = `{"foo": 123, "bar": ["a", "b", "c"], "car": {"cdr": true},
  "store": {"book": [
    {"category": "reference", "author": "Nigel Rees", "title": "Sayings of the Century", "price": 8.95},
    {"category": "fiction", "author": "Evelyn Waugh", "title": "Sword of Honour", "price": 12.99},
    {"category": "fiction", "author": "Herman Melville", "title": "Moby Dick", "isbn": "0-553-21311-3", "price": 8.99}],
   "bicycle": {"color": "red", "price": 19.95}},
  "odd key": {"a.b": 1}}`

func TestPathSelect(t *testing.T) {
	in, err := asl.DecodeJSON([]byte(pathInput))
	if err != nil {
		t.Fatal(err)
	}
	ctxObj, _ := asl.DecodeJSON([]byte(`{"Execution": {"Name": "e1"}, "Map": {"Item": {"Index": 3}}}`))
	cases := []struct {
		path  string
		want  string // JSON; "" = no match
		multi bool
	}{
		{"$", "", false}, // checked separately below
		{"$.foo", `123`, false},
		{"$.bar", `["a","b","c"]`, false},
		{"$.car.cdr", `true`, false},
		{"$.bar[1]", `"b"`, false},
		{"$.bar[-1]", `"c"`, false},
		{"$['odd key']['a.b']", `1`, false},
		{`$["odd key"]`, `{"a.b":1}`, false},
		{"$.nope", "", false},
		{"$.bar[7]", "", false},
		{"$$.Execution.Name", `"e1"`, false},
		{"$$.Map.Item.Index", `3`, false},
		{"$.bar[*]", `["a","b","c"]`, true},
		{"$.bar[0:2]", `["a","b"]`, true},
		{"$.bar[::2]", `["a","c"]`, true},
		{"$.bar[::-1]", `["c","b","a"]`, true},
		{"$.bar[0,2]", `["a","c"]`, true},
		{"$.store.book[*].author", `["Nigel Rees","Evelyn Waugh","Herman Melville"]`, true},
		{"$..author", `["Nigel Rees","Evelyn Waugh","Herman Melville"]`, true},
		{"$.store..price", `[19.95,8.95,12.99,8.99]`, true},
		{"$..book[2].title", `["Moby Dick"]`, true},
		{"$..book[?(@.isbn)].title", `["Moby Dick"]`, true},
		{"$.store.book[?(@.price < 10)].title", `["Sayings of the Century","Moby Dick"]`, true},
		{"$.store.book[?(@.category == 'fiction' && @.price > 10)].author", `["Evelyn Waugh"]`, true},
		{"$.store.book[?(@.author =~ /.*Rees/)].price", `[8.95]`, true},
		{"$.store.book[?(@.category in ['reference'])].price", `[8.95]`, true},
		{"$.store.book[?(!(@.price < 10))].price", `[12.99]`, true},
		{"$.store.book[?(@.price > $.foo)].price", `[]`, true},
		{"$.store.book[?(@.nope == 1)]", `[]`, true},
		{"$.store.book.length()", `3`, false},
	}
	for _, tc := range cases[1:] {
		t.Run(tc.path, func(t *testing.T) {
			p, err := asl.CompilePath(tc.path)
			if err != nil {
				t.Fatal(err)
			}
			if p.Indefinite() != tc.multi {
				t.Errorf("Indefinite() = %v, want %v", p.Indefinite(), tc.multi)
			}
			got, ok := p.Select(in, ctxObj)
			if tc.want == "" {
				if ok {
					t.Fatalf("matched %s, want no match", mustJSON(got))
				}
				return
			}
			want, _ := asl.DecodeJSON([]byte(tc.want))
			if !ok {
				t.Fatal("no match")
			}
			if diff := cmp.Diff(normalize(want), normalize(got)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	root, _ := asl.CompilePath("$")
	if got, ok := root.Select(in, nil); !ok || mustJSON(got) != mustJSON(in) {
		t.Error("$ must select the whole input")
	}
}

func TestPathCompileErrors(t *testing.T) {
	for _, p := range []string{"", "foo", "$.", "$.a[", "$.a[x]", "$.a[?(@.b <)]", "$.a]", "$[1:2:0]", "$.a.unknown()"} {
		if _, err := asl.CompilePath(p); err == nil {
			t.Errorf("CompilePath(%q) succeeded", p)
		}
	}
	for _, p := range []string{"$.a[*]", "$..a", "$.a[0:1]", "$.a[?(@.b)]"} {
		if _, err := asl.CompileReferencePath(p); err == nil {
			t.Errorf("CompileReferencePath(%q) succeeded", p)
		}
	}
	for _, p := range []string{"$", "$.a.b", "$.a[0].b", "$['a b']"} {
		if _, err := asl.CompileReferencePath(p); err != nil {
			t.Errorf("CompileReferencePath(%q): %v", p, err)
		}
	}
}

func TestJSONSizeMatchesEncoding(t *testing.T) {
	for _, s := range []string{`{"a":[1,2.5,"x\"y\\z\n"],"b":null,"c":true,"d":{},"e":[],"f":"héllo <tag> & \u2028"}`, `"\u0001"`, `[]`} {
		v, err := asl.DecodeJSON([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := asl.EncodeJSON(v)
		if got := asl.JSONSize(v, 0); got != len(b) {
			t.Errorf("JSONSize(%s) = %d, encoding has %d bytes (%s)", s, got, len(b), b)
		}
	}
}
