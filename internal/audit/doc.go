// Package audit keeps each case's append-only, hash-chained audit log in the
// case table.
//
// Entries live under the case's partition (casetable.CasePK) with sort keys
// "AUDIT#<seq>" (seq zero-padded to 12 digits, so the keys sort in order).
// Each entry stores the hash of the entry before it and its own hash, a
// SHA-256 over the canonical JSON of its fields (see Entry.ComputeHash), so
// changing, removing or reordering any entry breaks the chain at that entry
// and Verify names it.
//
// Append writes the next entry with a conditional put on a key that must not
// exist yet: two writers racing for the same sequence number cannot both
// win, so the chain never forks; the loser re-reads the head and tries the
// next number. dynalite has no transactions, and none are needed.
//
// Entries carry ids, hashes and staff identities, never personal data of
// affected people. The approval workflow (package approval) is the main
// writer; `breachflow evidence` and the console read the log.
package audit
