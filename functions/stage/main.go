// Command stage is the Lambda of a stage run's task states
// (statemachine/stage.asl.json): {"action":"draft"|"file"|"release",
// "case_id":...,"obligation_id":...} drafts a staged duty's filing, files
// it once approved (recorded in the ledger with the reference to the first
// filing), or gives the task back to the sweeper.
//
// Start reads the settings from the environment template.yaml sets and
// starts the handler functions.Stage.Build assembles: the same Build the
// local stack (internal/local/deploy) runs.
package main

import "breachflow/internal/functions"

func main() { functions.Stage.Start() }
