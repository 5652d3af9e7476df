package report_test

import (
	"fmt"
	"time"

	"breachflow/internal/report"
)

// Every problem is reported at once, by field path, without the values.
func ExampleParseAt() {
	data := edit(nil, `"aware": "2026-11-03T00:00:00Z"`, `"aware": "2026-10-03T00:00:00Z"`,
		`"b@example.com"`, `"s@example.com"`)
	_, err := report.ParseAt(data, time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC))
	fmt.Println(err)
	// Output:
	// invalid report (3 problems): approvers[1]: is the submitter; the submitter cannot approve their own case; timeline.aware: before timeline.occurred_from; timeline.aware: before timeline.discovered
}
