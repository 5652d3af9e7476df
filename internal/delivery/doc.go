// Package delivery is the send stage: regulator filings first, then one
// customer notice per person through SES v2, paced to the account's rate and
// recorded in the ledger so that a crash, a redrive or a second run sends
// only to people not yet sent.
//
// A Pipeline works one batch (a case's shard from a cursor, or a list of
// user ids): it pages through the shard's unsent subjects and, with a few
// workers, claims each (a lease until the invocation's deadline), renders
// the notice, waits for a slot of the pacer, calls SendEmail once and
// records the message id. Per person that is two conditional writes, claim
// and complete. Workers stop claiming SendTimeout before the deadline, give
// back what they claimed but could not send, and return a cursor: the next
// run (or a redrive) continues there and sends only to people still pending
// or whose lease expired.
//
// Pacing: the account's rate is split evenly over the invocations that run
// at once, and each paces itself 1 % under its share with a slot schedule
// that never bunches late sends, so no second sees more than the rate.
//
// Duplicate bound. SES has no idempotency key, so a send whose complete
// never reached the ledger is repeated once its lease expires. Sends are
// made with a context that a stop does not cancel, and the complete follows
// each send at once (retried), so only a crash of the process, or a ledger
// that stays unwritable through the retries, leaves such a send behind: at
// most one per worker, that is at most Pacing.Workers duplicate messages per
// crashed invocation, each to a different person. One more source is
// outside any client's control: a transport error (timeout, reset) after
// SES accepted the request looks like a failure and the retry sends again.
//
// Errors: a throttled send (TooManyRequestsException, "Maximum sending rate
// exceeded") backs off with jitter and retries the same person until the
// invocation must stop, then releases the claim; the person is never
// dropped. A rejected message or an address SES (or our own check) refuses
// marks the person failed, which puts them on the fallback list. The daily
// quota, a paused or suspended account, and a sending identity that is not
// set up stop the batch with the named errors DailyQuotaExceeded,
// SendingPaused and SendConfigInvalid, which the state machine routes on.
//
// The package does not render notices or build filings: it takes a Renderer
// and Filings from its caller, so drafting and sending stay apart.
package delivery
