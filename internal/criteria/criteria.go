package criteria

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"
)

// Op is a comparison in a leaf of the criteria.
type Op string

// The operators a criteria leaf may use. Comparisons follow DynamoDB's own
// semantics (strings compare by UTF-8 bytes, numbers numerically).
const (
	OpEq         Op = "="
	OpNe         Op = "<>"
	OpLt         Op = "<"
	OpLe         Op = "<="
	OpGt         Op = ">"
	OpGe         Op = ">="
	OpBetween    Op = "between"     // value: [low, high], both inclusive
	OpBeginsWith Op = "begins_with" // value: a non-empty string prefix
	OpContains   Op = "contains"    // value: a substring, or a member of a set attribute
	OpExists     Op = "exists"      // no value
	OpNotExists  Op = "not_exists"  // no value
	OpIn         Op = "in"          // value: [v1, v2, ...], 1 to MaxInValues scalars
	OpWithin     Op = "within"      // time window: from (inclusive) and/or to (exclusive), RFC 3339
)

var ops = []Op{OpEq, OpNe, OpLt, OpLe, OpGt, OpGe, OpBetween, OpBeginsWith, OpContains, OpExists, OpNotExists, OpIn, OpWithin}

// Valid reports whether o is a known operator.
func (o Op) Valid() bool { return slices.Contains(ops, o) }

// Limits that keep a compiled expression inside DynamoDB's (4 KB expression,
// 100 operands of IN) and a hostile report from costing much.
const (
	MaxDepth    = 16  // nesting of all/any/not
	MaxNodes    = 256 // conditions and groups in total
	MaxInValues = 100 // values of one "in"
	MaxAttrLen  = 255 // bytes of an attribute name
)

// RootPath is the field path Validate reports errors under: the "scope" field
// of a breach report.
const RootPath = "scope"

// Criteria selects the affected people from the user table. A node is either
// a group (exactly one of All, Any, Not) or a leaf (Attr, Op and, depending
// on Op, Value or From/To):
//
//	{"all": [
//	  {"attr": "country", "op": "in", "value": ["KR", "JP"]},
//	  {"attr": "payment_service", "op": "=", "value": "kakaopay"},
//	  {"attr": "overseas_transfer", "op": "=", "value": true},
//	  {"attr": "signup_at", "op": "within", "from": "2018-01-01T00:00:00Z", "to": "2024-06-01T00:00:00Z"},
//	  {"not": {"attr": "closed_at", "op": "exists"}}
//	]}
//
// Attr names an attribute of the mapping (package usertable): a logical name
// (id, email, phone, locale, country, region, name), an attribute the mapping
// declares as selectable, or the raw name a logical field maps to. Attributes
// the mapping does not know are rejected by Compile, because a filter on an
// attribute that does not exist silently matches nobody, and nobody is the
// worst answer scoping can give.
//
// Values are JSON scalars: strings, numbers (kept exact) and booleans (only
// with = and <>). Against an attribute the mapping types as time, string
// values are RFC 3339 instants, converted to the table's own representation.
//
// Decoding never fails on shape: what is wrong is kept and reported by
// Validate with its field path, so a report gets one clear message such as
// `scope.all[1].op: unknown operator "~"`.
type Criteria struct {
	All   []Criteria      `json:"all,omitempty"`
	Any   []Criteria      `json:"any,omitempty"`
	Not   *Criteria       `json:"not,omitempty"`
	Attr  string          `json:"attr,omitempty"`
	Op    Op              `json:"op,omitempty"`
	Value json.RawMessage `json:"value,omitempty"`
	From  string          `json:"from,omitempty"`
	To    string          `json:"to,omitempty"`

	// problems found while decoding, as (path suffix, message).
	problems [][2]string
}

// InvalidCriteria says what is wrong with scope criteria and where. The state
// machine routes on its name.
type InvalidCriteria struct {
	Path   string // e.g. "scope.all[1].op"
	Reason string
}

// Error names the path and what is wrong there.
func (e *InvalidCriteria) Error() string { return e.Path + ": " + e.Reason }

