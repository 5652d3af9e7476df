// Package cases keeps the case record: the stored breach report a case was
// opened from and the case's own state (status, counts, hashes, the
// execution that runs it).
//
// A case is keyed by its report id, so the same report always opens the same
// case and the same execution name: `breachflow start` may be run twice, or
// retried after a network error, without opening a second case. The report is
// stored once with a conditional put; a different report under the same id is
// refused, never overwritten. Updates go through Update, which reads the
// record, lets a closure change it, and writes it back only if nobody else
// wrote in between (a version check: dynalite has no transactions, and none
// are needed for one item).
//
// Callers: the CLI (start, status), the intake function, and every later
// stage that records progress on the case.
package cases
