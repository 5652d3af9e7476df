// Command intake is the Lambda for the workflow's first state: validate the
// stored report and open its case.
//
// Start reads the settings from the environment template.yaml sets and
// starts the handler functions.Intake.Build assembles: the same Build the
// local stack (internal/local/deploy) runs.
package main

import "breachflow/internal/functions"

func main() { functions.Intake.Start() }
