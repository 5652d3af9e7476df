// Command sesevents applies SES delivery, bounce and complaint events (from
// the configuration set's SNS topic) to each person's ledger entry.
//
// Start reads the settings from the environment template.yaml sets and
// starts the handler functions.SesEvents.Build assembles: the same Build the
// local stack (internal/local/deploy) runs.
package main

import "breachflow/internal/functions"

func main() { functions.SesEvents.Start() }
