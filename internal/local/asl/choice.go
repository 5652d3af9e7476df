package asl

import (
	"cmp"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

type choiceRule struct {
	variable    *Path
	op          string // comparison operator without "Path", or "And"/"Or"/"Not"
	operand     any
	operandPath *Path
	subs        []*choiceRule
	next        string
	// Assign of a top-level rule; JSONata rules have a Condition and may
	// have an Output.
	assign    *assignment
	condition *jtemplate
	output    *jtemplate
}

var comparisonOps = map[string]string{ // operator -> operand kind
	"StringEquals": "string", "StringLessThan": "string", "StringGreaterThan": "string",
	"StringLessThanEquals": "string", "StringGreaterThanEquals": "string", "StringMatches": "string",
	"NumericEquals": "number", "NumericLessThan": "number", "NumericGreaterThan": "number",
	"NumericLessThanEquals": "number", "NumericGreaterThanEquals": "number",
	"BooleanEquals":   "bool",
	"TimestampEquals": "timestamp", "TimestampLessThan": "timestamp", "TimestampGreaterThan": "timestamp",
	"TimestampLessThanEquals": "timestamp", "TimestampGreaterThanEquals": "timestamp",
	"IsNull": "bool", "IsPresent": "bool", "IsNumeric": "bool", "IsString": "bool", "IsBoolean": "bool", "IsTimestamp": "bool",
}

func compileChoiceRule(raw any, top bool) (*choiceRule, error) {
	m, ok := raw.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("a choice rule must be an object")
	}
	r := &choiceRule{}
	if top {
		n, ok := m["Next"].(string)
		if !ok || n == "" {
			return nil, fmt.Errorf("a top-level choice rule needs Next")
		}
		r.next = n
	} else if _, has := m["Next"]; has {
		return nil, fmt.Errorf("Next is only allowed in top-level choice rules")
	}
	var ops []string
	for k := range m {
		switch k {
		case "Next", "Comment", "Variable":
			continue
		case "Assign":
			if !top {
				return nil, fmt.Errorf("Assign is only allowed in top-level choice rules")
			}
			a, err := compileAssign(m[k], false, "Assign")
			if err != nil {
				return nil, err
			}
			r.assign = a
			continue
		case "Output", "Condition":
			return nil, fmt.Errorf("Field '%s' is not supported when QueryLanguage is JSONPath", k)
		}
		ops = append(ops, k)
	}
	if len(ops) != 1 {
		return nil, fmt.Errorf("a choice rule needs exactly one operator, found %v", ops)
	}
	op := ops[0]
	switch op {
	case "And", "Or":
		list, ok := m[op].([]any)
		if !ok || len(list) == 0 {
			return nil, fmt.Errorf("%s needs a non-empty array of rules", op)
		}
		r.op = op
		for _, x := range list {
			sub, err := compileChoiceRule(x, false)
			if err != nil {
				return nil, err
			}
			r.subs = append(r.subs, sub)
		}
		if _, has := m["Variable"]; has {
			return nil, fmt.Errorf("%s cannot have a Variable", op)
		}
		return r, nil
	case "Not":
		sub, err := compileChoiceRule(m[op], false)
		if err != nil {
			return nil, err
		}
		r.op, r.subs = op, []*choiceRule{sub}
		if _, has := m["Variable"]; has {
			return nil, fmt.Errorf("Not cannot have a Variable")
		}
		return r, nil
	}
	vs, ok := m["Variable"].(string)
	if !ok {
		return nil, fmt.Errorf("%s needs a Variable", op)
	}
	v, err := CompileReferencePath(vs)
	if err != nil {
		return nil, fmt.Errorf("Variable: %v", err)
	}
	r.variable = v
	base := op
	if strings.HasSuffix(op, "Path") && op != "StringMatchesPath" {
		base = strings.TrimSuffix(op, "Path")
	}
	kind, known := comparisonOps[base]
	if !known || (base != op && strings.HasPrefix(base, "Is")) {
		return nil, fmt.Errorf("unknown comparison operator %q", op)
	}
	r.op = base
	if base != op {
		s, ok := m[op].(string)
		if !ok {
			return nil, fmt.Errorf("%s needs a path string", op)
		}
		p, err := CompilePath(s)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", op, err)
		}
		r.operandPath = p
		return r, nil
	}
	val := m[op]
	switch kind {
	case "string":
		if _, ok := val.(string); !ok {
			return nil, fmt.Errorf("%s needs a string", op)
		}
	case "number":
		if !isNumber(val) {
			return nil, fmt.Errorf("%s needs a number", op)
		}
	case "bool":
		if _, ok := val.(bool); !ok {
			return nil, fmt.Errorf("%s needs a boolean", op)
		}
	case "timestamp":
		s, _ := val.(string)
		t, ok := parseTimestamp(s)
		if !ok {
			return nil, fmt.Errorf("%s needs an RFC3339 timestamp", op)
		}
		val = t
	}
	r.operand = val
	return r, nil
}

