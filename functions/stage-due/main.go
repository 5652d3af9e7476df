// Command stage-due runs on a schedule and starts a stage run
// (statemachine/stage.asl.json) for every staged duty of every case that
// comes due within the lead time: Japan's final report, GDPR Art. 33(4)
// information in phases, PIPA's supplementary report, NYDFS's extortion
// explanation.
//
// Start reads the settings from the environment template.yaml sets and
// starts the handler functions.StageDue.Build assembles: the same Build the
// local stack (internal/local/deploy) runs.
package main

import "breachflow/internal/functions"

func main() { functions.StageDue.Start() }
