package report

import (
	"errors"
	"regexp"
	"strconv"

	"breachflow/internal/criteria"
)

// checkScope validates the scope criteria at intake, so an unknown operator
// or a malformed condition is reported with its path (scope.all[1].op)
// before a case opens. Whether each attribute exists in the user table is
// checked later, by scoping, against the configured mapping.
func checkScope(c *criteria.Criteria, ps *problems) {
	if c == nil {
		return
	}
	err := c.Validate()
	if err == nil {
		return
	}
	var ic *criteria.InvalidCriteria
	if errors.As(err, &ic) {
		ps.add(ic.Path, "%s", unquoteValues(ic.Reason))
		return
	}
	ps.add(criteria.RootPath, "%s", unquoteValues(err.Error()))
}

// quoted matches a Go-quoted string, the form package criteria quotes what it
// read in ("unknown operator %q", "got %q").
var quoted = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)

// unquoteValues keeps the criteria's reasons free of the report's values: a
// quoted operator name is the rule's own word and stays; anything else
// quoted came from the report (a time, a field name, a misspelt operator)
// and is replaced.
func unquoteValues(reason string) string {
	return quoted.ReplaceAllStringFunc(reason, func(q string) string {
		if s, err := strconv.Unquote(q); err == nil && criteria.Op(s).Valid() {
			return q
		}
		return "(value not shown)"
	})
}
