package asl

import (
	"fmt"
	"strings"
)

// template is a compiled payload template (Parameters, ItemSelector,
// ResultSelector, BatchInput): literal parts are kept as-is, ".$" fields are
// paths or intrinsic function calls evaluated per use.
type template struct {
	static bool
	lit    any
	fields []templateField // object
	elems  []*template     // array
}

type templateField struct {
	key       string
	sub       *template // nil for dynamic fields
	path      *Path
	intrinsic string
}

type isArray struct{}

// dynamic is a value computed per use from a path or an intrinsic call.
type dynamic struct {
	src       string
	path      *Path
	intrinsic string
}

func (r *runner) evalDynamic(d *dynamic, input any, env *stateEnv) (any, *ExecError) {
	if d.path == nil {
		return r.intrinsic(d.intrinsic, input, env)
	}
	v, ok := d.path.sel(input, env)
	if !ok {
		return nil, execErr(ErrRuntime, "The JSONPath %s could not be found in the input", d.src)
	}
	return v, nil
}

func compileTemplate(v any) (*template, error) {
	switch x := v.(type) {
	case map[string]any:
		t := &template{static: true}
		for _, k := range sortedKeys(x) {
			val := x[k]
			if strings.HasSuffix(k, ".$") {
				s, ok := val.(string)
				if !ok {
					return nil, fmt.Errorf("field %q must be a string path or intrinsic function", k)
				}
				f := templateField{key: strings.TrimSuffix(k, ".$")}
				if strings.HasPrefix(s, "$") {
					p, err := CompilePath(s)
					if err != nil {
						return nil, fmt.Errorf("field %q: %v", k, err)
					}
					f.path = p
				} else if strings.HasPrefix(s, "States.") {
					if err := checkIntrinsic(s); err != nil {
						return nil, fmt.Errorf("field %q: %v", k, err)
					}
					f.intrinsic = s
				} else {
					return nil, fmt.Errorf("field %q: %q is neither a path nor an intrinsic function", k, s)
				}
				t.static = false
				t.fields = append(t.fields, f)
				continue
			}
			sub, err := compileTemplate(val)
			if err != nil {
				return nil, err
			}
			if !sub.static {
				t.static = false
			}
			t.fields = append(t.fields, templateField{key: k, sub: sub})
		}
		if t.static {
			t.lit = x
			t.fields = nil
		}
		return t, nil
	case []any:
		t := &template{static: true, lit: x}
		for _, e := range x {
			sub, err := compileTemplate(e)
			if err != nil {
				return nil, err
			}
			if !sub.static {
				t.static = false
			}
			t.elems = append(t.elems, sub)
		}
		if t.static {
			t.elems = nil
		} else {
			t.lit = isArray{}
		}
		return t, nil
	}
	return &template{static: true, lit: v}, nil
}

// evalTemplate builds the payload. failName is the error to report when a
// path selects nothing (States.ParameterPathFailure in the spec).
func (r *runner) evalTemplate(t *template, input any, env *stateEnv) (any, *ExecError) {
	if t.static {
		return t.lit, nil
	}
	if _, ok := t.lit.(isArray); ok {
		out := make([]any, len(t.elems))
		for i, e := range t.elems {
			v, err := r.evalTemplate(e, input, env)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	}
	out := make(map[string]any, len(t.fields))
	for _, f := range t.fields {
		switch {
		case f.sub != nil:
			v, err := r.evalTemplate(f.sub, input, env)
			if err != nil {
				return nil, err
			}
			out[f.key] = v
		case f.path != nil:
			v, ok := f.path.sel(input, env)
			if !ok {
				return nil, r.specErr(ErrParameterPathFailure, "The JSONPath '%s' specified for the field '%s.$' could not be found in the input '%s'", f.path.src, f.key, truncateJSON(input))
			}
			out[f.key] = v
		default:
			v, err := r.intrinsic(f.intrinsic, input, env)
			if err != nil {
				return nil, err
			}
			out[f.key] = v
		}
	}
	return out, nil
}

func (r *runner) intrinsic(expr string, input any, env *stateEnv) (any, *ExecError) {
	eval := r.opts.Intrinsic
	if eval == nil {
		eval = defaultIntrinsic
	}
	if eval == nil {
		return nil, r.specErr(ErrIntrinsicFailure, "no intrinsic function evaluator is configured for %q", expr)
	}
	v, err := eval(expr, func(path string) (any, error) {
		p, err := CompilePath(path)
		if err != nil {
			return nil, err
		}
		v, ok := p.sel(input, env)
		if !ok {
			return nil, fmt.Errorf("the JSONPath %s could not be found in the input", path)
		}
		return v, nil
	})
	if err != nil {
		if ee, ok := err.(*ExecError); ok {
			return nil, ee
		}
		return nil, r.specErr(ErrIntrinsicFailure, "%s: %v", expr, err)
	}
	return v, nil
}

// defaultIntrinsic is the evaluator used when Options.Intrinsic is nil; it is
// set by the file that links package intrinsic.
var defaultIntrinsic IntrinsicEvaluator

func truncateJSON(v any) string {
	s := mustEncode(v)
	if len(s) > 256 {
		s = s[:256] + "..."
	}
	return s
}
