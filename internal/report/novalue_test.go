package report_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"breachflow/internal/report"
)

// seed is the distinctive text planted in a field; a problem that quotes
// the field's value would carry it.
const seed = "QZXJ7seed"

// seeded returns values that carry the seed and break most rules: a string
// no pattern, format or enum takes; one too long for any maxLength; an
// address; a number and an object where the field wants something else.
func seeded(n int) []any {
	tag := fmt.Sprintf("%s%03d", seed, n)
	return []any{
		tag + " not valid, 2026-13-45T99:99:99Z",
		tag + "@example.org",
		strings.Repeat(tag, 300),
		map[string]any{tag: tag},
		[]any{tag, tag},
	}
}

// TestNoValueInAnyProblem plants a distinctive value in every field the
// schema knows (the optional ones too), one field at a time and all at
// once, and in map keys and unknown fields: no problem message may carry
// it. Problems name the field and the rule; the value may be personal data.
func TestNoValueInAnyProblem(t *testing.T) {
	var base map[string]any
	if err := json.Unmarshal([]byte(minimal), &base); err != nil {
		t.Fatal(err)
	}
	paths := schemaPaths(t)
	if len(paths) < 60 {
		t.Fatalf("only %d field paths found in the schema: the walk is broken", len(paths))
	}
	refused := 0
	check := func(what string, doc map[string]any) {
		t.Helper()
		data, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		_, err = report.ParseAt(data, now)
		if err == nil {
			return
		}
		refused++
		if strings.Contains(err.Error(), seed) {
			t.Errorf("%s: the problem quotes the value: %v", what, err)
		}
	}
	all := clone(t, base)
	for i, p := range paths {
		for j, v := range seeded(i) {
			doc := clone(t, base)
			set(doc, p, v)
			check(fmt.Sprintf("%s (value %d)", strings.Join(p, "."), j), doc)
		}
		set(all, p, seeded(i)[0])
	}
	check("every field at once", all)

	// Keys: a jurisdiction that is no code, an unknown field at the top
	// and inside an object, and scope criteria with seeded operator, times
	// and field names.
	for name, edit := range map[string]func(map[string]any){
		"subject_counts key": func(d map[string]any) { d["subject_counts"] = map[string]any{seed + " x@example.org": 1} },
		"code-shaped key":    func(d map[string]any) { d["subject_counts"] = map[string]any{"QZ": 1, "US-QZ": 2} },
		"unknown field":      func(d map[string]any) { d[seed+" x@example.org"] = true },
		"unknown nested":     func(d map[string]any) { d["cause"].(map[string]any)[seed+"@example.org"] = 1 },
		"scope operator":     func(d map[string]any) { d["scope"] = leaf(map[string]any{"attr": "email", "op": seed, "value": "x"}) },
		"scope from":         func(d map[string]any) { d["scope"] = leaf(map[string]any{"attr": "t", "op": "within", "from": seed}) },
		"scope to":           func(d map[string]any) { d["scope"] = leaf(map[string]any{"attr": "t", "op": "within", "to": seed}) },
		"scope value": func(d map[string]any) {
			d["scope"] = leaf(map[string]any{"attr": "email", "op": "begins_with", "value": []any{seed}})
		},
		"scope unknown key": func(d map[string]any) {
			d["scope"] = leaf(map[string]any{"attr": "email", "op": "=", "value": "x", seed: 1})
		},
		"scope attr": func(d map[string]any) {
			d["scope"] = leaf(map[string]any{"attr": strings.Repeat(seed, 40), "op": "=", "value": "x"})
		},
	} {
		doc := clone(t, base)
		edit(doc)
		before := refused
		check(name, doc)
		if refused == before {
			t.Errorf("%s: the report was accepted; the test plants nothing it refuses", name)
		}
	}
	if refused < len(paths) {
		t.Errorf("only %d of the seeded reports were refused: the seeds no longer break the rules", refused)
	}
}

func leaf(c map[string]any) map[string]any { return map[string]any{"all": []any{c}} }

func clone(t *testing.T, m map[string]any) map[string]any {
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// set puts v at path, creating objects and one-element arrays on the way
// ("[]" steps into an array's first item).
func set(doc map[string]any, path []string, v any) {
	var cur any = doc
	for i, step := range path {
		last := i == len(path)-1
		switch c := cur.(type) {
		case map[string]any:
			if last {
				c[step] = v
				return
			}
			next := c[step]
			if path[i+1] == "[]" {
				if _, isArr := next.([]any); !isArr {
					next = []any{nil}
				}
			} else if _, isObj := next.(map[string]any); !isObj {
				next = map[string]any{}
			}
			c[step] = next
			cur = next
		case []any:
			if len(c) == 0 {
				return // cannot grow in place; the parent made it non-empty
			}
			if last {
				c[0] = v
				return
			}
			if path[i+1] == "[]" {
				if _, isArr := c[0].([]any); !isArr {
					c[0] = []any{nil}
				}
			} else if _, isObj := c[0].(map[string]any); !isObj {
				c[0] = map[string]any{}
			}
			cur = c[0]
		}
	}
}

// schemaPaths lists every field the report schema describes, objects and
// arrays included, as paths of property names and "[]" for array items.
func schemaPaths(t *testing.T) [][]string {
	var schema map[string]any
	if err := json.Unmarshal(report.SchemaJSON(), &schema); err != nil {
		t.Fatal(err)
	}
	defs, _ := schema["$defs"].(map[string]any)
	var out [][]string
	var walk func(node map[string]any, path []string, depth int)
	walk = func(node map[string]any, path []string, depth int) {
		if ref, ok := node["$ref"].(string); ok {
			node, _ = defs[strings.TrimPrefix(ref, "#/$defs/")].(map[string]any)
		}
		if node == nil || depth > 8 {
			return
		}
		if len(path) > 0 {
			out = append(out, append([]string(nil), path...))
		}
		props, _ := node["properties"].(map[string]any)
		for name, sub := range props {
			if s, ok := sub.(map[string]any); ok {
				walk(s, append(path, name), depth+1)
			}
		}
		if items, ok := node["items"].(map[string]any); ok {
			walk(items, append(path, "[]"), depth+1)
		}
	}
	walk(schema, nil, 0)
	return out
}
