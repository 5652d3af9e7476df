package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"

	"breachflow/internal/breach"
)

// Change is one fact an amendment changes: the field path, and the value
// before and after as compact JSON ("" when the field was absent).
type Change struct {
	Path     string
	Old, New string
}

func (c Change) String() string {
	switch {
	case c.Old == "":
		return fmt.Sprintf("%s: (none) -> %s", c.Path, c.New)
	case c.New == "":
		return fmt.Sprintf("%s: %s -> (removed)", c.Path, c.Old)
	}
	return fmt.Sprintf("%s: %s -> %s", c.Path, c.Old, c.New)
}

// Diff compares two versions of a report field by field and returns what
// changed, in path order. Objects are compared member by member, arrays
// element by element; whitespace and member order do not count. Values
// are reports' own (staff contacts, facts): callers show them to the
// responder who amends, and record only the paths anywhere else.
func Diff(before, after []byte) ([]Change, error) {
	var a, b any
	if err := json.Unmarshal(before, &a); err != nil {
		return nil, fmt.Errorf("diff: earlier version: %w", err)
	}
	if err := json.Unmarshal(after, &b); err != nil {
		return nil, fmt.Errorf("diff: amendment: %w", err)
	}
	var out []Change
	diffValue("", a, b, &out)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

func diffValue(path string, a, b any, out *[]Change) {
	am, aObj := a.(map[string]any)
	bm, bObj := b.(map[string]any)
	if aObj && bObj {
		keys := map[string]bool{}
		for k := range am {
			keys[k] = true
		}
		for k := range bm {
			keys[k] = true
		}
		for k := range keys {
			diffValue(join(path, k), am[k], bm[k], out)
		}
		return
	}
	al, aArr := a.([]any)
	bl, bArr := b.([]any)
	if aArr && bArr && len(al) == len(bl) {
		for i := range al {
			diffValue(path+"["+strconv.Itoa(i)+"]", al[i], bl[i], out)
		}
		return
	}
	ja, jb := compact(a), compact(b)
	if ja != jb {
		*out = append(*out, Change{Path: path, Old: ja, New: jb})
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func compact(v any) string {
	if v == nil {
		return ""
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return string(bytes.TrimSpace(buf.Bytes()))
}

// Narrowing lists what in an amendment may take people or facts out of
// the case's scope, as Problems naming the field: a data category dropped,
// a jurisdiction's count of people lowered or dropped, or scope criteria
// changed other than by widening them. A widening keeps the earlier
// criteria whole as one alternative of an "any" (or leaves them as they
// were). Nothing recorded is ever lost by narrowing (people no longer in
// scope keep their records and notices; they are simply told nothing
// more), but a narrowing is more often a mistake than a finding, so the
// CLI refuses it unless the responder says it is meant.
func Narrowing(before, after *Report) []Problem {
	var out []Problem
	for _, c := range before.DataCategories {
		if !slices.Contains(after.DataCategories, c) {
			out = append(out, Problem{Path: "data_categories", Message: fmt.Sprintf("drops %q, which version before names", c)})
		}
	}
	js := make([]breach.Jurisdiction, 0, len(before.SubjectCounts))
	for j := range before.SubjectCounts {
		js = append(js, j)
	}
	slices.Sort(js)
	for _, j := range js {
		if n, ok := after.SubjectCounts[j]; !ok || n < before.SubjectCounts[j] {
			out = append(out, Problem{Path: "subject_counts." + string(j), Message: "lower than in the version before"})
		}
	}
	if before.Scope != nil && !widens(before, after) {
		out = append(out, Problem{Path: "scope", Message: "changed other than by widening (keep the earlier criteria whole as one alternative of \"any\")"})
	}
	return out
}

func widens(before, after *Report) bool {
	old, _ := json.Marshal(before.Scope)
	if after.Scope == nil {
		return false // no criteria select everyone, but dropping them is no deliberate widening
	}
	now, _ := json.Marshal(after.Scope)
	if bytes.Equal(old, now) {
		return true
	}
	for _, alt := range after.Scope.Any {
		if a, _ := json.Marshal(alt); bytes.Equal(a, old) {
			return true
		}
	}
	return false
}
