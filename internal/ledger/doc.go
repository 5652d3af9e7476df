// Package ledger is the send stage's record of who has been notified: it
// claims, completes, fails and releases subject items of the case table with
// conditional single-item writes, applies SES delivery events to them without
// letting an out-of-order event regress a state, and lists and exports the
// fallback (substitute-notice) list.
//
// A claim is a lease: status pending (or claimed with an expired lease) moves
// to claimed with lease_until set to the claiming invocation's deadline, and
// attempts is incremented. The new attempts value is the claim's fencing
// token: complete, fail and release only succeed while the subject is still
// claimed with that token, so a worker whose lease was taken over cannot
// overwrite the new holder's outcome.
//
// Two writes per notified person (claim, complete) are what correctness
// needs and all this package spends. Completes are not batched: BatchWriteItem
// takes no condition, so a batched complete could regress a state that an SES
// event already advanced, and every complete held back for a batch widens the
// window in which a crash repeats a send.
//
// The fallback list is not a separate set of items: it is the subjects whose
// status is failed, no_contact or bounced. Listing it reads the case's subject
// shards with a filter; nothing extra is written per person and an entry can
// never be lost between two writes.
//
// The delivery and sesevents packages call it; it is the only code that
// writes a subject's delivery state.
package ledger
