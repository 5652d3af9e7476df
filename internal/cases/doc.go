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
// # Versions
//
// A case lives as the incident does: `breachflow amend` records a new
// version of the report (same report_id) with Amend. Version 1 is the
// "REPORT" item; each amendment is stored by content ("REPORT#<sha256>",
// so a retry stores nothing new) and named on the case record
// (Case.Versions). The version number is claimed by the case record's own
// conditional write, expecting the latest version the amendment was based
// on: of two amendments at once one becomes the next version, the other
// gets *AmendConflictError and is recorded nowhere a version names. A
// different report_id is a *FieldError naming report_id; an identical
// report an *UnchangedError. Earlier versions are never changed.
//
// The execution works on one version at a time, Case.WorkingVersion: it
// moves it to the latest when it begins a pass (BeginVersion, at intake),
// and Report returns that version, so every stage of a pass reads the same
// facts whatever arrives meanwhile. The closes are conditional on the same
// record: reconcile (and assess's "no notification required") close the
// case only if no newer version arrived; otherwise the execution begins a
// pass on it. Amend's write and a close are thus ordered: an amendment
// either lands before the close (the running execution takes it up) or
// finds the case closed (and the CLI starts a new execution, recording its
// ARN on the case first so intake lets it run). Each version's people are a
// subject set of their own (casetable.SetID); package delta decides whom
// a later version notifies.
//
// After a rejection the execution waits (AwaitRevision keeps its task
// token on the case, RecordRejection the approver's reason, never the
// execution history); TakeRevision hands the token to `amend` or
// `redraft` once.
//
// Callers: the CLI (start, amend, redraft, status), the intake function,
// and every later stage that records progress on the case.
package cases
