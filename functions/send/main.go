// Command send is the Lambda of the send stage: regulator filings first
// ({"stage":"filings","case_id":...,"content_hash":...}), then one batch of
// customer notices per invocation ({"case_id":...,"shard":N,"cursor":...,
// "content_hash":...}). Only documents that hash to what the approvers
// signed off are sent.
//
// Start reads the settings from the environment template.yaml sets and
// starts the handler functions.Send.Build assembles: the same Build the
// local stack (internal/local/deploy) runs.
package main

import "breachflow/internal/functions"

func main() { functions.Send.Start() }
