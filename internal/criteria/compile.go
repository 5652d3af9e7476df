package criteria

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"breachflow/internal/usertable"
)

// MaxExpressionLen is DynamoDB's limit on an expression string.
const MaxExpressionLen = 4096

// Plan is criteria compiled against a mapping: a filter expression and a
// projection that use placeholders only. Values never appear in the
// expression text, so no report can inject expression syntax.
//
// When the criteria pin the partition key of an index the mapping declares
// (the whole criteria, or one member of a top-level "all", is key = v or
// key in [...]), the plan queries that index once per key value instead of
// scanning, and Filter holds the rest of the criteria.
type Plan struct {
	Filter     string // empty when nothing is left to filter
	Projection string
	Names      map[string]string
	Values     map[string]types.AttributeValue // nil when there are none

	Index        string                 // empty: scan the table
	KeyCondition string                 // e.g. "#n0 = :key"; :key takes each of KeyValues in turn
	KeyValues    []types.AttributeValue // one query per value
}

// KeyPlaceholder is the value placeholder of a query plan's key condition.
const KeyPlaceholder = ":key"

// Compile validates c and compiles it against m. Unknown attributes, values
// of the wrong type for their attribute and operators an attribute's type
// cannot support are *InvalidCriteria errors with their field path. A nil c
// selects every user.
func Compile(c *Criteria, m *usertable.Mapping) (*Plan, error) {
	b := &builder{m: m, names: map[string]string{}, byAttr: map[string]string{}}
	if c != nil {
		if err := c.Validate(); err != nil {
			return nil, err
		}
		rest, err := b.keyed(c)
		if err != nil {
			return nil, err
		}
		expr := ""
		switch {
		case b.plan.Index == "":
			expr, err = b.node(c, RootPath)
		case len(rest) == 1:
			expr, err = b.node(rest[0].c, rest[0].path)
		case len(rest) > 1:
			parts := make([]string, len(rest))
			for i, r := range rest {
				if parts[i], err = b.node(r.c, r.path); err != nil {
					break
				}
			}
			expr = "(" + strings.Join(parts, " AND ") + ")"
		}
		if err != nil {
			return nil, err
		}
		if len(expr) > MaxExpressionLen {
			return nil, &InvalidCriteria{Path: RootPath, Reason: fmt.Sprintf("compiles to a %d-byte filter; DynamoDB takes at most %d", len(expr), MaxExpressionLen)}
		}
		b.plan.Filter = expr
	}
	var proj []string
	for _, a := range projected(m) {
		proj = append(proj, b.name(a))
	}
	b.plan.Projection = strings.Join(proj, ", ")
	b.plan.Names = b.names
	return &b.plan, nil
}

type pathed struct {
	c    *Criteria
	path string
}

// keyed looks for a condition that pins an index's partition key: the
// criteria themselves, or the first such member of a top-level "all". If it
// finds one it sets the plan's index and key, and returns the conditions
// left for the filter.
func (b *builder) keyed(c *Criteria) ([]pathed, error) {
	candidates := []pathed{{c, RootPath}}
	if c.All != nil {
		candidates = candidates[:0]
		for i := range c.All {
			candidates = append(candidates, pathed{&c.All[i], fmt.Sprintf("%s.all[%d]", RootPath, i)})
		}
	}
	for i, cand := range candidates {
		if cand.c.Attr == "" || (cand.c.Op != OpEq && cand.c.Op != OpIn) {
			continue
		}
		attr, a, ok := b.m.Resolve(cand.c.Attr)
		if !ok {
			continue
		}
		ix, ok := b.m.IndexOn(attr)
		if !ok {
			continue
		}
		l, err := cand.c.leaf()
		if err != nil {
			continue // Validate has passed; cannot happen
		}
		var keys []types.AttributeValue
		seen := map[scalar]bool{}
		for _, s := range l.values {
			if seen[s] { // "in" with a value twice must not read its users twice
				continue
			}
			seen[s] = true
			v, err := attributeValue(a, l.op, s)
			if err != nil {
				return nil, &InvalidCriteria{Path: cand.path, Reason: fmt.Sprintf("attribute %q (%s): %v", l.attr, a.Type, err)}
			}
			keys = append(keys, v)
		}
		b.plan.Index = ix.Name
		b.plan.KeyCondition = b.name(attr) + " = " + KeyPlaceholder
		b.plan.KeyValues = keys
		rest := slices.Delete(slices.Clone(candidates), i, i+1)
		return rest, nil
	}
	return nil, nil
}

// projected lists the attributes scoping reads from each matching user.
func projected(m *usertable.Mapping) []string {
	var attrs []string
	seen := map[string]bool{}
	for _, a := range []string{m.ID, m.Email, m.Phone, m.Postal, m.Locale, m.Country, m.Region, m.Name, m.Categories.Attribute} {
		if a != "" && !seen[a] {
			seen[a] = true
			attrs = append(attrs, a)
		}
	}
	for _, c := range sortedCategories(m.Categories.PerCategory) {
		if a := m.Categories.PerCategory[c]; !seen[a] {
			seen[a] = true
			attrs = append(attrs, a)
		}
	}
	return attrs
}

