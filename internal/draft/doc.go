// Package draft turns a case's assessment into the documents a human
// approves: one filing per required regulator obligation, sample customer
// notices, and the substitute notice, each rendered by package notice and
// checked for the content elements its law requires. A document that lacks
// one stops drafting with a *notice.MissingContentElement naming the
// element, the citation and the obligation.
//
// Drafts are stored in the case table under the case's partition: one item
// per draft ("DRAFT#<id>#<hash prefix>", content-addressed, so two drafting
// runs never overwrite each other's items) and a "DRAFTS" summary item that
// names the current set, its content hash, a version and when it was
// drafted. The summary is replaced with a conditional write on the version
// read, so concurrent drafting cannot mix two versions: one run wins, the
// other gets a *ConcurrentDraftError. Re-drafting replaces the set and, if
// anything changed, its hash. Load verifies every draft's hash and the set's
// hash before returning them.
//
// The content hash (ContentHash) is what an approval binds to: the SHA-256
// over the sorted lines "<id> <sha256>" of all drafts, so it does not depend
// on the order drafts are stored or listed in, and any change to any draft,
// or a draft added or dropped, changes it.
//
// Callers: the draft Lambda (Handler), `breachflow draft --preview`, the
// approval console (Load) and the sender (Facts, with the drafted_at of the
// summary, builds the same notice set the approvers read).
package draft
