// Command approval-request is the `.waitForTaskToken` task of the approval
// state: it records the task token with the case, bound to the drafts'
// content hash and the recipient-set hash, and emails each approver a
// signed, expiring, single-use console link. The task then waits until the
// console or `breachflow approve|reject` answers the token.
//
// Start reads the settings from the environment template.yaml sets and
// starts the handler functions.ApprovalRequest.Build assembles: the same Build the
// local stack (internal/local/deploy) runs.
package main

import "breachflow/internal/functions"

func main() { functions.ApprovalRequest.Start() }
