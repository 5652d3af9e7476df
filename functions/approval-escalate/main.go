// Command approval-escalate runs on a schedule: for every approval still
// pending whose earliest deadline is within a configured margin, it emails
// the escalation contacts once per case and margin.
//
// Start reads the settings from the environment template.yaml sets and
// starts the handler functions.ApprovalEscalate.Build assembles: the same Build the
// local stack (internal/local/deploy) runs.
package main

import "breachflow/internal/functions"

func main() { functions.ApprovalEscalate.Start() }
