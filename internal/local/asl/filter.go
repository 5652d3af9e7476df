package asl

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// expr is a JSONPath filter expression: [?( ... )].
type expr interface {
	eval(cur, root, ctx any) any
}

type (
	litExpr  struct{ v any }
	pathExpr struct {
		base byte // '@', '$' or 'c' ($$)
		segs []segment
	}
	notExpr struct{ x expr }
	binExpr struct {
		op   string
		l, r expr
	}
	missing struct{}
)

func (e litExpr) eval(_, _, _ any) any { return e.v }
func (e notExpr) eval(c, r, x any) any { return !truthy(e.x.eval(c, r, x)) }

func (e pathExpr) eval(cur, root, ctx any) any {
	v := cur
	switch e.base {
	case '$':
		v = root
	case 'c':
		v = ctx
	}
	for i, sg := range e.segs {
		if sg.kind != segName && sg.kind != segIndex {
			nodes := []any{v}
			for _, rest := range e.segs[i:] {
				nodes = apply(nodes, rest, root, ctx)
			}
			return nodes
		}
		var ok bool
		v, ok = step(v, sg)
		if !ok {
			return missing{}
		}
	}
	return v
}

func (e binExpr) eval(cur, root, ctx any) any {
	l := e.l.eval(cur, root, ctx)
	switch e.op {
	case "&&":
		return truthy(l) && truthy(e.r.eval(cur, root, ctx))
	case "||":
		return truthy(l) || truthy(e.r.eval(cur, root, ctx))
	}
	r := e.r.eval(cur, root, ctx)
	if _, ok := l.(missing); ok {
		return false
	}
	if _, ok := r.(missing); ok {
		return false
	}
	switch e.op {
	case "==":
		return jsonEqual(l, r)
	case "!=":
		return !jsonEqual(l, r)
	case "=~":
		s, ok := l.(string)
		re, ok2 := r.(*regexp.Regexp)
		return ok && ok2 && re.MatchString(s)
	case "in", "nin":
		a, ok := r.([]any)
		if !ok {
			return false
		}
		found := false
		for _, x := range a {
			if jsonEqual(l, x) {
				found = true
				break
			}
		}
		return found == (e.op == "in")
	}
	if lf, ok := toFloat(l); ok {
		if rf, ok := toFloat(r); ok {
			switch e.op {
			case "<":
				return lf < rf
			case "<=":
				return lf <= rf
			case ">":
				return lf > rf
			case ">=":
				return lf >= rf
			}
		}
		return false
	}
	ls, ok1 := l.(string)
	rs, ok2 := r.(string)
	if !ok1 || !ok2 {
		return false
	}
	c := compareUTF16(ls, rs)
	switch e.op {
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	case ">=":
		return c >= 0
	}
	return false
}

func truthy(v any) bool {
	switch x := v.(type) {
	case missing, nil:
		return false
	case bool:
		return x
	}
	return true
}

// parseFilter parses an expression up to the closing parenthesis.
func parseFilter(s string) (expr, string, error) { return parseOr(s) }

func parseOr(s string) (expr, string, error) {
	l, s, err := parseAnd(s)
	if err != nil {
		return nil, s, err
	}
	for {
		t := strings.TrimLeft(s, " ")
		if !strings.HasPrefix(t, "||") {
			return l, s, nil
		}
		r, rest, err := parseAnd(t[2:])
		if err != nil {
			return nil, s, err
		}
		l, s = binExpr{op: "||", l: l, r: r}, rest
	}
}

func parseAnd(s string) (expr, string, error) {
	l, s, err := parseCmp(s)
	if err != nil {
		return nil, s, err
	}
	for {
		t := strings.TrimLeft(s, " ")
		if !strings.HasPrefix(t, "&&") {
			return l, s, nil
		}
		r, rest, err := parseCmp(t[2:])
		if err != nil {
			return nil, s, err
		}
		l, s = binExpr{op: "&&", l: l, r: r}, rest
	}
}

