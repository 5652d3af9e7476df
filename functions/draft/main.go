// Command draft is the Lambda of the drafting state: it renders the case's
// regulator filings and customer notices from its stored report and
// assessment, checks each for the content its law requires, and stores
// them with the content hash the approval binds to.
//
// Start reads the settings from the environment template.yaml sets and
// starts the handler functions.Draft.Build assembles: the same Build the
// local stack (internal/local/deploy) runs.
package main

import "breachflow/internal/functions"

func main() { functions.Draft.Start() }
