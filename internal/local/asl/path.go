package asl

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Path is a compiled JSONPath ("$..." against the state input, "$$..."
// against the context object, "$name..." against the workflow variable
// name).
type Path struct {
	src        string
	context    bool   // starts with $$
	variable   string // starts with $name
	segs       []segment
	indefinite bool // may select several nodes: the result is then an array
}

type segKind int

const (
	segName segKind = iota
	segIndex
	segWildcard
	segSlice
	segUnion
	segDeep // deep scan; name "" = all
	segFilter
)

type segment struct {
	kind   segKind
	name   string
	index  int
	slice  [3]*int
	union  []segment // name or index segments
	filter expr
}

// String returns the path as written.
func (p *Path) String() string { return p.src }

// IsContext reports whether the path reads the context object ($$).
func (p *Path) IsContext() bool { return p.context }

// Variable returns the workflow variable the path reads ("x" for "$x.a"),
// or "" for a path over the input or the context object.
func (p *Path) Variable() string { return p.variable }

// Indefinite reports whether the path may select several nodes.
func (p *Path) Indefinite() bool { return p.indefinite }

// IsReference reports whether the path is a Reference Path: only names and
// indices, selecting a single node.
func (p *Path) IsReference() bool {
	for _, s := range p.segs {
		if s.kind != segName && s.kind != segIndex {
			return false
		}
	}
	return true
}

// CompilePath parses a JSONPath.
func CompilePath(src string) (*Path, error) {
	p := &Path{src: src}
	s := src
	switch {
	case strings.HasPrefix(s, "$$"):
		p.context = true
		s = s[2:]
	case strings.HasPrefix(s, "$") && len(s) > 1 && isVarStart(s[1]):
		n := 1
		for n < len(s) && isVarChar(s[n]) {
			n++
		}
		p.variable = s[1:n]
		s = s[n:]
	case strings.HasPrefix(s, "$"):
		s = s[1:]
	default:
		return nil, fmt.Errorf("path %q must start with $", src)
	}
	segs, rest, err := parseSegments(s, false)
	if err != nil {
		return nil, fmt.Errorf("path %q: %v", src, err)
	}
	if rest != "" {
		return nil, fmt.Errorf("path %q: unexpected %q", src, rest)
	}
	p.segs = segs
	for _, sg := range segs {
		if sg.kind != segName && sg.kind != segIndex {
			p.indefinite = true
		}
	}
	return p, nil
}

// CompileReferencePath parses a Reference Path (ResultPath, Choice Variable).
func CompileReferencePath(src string) (*Path, error) {
	p, err := CompilePath(src)
	if err != nil {
		return nil, err
	}
	if !p.IsReference() {
		return nil, fmt.Errorf("%q is not a reference path (only names and indices allowed)", src)
	}
	return p, nil
}

func isVarStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func isVarChar(c byte) bool { return isVarStart(c) || c >= '0' && c <= '9' }

func isNameChar(c byte) bool {
	switch c {
	case '.', '[', ']', ' ', '\t', '(', ')', '=', '!', '<', '>', '&', '|', ',', '\'', '"', '*', '@', '$', '?', ':':
		return false
	}
	return true
}

// parseSegments parses path segments until the input ends or, inFilter, a
// character that cannot continue a path.
func parseSegments(s string, inFilter bool) ([]segment, string, error) {
	var segs []segment
	for len(s) > 0 {
		switch {
		case strings.HasPrefix(s, ".."):
			s = s[2:]
			if strings.HasPrefix(s, "*") {
				segs = append(segs, segment{kind: segDeep})
				s = s[1:]
				continue
			}
			if strings.HasPrefix(s, "[") {
				segs = append(segs, segment{kind: segDeep})
				continue
			}
			n := nameLen(s)
			if n == 0 {
				return nil, s, fmt.Errorf("empty name after ..")
			}
			segs = append(segs, segment{kind: segDeep, name: s[:n]})
			s = s[n:]
		case s[0] == '.':
			s = s[1:]
			if strings.HasPrefix(s, "*") {
				segs = append(segs, segment{kind: segWildcard})
				s = s[1:]
				continue
			}
			n := nameLen(s)
			if n == 0 {
				return nil, s, fmt.Errorf("empty name after .")
			}
			if strings.HasPrefix(s[n:], "()") {
				if s[:n] == "length" {
					segs = append(segs, segment{kind: segName, name: "length()"})
					s = s[n+2:]
					continue
				}
				return nil, s, fmt.Errorf("unsupported function %s()", s[:n])
			}
			segs = append(segs, segment{kind: segName, name: s[:n]})
			s = s[n:]
		case s[0] == '[':
			sg, rest, err := parseBracket(s[1:])
			if err != nil {
				return nil, s, err
			}
			segs = append(segs, sg)
			s = rest
		default:
			if inFilter {
				return segs, s, nil
			}
			return nil, s, fmt.Errorf("unexpected %q", s)
		}
	}
	return segs, s, nil
}

func nameLen(s string) int {
	n := 0
	for n < len(s) && isNameChar(s[n]) {
		n++
	}
	return n
}

// Select evaluates the path. For a definite path it returns the single node
// and whether it exists; for an indefinite path it returns the array of
// matches (possibly empty) and true.
//
// A path over a variable ($name) selects nothing here; the engine resolves
// those against the variables in scope.
func (p *Path) Select(input, context any) (any, bool) {
	root := input
	switch {
	case p.context:
		root = context
	case p.variable != "":
		return nil, false
	}
	return p.from(root, input, context)
}

// sel evaluates the path in a state: $$ reads the context object, $name the
// variables in scope.
func (p *Path) sel(input any, env *stateEnv) (any, bool) {
	var ctx any
	if env != nil && env.ctx != nil {
		ctx = env.ctx
	}
	root := input
	switch {
	case p.context:
		root = ctx
	case p.variable != "":
		if env == nil || env.vars == nil {
			return nil, false
		}
		v, ok := env.vars.lookup(p.variable)
		if !ok {
			return nil, false
		}
		root = v
	}
	return p.from(root, input, ctx)
}

// from applies the segments to root; input and context serve filters.
func (p *Path) from(root, input, context any) (any, bool) {
	if !p.indefinite {
		cur := root
		for _, sg := range p.segs {
			var ok bool
			cur, ok = step(cur, sg)
			if !ok {
				return nil, false
			}
		}
		return cur, true
	}
	nodes := []any{root}
	for _, sg := range p.segs {
		nodes = apply(nodes, sg, input, context)
	}
	if nodes == nil {
		nodes = []any{}
	}
	return nodes, true
}

func step(v any, sg segment) (any, bool) {
	switch sg.kind {
	case segName:
		m, ok := v.(map[string]any)
		if !ok {
			if a, isArr := v.([]any); isArr && sg.name == "length()" {
				return json.Number(strconv.Itoa(len(a))), true
			}
			return nil, false
		}
		x, ok := m[sg.name]
		return x, ok
	case segIndex:
		a, ok := v.([]any)
		if !ok {
			return nil, false
		}
		i := sg.index
		if i < 0 {
			i += len(a)
		}
		if i < 0 || i >= len(a) {
			return nil, false
		}
		return a[i], true
	}
	return nil, false
}

func apply(nodes []any, sg segment, root, ctx any) []any {
	var out []any
	for _, n := range nodes {
		switch sg.kind {
		case segName, segIndex:
			if x, ok := step(n, sg); ok {
				out = append(out, x)
			}
		case segWildcard:
			out = appendChildren(out, n)
		case segUnion:
			for _, u := range sg.union {
				if x, ok := step(n, u); ok {
					out = append(out, x)
				}
			}
		case segSlice:
			a, ok := n.([]any)
			if !ok {
				continue
			}
			out = appendSlice(out, a, sg.slice)
		case segDeep:
			out = deepScan(out, n, sg.name)
		case segFilter:
			switch c := n.(type) {
			case []any:
				for _, x := range c {
					if truthy(sg.filter.eval(x, root, ctx)) {
						out = append(out, x)
					}
				}
			case map[string]any:
				for _, k := range sortedKeys(c) {
					if truthy(sg.filter.eval(c[k], root, ctx)) {
						out = append(out, c[k])
					}
				}
			}
		}
	}
	return out
}

func appendChildren(out []any, n any) []any {
	switch c := n.(type) {
	case []any:
		out = append(out, c...)
	case map[string]any:
		for _, k := range sortedKeys(c) {
			out = append(out, c[k])
		}
	}
	return out
}

// deepScan collects, in document order, every descendant-or-self's member
// called name (or, for name "", every descendant).
func deepScan(out []any, n any, name string) []any {
	if name == "" {
		switch c := n.(type) {
		case []any:
			for _, x := range c {
				out = append(out, x)
				out = deepScan(out, x, name)
			}
		case map[string]any:
			for _, k := range sortedKeys(c) {
				out = append(out, c[k])
				out = deepScan(out, c[k], name)
			}
		}
		return out
	}
	switch c := n.(type) {
	case []any:
		for _, x := range c {
			out = deepScan(out, x, name)
		}
	case map[string]any:
		if x, ok := c[name]; ok {
			out = append(out, x)
		}
		for _, k := range sortedKeys(c) {
			out = deepScan(out, c[k], name)
		}
	}
	return out
}

func appendSlice(out []any, a []any, sl [3]*int) []any {
	n := len(a)
	stepN := 1
	if sl[2] != nil {
		stepN = *sl[2]
	}
	norm := func(p *int, def int) int {
		if p == nil {
			return def
		}
		i := *p
		if i < 0 {
			i += n
		}
		if i < 0 {
			i = -1
			if stepN > 0 {
				i = 0
			}
		}
		if i > n {
			i = n
		}
		return i
	}
	if stepN > 0 {
		start, end := norm(sl[0], 0), norm(sl[1], n)
		for i := start; i < end && i < n; i += stepN {
			out = append(out, a[i])
		}
	} else {
		start, end := norm(sl[0], n-1), norm(sl[1], -1)
		if start >= n {
			start = n - 1
		}
		for i := start; i > end && i >= 0; i += stepN {
			out = append(out, a[i])
		}
	}
	return out
}