// UnmarshalJSON decodes a criteria node. Shape problems (unknown fields,
// wrong JSON types) are recorded for Validate instead of failing here, so
// that they can be reported with their full path.
func (c *Criteria) UnmarshalJSON(b []byte) error {
	*c = Criteria{}
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		c.problem("", "want an object, got "+jsonKind(b))
		return nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		c.problem("", "want an object")
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v := m[k]
		switch k {
		case "all", "any":
			var list []Criteria
			if len(v) == 0 || v[0] != '[' {
				c.problem("."+k, "want an array, got "+jsonKind(v))
				continue
			}
			if err := json.Unmarshal(v, &list); err != nil {
				c.problem("."+k, "want an array of conditions")
				continue
			}
			if list == nil {
				list = []Criteria{} // "all": [] is an error, not an absent field
			}
			if k == "all" {
				c.All = list
			} else {
				c.Any = list
			}
		case "not":
			n := &Criteria{}
			if err := n.UnmarshalJSON(v); err != nil {
				return err
			}
			c.Not = n
		case "attr", "op", "from", "to":
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				c.problem("."+k, "want a string, got "+jsonKind(v))
				continue
			}
			switch k {
			case "attr":
				c.Attr = s
			case "op":
				c.Op = Op(s)
			case "from":
				c.From = s
			case "to":
				c.To = s
			}
		case "value":
			c.Value = slices.Clone(v)
		default:
			c.problem("", fmt.Sprintf("unknown field %q", k))
		}
	}
	return nil
}

func (c *Criteria) problem(suffix, msg string) {
	c.problems = append(c.problems, [2]string{suffix, msg})
}

// jsonKind names the JSON type of raw, for messages.
func jsonKind(raw []byte) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// Validate checks the criteria's shape: operators, value types, nesting and
// limits. It reports the first problem as an *InvalidCriteria whose path
// starts at RootPath. Whether the attributes exist is Compile's question,
// since it needs the mapping.
func (c *Criteria) Validate() error { return c.ValidateAt(RootPath) }

// ValidateAt is Validate with another root path, for criteria that do not
// sit in a report's "scope" field.
func (c *Criteria) ValidateAt(root string) error {
	if c == nil {
		return &InvalidCriteria{Path: root, Reason: "missing"}
	}
	nodes := 0
	return c.validate(root, 1, &nodes)
}

func (c *Criteria) validate(path string, depth int, nodes *int) error {
	bad := func(suffix, format string, a ...any) error {
		return &InvalidCriteria{Path: path + suffix, Reason: fmt.Sprintf(format, a...)}
	}
	if len(c.problems) > 0 {
		return bad(c.problems[0][0], "%s", c.problems[0][1])
	}
	if depth > MaxDepth {
		return bad("", "nested more than %d deep", MaxDepth)
	}
	if *nodes++; *nodes > MaxNodes {
		return bad("", "more than %d conditions", MaxNodes)
	}
	var kinds []string
	if c.All != nil {
		kinds = append(kinds, "all")
	}
	if c.Any != nil {
		kinds = append(kinds, "any")
	}
	if c.Not != nil {
		kinds = append(kinds, "not")
	}
	leaf := c.Attr != "" || c.Op != "" || c.Value != nil || c.From != "" || c.To != ""
	if leaf {
		kinds = append(kinds, "attr/op")
	}
	switch len(kinds) {
	case 0:
		return bad("", "empty condition: want one of all, any, not, or attr with op")
	case 1:
	default:
		return bad("", "a condition holds one of all, any, not, attr/op; this one has %s", strings.Join(kinds, " and "))
	}
	for _, g := range []struct {
		name string
		list []Criteria
	}{{"all", c.All}, {"any", c.Any}} {
		if g.list == nil {
			continue
		}
		if len(g.list) == 0 {
			return bad("."+g.name, "empty list")
		}
		for i := range g.list {
			if err := g.list[i].validate(fmt.Sprintf("%s.%s[%d]", path, g.name, i), depth+1, nodes); err != nil {
				return err
			}
		}
	}
	if c.Not != nil {
		return c.Not.validate(path+".not", depth+1, nodes)
	}
	if !leaf {
		return nil
	}
	_, err := c.leaf()
	if err != nil {
		err.(*InvalidCriteria).Path = path + err.(*InvalidCriteria).Path
	}
	return err
}

// scalar is one decoded value: kind 'S' (string), 'N' (number, as written)
// or 'B' (boolean, "true"/"false").
type scalar struct {
	kind byte
	text string
}

// leaf is a validated leaf condition.
type leaf struct {
	attr     string
	op       Op
	values   []scalar
	from, to time.Time // within; zero when open
}