type builder struct {
	m      *usertable.Mapping
	plan   Plan
	names  map[string]string // placeholder -> attribute
	byAttr map[string]string // attribute -> placeholder
}

func (b *builder) name(attr string) string {
	if p, ok := b.byAttr[attr]; ok {
		return p
	}
	p := "#n" + strconv.Itoa(len(b.byAttr))
	b.byAttr[attr] = p
	b.names[p] = attr
	return p
}

func (b *builder) value(v types.AttributeValue) string {
	if b.plan.Values == nil {
		b.plan.Values = map[string]types.AttributeValue{}
	}
	p := ":v" + strconv.Itoa(len(b.plan.Values))
	b.plan.Values[p] = v
	return p
}

func (b *builder) node(c *Criteria, path string) (string, error) {
	switch {
	case c.All != nil || c.Any != nil:
		list, op := c.All, " AND "
		if c.Any != nil {
			list, op = c.Any, " OR "
		}
		name := strings.ToLower(strings.TrimSpace(op))
		if name == "and" {
			name = "all"
		} else {
			name = "any"
		}
		parts := make([]string, len(list))
		for i := range list {
			s, err := b.node(&list[i], fmt.Sprintf("%s.%s[%d]", path, name, i))
			if err != nil {
				return "", err
			}
			parts[i] = s
		}
		if len(parts) == 1 {
			return parts[0], nil
		}
		return "(" + strings.Join(parts, op) + ")", nil
	case c.Not != nil:
		s, err := b.node(c.Not, path+".not")
		if err != nil {
			return "", err
		}
		return "(NOT " + s + ")", nil
	}
	return b.leaf(c, path)
}

func (b *builder) leaf(c *Criteria, path string) (string, error) {
	l, err := c.leaf()
	if err != nil {
		err.(*InvalidCriteria).Path = path + err.(*InvalidCriteria).Path
		return "", err
	}
	attr, a, ok := b.m.Resolve(l.attr)
	if !ok {
		return "", &InvalidCriteria{Path: path + ".attr", Reason: fmt.Sprintf("unknown attribute %q (the user mapping knows %s)", l.attr, strings.Join(b.m.Names(), ", "))}
	}
	bad := func(format string, args ...any) (string, error) {
		return "", &InvalidCriteria{Path: path, Reason: fmt.Sprintf("attribute %q (%s): ", l.attr, a.Type) + fmt.Sprintf(format, args...)}
	}
	if !allowed(a.Type, l.op) {
		return bad("operator %q does not apply", string(l.op))
	}
	n := b.name(attr)
	switch l.op {
	case OpExists:
		return "attribute_exists(" + n + ")", nil
	case OpNotExists:
		return "attribute_not_exists(" + n + ")", nil
	case OpWithin:
		var parts []string
		if !l.from.IsZero() {
			v, err := timeValue(a, l.from)
			if err != nil {
				return bad("%v", err)
			}
			parts = append(parts, n+" >= "+b.value(v))
		}
		if !l.to.IsZero() {
			v, err := timeValue(a, l.to)
			if err != nil {
				return bad("%v", err)
			}
			parts = append(parts, n+" < "+b.value(v))
		}
		if len(parts) == 1 {
			return parts[0], nil
		}
		return "(" + strings.Join(parts, " AND ") + ")", nil
	}
	vals := make([]string, len(l.values))
	for i, s := range l.values {
		v, err := attributeValue(a, l.op, s)
		if err != nil {
			return bad("%v", err)
		}
		vals[i] = b.value(v)
	}
	switch l.op {
	case OpBetween:
		return n + " BETWEEN " + vals[0] + " AND " + vals[1], nil
	case OpBeginsWith:
		return "begins_with(" + n + ", " + vals[0] + ")", nil
	case OpContains:
		return "contains(" + n + ", " + vals[0] + ")", nil
	case OpIn:
		return n + " IN (" + strings.Join(vals, ", ") + ")", nil
	}
	return n + " " + string(l.op) + " " + vals[0], nil
}

// allowed says which operators make sense for an attribute type; the rest
// would be accepted by DynamoDB and quietly match nobody.
func allowed(t usertable.Type, op Op) bool {
	switch op {
	case OpExists, OpNotExists:
		return true
	}
	switch t {
	case usertable.TypeString:
		return op != OpWithin
	case usertable.TypeNumber:
		return op != OpWithin && op != OpBeginsWith && op != OpContains
	case usertable.TypeBool:
		return op == OpEq || op == OpNe || op == OpIn
	case usertable.TypeTime:
		return op != OpBeginsWith && op != OpContains
	case usertable.TypeSet:
		return op == OpContains
	}
	return false
}
