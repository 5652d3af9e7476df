// Command reconcile-shard is the Lambda of the reconcile Map's children:
// count one subject shard's people by delivery state, straight from the
// ledger. It only reads; the close step (reconcile) sums the shards.
//
// Start reads the settings from the environment template.yaml sets and
// starts the handler functions.ReconcileShard.Build assembles: the same Build the
// local stack (internal/local/deploy) runs.
package main

import "breachflow/internal/functions"

func main() { functions.ReconcileShard.Start() }
