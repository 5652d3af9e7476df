package report

import "encoding/json"

// checkScope is where the scope criteria are validated at intake. Package
// scope owns their type; until it lands the schema only checks that scope
// is an object.
func checkScope(raw json.RawMessage, ps *problems) {
	_ = raw
	_ = ps
}
