// Command publish is the Lambda of the publish stage: after approval and
// before the customer notices go out ({"case_id":...,"content_hash":...}),
// it verifies the approval and posts the approved substitute and public
// notices to the notice bucket, recording when each went up and when it
// may come down.
//
// Start reads the settings from the environment template.yaml sets and
// starts the handler functions.Publish.Build assembles: the same Build the
// local stack (internal/local/deploy) runs.
package main

import "breachflow/internal/functions"

func main() { functions.Publish.Start() }
