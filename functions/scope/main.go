// Command scope is the Lambda of the scope Map's iterations: it scopes one
// scan segment of the user table into the case's subject set and returns
// the segment's counts (scope.SegmentInput in, scope.SegmentResult out).
//
// Start reads the settings from the environment template.yaml sets and
// starts the handler functions.Scope.Build assembles: the same Build the
// local stack (internal/local/deploy) runs.
package main

import "breachflow/internal/functions"

func main() { functions.Scope.Start() }
