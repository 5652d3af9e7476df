package report

import (
	"fmt"
	"sort"
	"strings"
)

// Problem is one thing wrong with a report: the field path in dotted form
// ("timeline.aware", "approvers[2]") and what is wrong with it. Messages
// never repeat the field's value.
type Problem struct {
	Path    string `json:"path"`
	Message string `json:"message"`
}

func (p Problem) String() string {
	if p.Path == "" {
		return p.Message
	}
	return p.Path + ": " + p.Message
}

// ValidationError lists every problem found in a report. Intake returns it
// as is, so the responder sees all problems at once.
type ValidationError struct {
	Problems []Problem `json:"problems"`
}

// Error joins the problems, one per clause.
func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.String()
	}
	return fmt.Sprintf("invalid report (%d problem%s): %s", len(e.Problems), plural(len(e.Problems)), strings.Join(parts, "; "))
}

// Has reports whether some problem concerns path (exactly).
func (e *ValidationError) Has(path string) bool {
	for _, p := range e.Problems {
		if p.Path == path {
			return true
		}
	}
	return false
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// problems collects problems while a report is checked.
type problems []Problem

func (ps *problems) add(path, format string, args ...any) {
	*ps = append(*ps, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
}

// covers reports whether a problem is already recorded at path or at a
// field enclosing it (or enclosed by it).
func (ps problems) covers(path string) bool {
	for _, p := range ps {
		if p.Path == path || strings.HasPrefix(path, p.Path+".") || strings.HasPrefix(path, p.Path+"[") ||
			strings.HasPrefix(p.Path, path+".") || strings.HasPrefix(p.Path, path+"[") {
			return true
		}
	}
	return false
}

// err returns nil or a *ValidationError with the problems sorted by path
// and duplicates removed, so output is stable.
func (ps problems) err() error {
	if len(ps) == 0 {
		return nil
	}
	out := append([]Problem(nil), ps...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	uniq := out[:0]
	for i, p := range out {
		if i > 0 && p == out[i-1] {
			continue
		}
		uniq = append(uniq, p)
	}
	return &ValidationError{Problems: uniq}
}
