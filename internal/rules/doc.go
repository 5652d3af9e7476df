// Package rules is the breach-notification rulebook: one embedded data file
// per regime (regimes/*.yaml), loaded and checked at start, and the Go that
// evaluates them against a report and subject counts.
//
// The assess stage and `breachflow assess` call Assess; drafting (package
// notice), approval and sending read the Obligation values it returns.
// Assess is offline and deterministic: the same report, counts and now give
// the same obligations in the same order. Every regime that could apply
// yields at least one obligation, and "no notification required" is an
// obligation with Required=false and a rationale, never a silent omission.
//
// The API: Assess(report, counts, now) returns an Assessment (Obligations,
// Risk, Unknown jurisdictions, Escalations for counsel); Check(report,
// counts) reports only the facts an applicable regime needs and the report
// lacks; Regimes() exposes the loaded rulebook and LoadFS/ParseRegime load
// regime files from elsewhere (tests).
//
// Risk (risk.go) is assessed as regulators do: the likelihood that people
// suffer harm (from who received the data, whether it was accessed,
// encrypted, retrieved) times the severity of that harm (from the data,
// its share of the records, volume, vulnerable people, threats to
// safety), and an outage's effect; every factor is kept and summarised in
// one line that risk-based duties carry in their rationale. ENISA's 2013
// score is computed beside it as a documented input. testdata/worked
// holds regulators' worked examples the method is scored against.
//
// Deadlines are computed from the clock the law names (aware, discovered,
// determined, materiality_determined, ...) in calendar hours, calendar days
// or business days. Business days skip weekends and the jurisdiction's
// public holidays (github.com/rickar/cal/v2 for Brazil and the US federal
// calendar); no rule in the rulebook counts Korean business days, so no
// Korean holiday table is needed.
//
// Verification marks come from the research (RULEBOOK.md): "V" read in
// primary text, "S" read in a secondary source, "UNVERIFIED" otherwise.
// They travel with each obligation so a responder sees what to double-check.
package rules
