// Command assess is the Lambda of the assessment state: it runs the rulebook
// on the case's report and scoped counts and stores the obligations.
//
// Start reads the settings from the environment template.yaml sets and
// starts the handler functions.Assess.Build assembles: the same Build the
// local stack (internal/local/deploy) runs.
package main

import "breachflow/internal/functions"

func main() { functions.Assess.Start() }
