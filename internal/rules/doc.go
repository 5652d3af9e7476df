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
// Staged duties: a rule with stage_of is the second stage of another rule
// of its regime (Japan's final report, GDPR Art. 33(4) information in
// phases, PIPA Decree Art. 40(2)'s supplementary report, NYDFS's extortion
// explanation). Its obligation carries StageOf, is required only when its
// first stage is, and is dated from its own clock; package stage makes it a
// dated task of the case. A possible leak (report.PossibleLeak, PIPA Art.
// 34(2)) brings the possibility notice while it is open, holds back the Art.
// 34(1) notice and report, and, once an amendment records the outcome,
// gives either those (72 hours from the confirmation: clock aware_of_leak)
// or the closing notice to those told (Decree 39-3(3)).
//
// Verification marks come from the research (RULEBOOK.md): "V" read in
// primary text, "S" read in a secondary source, "UNVERIFIED" otherwise.
// They travel with each obligation so a responder sees what to double-check.
package rules