func parseTimestamp(s string) (time.Time, bool) {
	if !strings.Contains(s, "T") {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	return t, err == nil
}

// matches evaluates a rule. A comparison whose Variable is missing is a
// States.Runtime error, as in AWS; type mismatches simply do not match.
func (r *runner) matches(c *choiceRule, input any, env *stateEnv) (bool, *ExecError) {
	switch c.op {
	case "And", "Or":
		for _, s := range c.subs {
			ok, err := r.matches(s, input, env)
			if err != nil {
				return false, err
			}
			if c.op == "And" && !ok {
				return false, nil
			}
			if c.op == "Or" && ok {
				return true, nil
			}
		}
		return c.op == "And", nil
	case "Not":
		ok, err := r.matches(c.subs[0], input, env)
		return !ok, err
	}
	v, found := c.variable.sel(input, env)
	if c.op == "IsPresent" {
		return found == c.operand.(bool), nil
	}
	if !found {
		return false, execErr(ErrRuntime, "Invalid path '%s': The choice state's condition path references an invalid value.", c.variable.src)
	}
	operand := c.operand
	if c.operandPath != nil {
		o, ok := c.operandPath.sel(input, env)
		if !ok {
			return false, execErr(ErrRuntime, "Invalid path '%s': The choice state's condition path references an invalid value.", c.operandPath.src)
		}
		operand = o
		if strings.HasPrefix(c.op, "Timestamp") {
			s, _ := o.(string)
			t, ok := parseTimestamp(s)
			if !ok {
				return false, nil
			}
			operand = t
		}
	}
	return compare(c.op, v, operand), nil
}

func compare(op string, v, operand any) bool {
	switch op {
	case "IsNull":
		return (v == nil) == operand.(bool)
	case "IsNumeric":
		return isNumber(v) == operand.(bool)
	case "IsString":
		_, ok := v.(string)
		return ok == operand.(bool)
	case "IsBoolean":
		_, ok := v.(bool)
		return ok == operand.(bool)
	case "IsTimestamp":
		s, ok := v.(string)
		if ok {
			_, ok = parseTimestamp(s)
		}
		return ok == operand.(bool)
	case "BooleanEquals":
		a, ok1 := v.(bool)
		b, ok2 := operand.(bool)
		return ok1 && ok2 && a == b
	case "StringMatches":
		a, ok1 := v.(string)
		b, ok2 := operand.(string)
		return ok1 && ok2 && stringMatches(a, b)
	}
	switch {
	case strings.HasPrefix(op, "String"):
		a, ok1 := v.(string)
		b, ok2 := operand.(string)
		if !ok1 || !ok2 {
			return false
		}
		return cmpResult(op[len("String"):], compareUTF16(a, b))
	case strings.HasPrefix(op, "Numeric"):
		a, ok1 := toFloat(v)
		b, ok2 := toFloat(operand)
		if !ok1 || !ok2 {
			return false
		}
		c := 0
		if a < b {
			c = -1
		} else if a > b {
			c = 1
		}
		return cmpResult(op[len("Numeric"):], c)
	case strings.HasPrefix(op, "Timestamp"):
		s, ok := v.(string)
		if !ok {
			return false
		}
		a, ok := parseTimestamp(s)
		b, ok2 := operand.(time.Time)
		if !ok || !ok2 {
			return false
		}
		return cmpResult(op[len("Timestamp"):], a.Compare(b))
	}
	return false
}

// compareUTF16 orders strings as Java's String.compareTo does, by UTF-16
// code units, which is how AWS compares them. It differs from Go's byte
// order only between a character above U+FFFF (a surrogate pair,
// 0xD800-0xDBFF first) and one in U+E000-U+FFFF: "\uFF01" sorts after
// "\U0001F600" here, before it in Go.
func compareUTF16(a, b string) int {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		ra, sa := utf8.DecodeRuneInString(a[i:])
		rb, sb := utf8.DecodeRuneInString(b[j:])
		if ra != rb {
			ua, ub := firstUnit(ra), firstUnit(rb)
			if ua != ub {
				return cmp.Compare(ua, ub)
			}
			return cmp.Compare(ra, rb) // both surrogate pairs: the low units keep code point order
		}
		i, j = i+sa, j+sb
	}
	switch {
	case i < len(a):
		return 1
	case j < len(b):
		return -1
	}
	return 0
}

// firstUnit is the first UTF-16 code unit of r.
func firstUnit(r rune) rune {
	if r < 0x10000 {
		return r
	}
	return 0xD800 + (r-0x10000)>>10
}

func cmpResult(rel string, c int) bool {
	switch rel {
	case "Equals":
		return c == 0
	case "LessThan":
		return c < 0
	case "GreaterThan":
		return c > 0
	case "LessThanEquals":
		return c <= 0
	case "GreaterThanEquals":
		return c >= 0
	}
	return false
}

// stringMatches implements StringMatches: "*" matches any run of characters,
// "\*" a literal star and "\\" a literal backslash.
func stringMatches(s, pattern string) bool {
	type tok struct {
		star bool
		lit  rune
	}
	var toks []tok
	rs := []rune(pattern)
	for i := 0; i < len(rs); i++ {
		if rs[i] == '\\' && i+1 < len(rs) {
			i++
			toks = append(toks, tok{lit: rs[i]})
			continue
		}
		toks = append(toks, tok{star: rs[i] == '*', lit: rs[i]})
	}
	str := []rune(s)
	// classic wildcard matching with backtracking on the last star
	si, pi, starP, starS := 0, 0, -1, 0
	for si < len(str) {
		switch {
		case pi < len(toks) && !toks[pi].star && toks[pi].lit == str[si]:
			si++
			pi++
		case pi < len(toks) && toks[pi].star:
			starP, starS = pi, si
			pi++
		case starP >= 0:
			starS++
			si, pi = starS, starP+1
		default:
			return false
		}
	}
	for pi < len(toks) && toks[pi].star {
		pi++
	}
	return pi == len(toks)
}