var cmpOps = []string{"==", "!=", "<=", ">=", "=~", "<", ">", " nin ", " in "}

func parseCmp(s string) (expr, string, error) {
	l, s, err := parseUnary(s)
	if err != nil {
		return nil, s, err
	}
	t := strings.TrimLeft(s, " ")
	for _, op := range cmpOps {
		probe := t
		if op[0] == ' ' {
			probe = " " + t
		}
		if strings.HasPrefix(probe, op) {
			rest := probe[len(op):]
			var r expr
			if op == "=~" {
				r, rest, err = parseRegex(rest)
			} else {
				r, rest, err = parseUnary(rest)
			}
			if err != nil {
				return nil, s, err
			}
			return binExpr{op: strings.TrimSpace(op), l: l, r: r}, rest, nil
		}
	}
	return l, s, nil
}

func parseRegex(s string) (expr, string, error) {
	s = strings.TrimLeft(s, " ")
	if !strings.HasPrefix(s, "/") {
		return nil, s, fmt.Errorf("expected /regex/ after =~")
	}
	end := -1
	for i := 1; i < len(s); i++ {
		if s[i] == '\\' {
			i++
			continue
		}
		if s[i] == '/' {
			end = i
			break
		}
	}
	if end < 0 {
		return nil, s, fmt.Errorf("unterminated regex")
	}
	pat := s[1:end]
	rest := s[end+1:]
	if strings.HasPrefix(rest, "i") {
		pat = "(?i)" + pat
		rest = rest[1:]
	}
	re, err := regexp.Compile("^(?:" + pat + ")$")
	if err != nil {
		return nil, s, err
	}
	return litExpr{re}, rest, nil
}

func parseUnary(s string) (expr, string, error) {
	s = strings.TrimLeft(s, " ")
	if s == "" {
		return nil, s, fmt.Errorf("unexpected end of filter")
	}
	switch {
	case s[0] == '!':
		x, rest, err := parseUnary(s[1:])
		return notExpr{x}, rest, err
	case s[0] == '(':
		x, rest, err := parseOr(s[1:])
		if err != nil {
			return nil, s, err
		}
		rest = strings.TrimLeft(rest, " ")
		if !strings.HasPrefix(rest, ")") {
			return nil, s, fmt.Errorf("expected )")
		}
		return x, rest[1:], nil
	case s[0] == '@' || s[0] == '$':
		base := s[0]
		rest := s[1:]
		if base == '$' && strings.HasPrefix(rest, "$") {
			base, rest = 'c', rest[1:]
		}
		segs, rest, err := parseSegments(rest, true)
		if err != nil {
			return nil, s, err
		}
		return pathExpr{base: base, segs: segs}, rest, nil
	case s[0] == '\'' || s[0] == '"':
		str, rest, err := parseQuoted(s)
		return litExpr{str}, rest, err
	case s[0] == '[':
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return nil, s, fmt.Errorf("unterminated array literal")
		}
		var a []any
		body := strings.ReplaceAll(s[:end+1], "'", "\"")
		d := json.NewDecoder(strings.NewReader(body))
		d.UseNumber()
		if err := d.Decode(&a); err != nil {
			return nil, s, fmt.Errorf("bad array literal: %v", err)
		}
		return litExpr{a}, s[end+1:], nil
	}
	for _, kw := range []struct {
		w string
		v any
	}{{"true", true}, {"false", false}, {"null", nil}} {
		if strings.HasPrefix(s, kw.w) {
			return litExpr{kw.v}, s[len(kw.w):], nil
		}
	}
	n := 0
	for n < len(s) && strings.IndexByte("+-0123456789.eE", s[n]) >= 0 {
		n++
	}
	if n == 0 {
		return nil, s, fmt.Errorf("unexpected %q in filter", s)
	}
	if _, err := strconv.ParseFloat(s[:n], 64); err != nil {
		return nil, s, fmt.Errorf("bad number %q", s[:n])
	}
	return litExpr{json.Number(s[:n])}, s[n:], nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