// leaf decodes and checks a leaf. Errors carry a path suffix only.
func (c *Criteria) leaf() (leaf, error) {
	bad := func(suffix, format string, a ...any) (leaf, error) {
		return leaf{}, &InvalidCriteria{Path: suffix, Reason: fmt.Sprintf(format, a...)}
	}
	l := leaf{attr: c.Attr, op: c.Op}
	switch {
	case c.Attr == "":
		return bad(".attr", "missing")
	case len(c.Attr) > MaxAttrLen:
		return bad(".attr", "longer than %d bytes", MaxAttrLen)
	case c.Op == "":
		return bad(".op", "missing")
	case !c.Op.Valid():
		return bad(".op", "unknown operator %q", string(c.Op))
	}
	if c.Op != OpWithin && (c.From != "" || c.To != "") {
		return bad("", "from/to belong to op %q only", OpWithin)
	}
	switch c.Op {
	case OpExists, OpNotExists:
		if c.Value != nil {
			return bad(".value", "operator %q takes no value", string(c.Op))
		}
		return l, nil
	case OpWithin:
		if c.Value != nil {
			return bad(".value", "operator %q takes from/to, not value", string(c.Op))
		}
		if c.From == "" && c.To == "" {
			return bad("", "time window needs from, to, or both")
		}
		var err error
		if c.From != "" {
			if l.from, err = time.Parse(time.RFC3339, c.From); err != nil {
				return bad(".from", "want an RFC 3339 time such as 2024-05-01T00:00:00Z, got %q", c.From)
			}
		}
		if c.To != "" {
			if l.to, err = time.Parse(time.RFC3339, c.To); err != nil {
				return bad(".to", "want an RFC 3339 time such as 2024-05-01T00:00:00Z, got %q", c.To)
			}
		}
		if c.From != "" && c.To != "" && !l.from.Before(l.to) {
			return bad(".to", "must be after from")
		}
		return l, nil
	}
	if c.Value == nil {
		return bad(".value", "missing")
	}
	switch c.Op {
	case OpBetween, OpIn:
		var raws []json.RawMessage
		if err := json.Unmarshal(c.Value, &raws); err != nil || bytes.TrimSpace(c.Value)[0] != '[' {
			return bad(".value", "operator %q wants an array, got %s", string(c.Op), jsonKind(c.Value))
		}
		if c.Op == OpBetween && len(raws) != 2 {
			return bad(".value", "between wants [low, high], got %d values", len(raws))
		}
		if c.Op == OpIn && (len(raws) == 0 || len(raws) > MaxInValues) {
			return bad(".value", "in wants 1 to %d values, got %d", MaxInValues, len(raws))
		}
		for i, r := range raws {
			v, err := decodeScalar(r)
			if err != nil {
				return bad(fmt.Sprintf(".value[%d]", i), "%v", err)
			}
			if c.Op == OpBetween && v.kind == 'B' {
				return bad(fmt.Sprintf(".value[%d]", i), "between compares strings or numbers, not booleans")
			}
			if i > 0 && v.kind != l.values[0].kind {
				return bad(fmt.Sprintf(".value[%d]", i), "mixes types with value[0]")
			}
			l.values = append(l.values, v)
		}
		if c.Op == OpBetween && less(l.values[1], l.values[0]) {
			return bad(".value", "between wants low <= high")
		}
		return l, nil
	}
	v, err := decodeScalar(c.Value)
	if err != nil {
		return bad(".value", "%v", err)
	}
	switch {
	case v.kind == 'B' && c.Op != OpEq && c.Op != OpNe:
		return bad(".value", "operator %q does not take a boolean", string(c.Op))
	case c.Op == OpBeginsWith && (v.kind != 'S' || v.text == ""):
		return bad(".value", "begins_with wants a non-empty string")
	}
	l.values = []scalar{v}
	return l, nil
}

// decodeScalar reads one JSON string, number or boolean.
func decodeScalar(raw json.RawMessage) (scalar, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return scalar{}, fmt.Errorf("want a string, number or boolean")
	}
	switch v := v.(type) {
	case string:
		return scalar{'S', v}, nil
	case json.Number:
		return scalar{'N', v.String()}, nil
	case bool:
		return scalar{'B', fmt.Sprint(v)}, nil
	}
	return scalar{}, fmt.Errorf("want a string, number or boolean, got %s", jsonKind(raw))
}

// less orders two scalars of one kind the way DynamoDB does.
func less(a, b scalar) bool {
	if a.kind == 'N' {
		x, y := parseNum(a.text), parseNum(b.text)
		return x.Cmp(y) < 0
	}
	return a.text < b.text
}

// parseNum reads a JSON number exactly enough to order DynamoDB numbers (38
// significant digits).
func parseNum(s string) *big.Float {
	f, _, err := big.ParseFloat(s, 10, 256, big.ToNearestEven)
	if err != nil {
		return new(big.Float)
	}
	return f
}
