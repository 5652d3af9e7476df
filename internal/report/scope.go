package report

import (
	"errors"

	"breachflow/internal/scope"
)

// checkScope validates the scope criteria at intake, so an unknown operator
// or a malformed condition is reported with its path (scope.all[1].op)
// before a case opens. Whether each attribute exists in the user table is
// checked later, by scoping, against the configured mapping.
func checkScope(c *scope.Criteria, ps *problems) {
	if c == nil {
		return
	}
	err := c.Validate()
	if err == nil {
		return
	}
	var ic *scope.InvalidCriteria
	if errors.As(err, &ic) {
		ps.add(ic.Path, "%s", ic.Reason)
		return
	}
	ps.add(scope.RootPath, "%s", err.Error())
}
