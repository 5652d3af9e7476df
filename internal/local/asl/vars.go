package asl

import (
	"fmt"
	"sort"
	"unicode"
	"unicode/utf8"
)

// varScope holds the workflow variables of one scope: the top-level states
// of an execution share one; each Parallel branch and each Map iteration
// runs in a scope of its own, which reads the scopes around it (a
// Distributed Map's children do not: isolated). A scope is only written by
// the states of its own frame, between their runs, and read by the states
// of inner scopes while the frame waits for them, so it needs no lock.
type varScope struct {
	parent   *varScope
	vars     map[string]any
	isolated bool
}

func newScope(parent *varScope, isolated bool) *varScope {
	return &varScope{parent: parent, isolated: isolated}
}

func (s *varScope) lookup(name string) (any, bool) {
	for c := s; c != nil; c = c.parent {
		if v, ok := c.vars[name]; ok {
			return v, true
		}
		if c.isolated {
			break
		}
	}
	return nil, false
}

func (s *varScope) set(assigned map[string]any) {
	if len(assigned) == 0 {
		return
	}
	if s.vars == nil {
		s.vars = make(map[string]any, len(assigned))
	}
	for k, v := range assigned {
		s.vars[k] = v
	}
}

// all returns every variable visible from s, inner scopes winning.
func (s *varScope) all() map[string]any {
	out := map[string]any{}
	var chain []*varScope
	for c := s; c != nil; c = c.parent {
		chain = append(chain, c)
		if c.isolated {
			break
		}
	}
	for i := len(chain) - 1; i >= 0; i-- {
		for k, v := range chain[i].vars {
			out[k] = v
		}
	}
	return out
}

// stateEnv is what one visit of a state reads besides its input: the
// context object ($$ and $states.context), the variables in scope and,
// for error messages, the id of its StateEntered event.
type stateEnv struct {
	ctx     map[string]any // nil when the state never reads it
	vars    *varScope
	entered int64
	st      *State
	f       *frame
	key     string // the visit's journal key; "" without a journal
}

// withMapItem is env for one item of a Map's ItemSelector: the context
// object gains Map.Item.Index and Map.Item.Value.
func (e *stateEnv) withMapItem(i int, item any) *stateEnv {
	if e.st == nil || !e.st.usesContext {
		return e
	}
	c := *e
	c.ctx = map[string]any{"Map": map[string]any{"Item": map[string]any{"Index": jsonInt(i), "Value": item}}}
	for k, v := range e.ctx {
		c.ctx[k] = v
	}
	return &c
}

// Limits on variables, from the developer guide.
const (
	maxVariableBytes = 256 * 1024       // one variable's value
	maxAssignBytes   = 256 * 1024       // all values of one Assign
	maxVarNameLen    = 80               // characters of a name
	maxExecVarBytes  = 10 * 1024 * 1024 // everything an execution stores
)

// checkVarName reports why name cannot be assigned, or "".
func checkVarName(name string) string {
	switch {
	case name == "states":
		return "The variable name 'states' is reserved"
	case name == "":
		return "A variable name must not be empty"
	case utf8.RuneCountInString(name) > maxVarNameLen:
		return fmt.Sprintf("The variable name '%s' is longer than %d characters", name, maxVarNameLen)
	}
	for i, r := range name {
		if r == '_' || unicode.IsLetter(r) || (i > 0 && unicode.IsDigit(r)) {
			continue
		}
		return fmt.Sprintf("The variable name '%s' is invalid: a name starts with a letter or '_' and holds only letters, digits and '_'", name)
	}
	return ""
}

// assignedDetails renders assigned variables as AWS's StateExited event
// does: each value as its JSON text.
func assignedDetails(assigned map[string]any) map[string]string {
	if len(assigned) == 0 {
		return nil
	}
	out := make(map[string]string, len(assigned))
	for k, v := range assigned {
		out[k] = mustEncode(v)
	}
	return out
}

func sortedNames(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
