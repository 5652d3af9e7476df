// Command aggregate is the Lambda after the scope Map: it sums the segments'
// counts and the recipient-set hash (scope.AggregateInput in, scope.Totals
// out) and records them on the case, where assessment and approval read them.
//
// Start reads the settings from the environment template.yaml sets and
// starts the handler functions.Aggregate.Build assembles: the same Build the
// local stack (internal/local/deploy) runs.
package main

import "breachflow/internal/functions"

func main() { functions.Aggregate.Start() }
