// Package assess is the workflow's assessment stage: it runs the rulebook
// (package rules) on a case's stored report and the counts scoping found,
// keeps the resulting obligations with the case, and tells the state machine
// what follows: whether anything must be sent at all, how many filings, and
// how long approval may wait before the earliest deadline is at risk.
//
// The whole assessment is stored as one item, replaced atomically, so a
// reader never sees obligations from two different runs (dynalite, like the
// design, has no transactions). Drafting, the approval console, `plan` and
// the evidence pack read it back with Store.Get.
package assess
