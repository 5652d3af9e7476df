// Command reconcile is the Lambda of the workflow's last step: sum the
// per-shard delivery counts of the count Map (reconcile-shard), record them
// on the case and close the case in its audit log.
//
// Start reads the settings from the environment template.yaml sets and
// starts the handler functions.Reconcile.Build assembles: the same Build the
// local stack (internal/local/deploy) runs.
package main

import "breachflow/internal/functions"

func main() { functions.Reconcile.Start() }
