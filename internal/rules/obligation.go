package rules

import (
	"time"

	"breachflow/internal/breach"
)

// Clock names the moment a deadline runs from.
type Clock string

// The clocks. Each maps onto a report.Timeline field.
const (
	ClockAware       Clock = "aware"                  // timeline.aware
	ClockDiscovered  Clock = "discovered"             // timeline.discovered
	ClockDetermined  Clock = "determined"             // timeline.determined
	ClockMateriality Clock = "materiality_determined" // timeline.materiality_determined
	ClockExtortion   Clock = "extortion_paid"         // timeline.extortion_paid
	ClockYearEnd     Clock = "year_end_of_discovery"  // end of the calendar year of discovery (HIPAA < 500)
	ClockNotice      Clock = "individual_notice"      // when individuals are notified (AG filings "concurrently")
	// ClockFactsConfirmed: the facts a phased first notice left open were
	// established (timeline.facts_confirmed): GDPR Art. 33(4), PIPA Decree
	// Art. 40(2) follow-ups.
	ClockFactsConfirmed Clock = "facts_confirmed"
	// ClockPossibility: a Decree 39-2 circumstance of a possible leak became
	// known (possible_leak.known_at): PIPA's possibility notice.
	ClockPossibility Clock = "possibility_known"
	// ClockPossibilityResolved: a possible leak was confirmed or ruled out
	// (possible_leak.resolved_at).
	ClockPossibilityResolved Clock = "possibility_resolved"
	// ClockLeakAware: aware of a leak. timeline.aware, except for a leak
	// that was first only possible: then when it was confirmed
	// (possible_leak.resolved_at), since the Art. 34(1) duties arise with
	// the leak, not with the possibility (Decree 39-3(2)).
	ClockLeakAware Clock = "aware_of_leak"
)

// Verification is the research's confidence in a rule.
type Verification string

// The verification marks.
const (
	Verified   Verification = "V"          // read in primary text
	Secondary  Verification = "S"          // read in a secondary source
	Unverified Verification = "UNVERIFIED" // background knowledge or a weak source
)

// Phase says where an obligation sits in a phased regime.
type Phase struct {
	// Stage is "preliminary", "final", "initial", "update" or "" when the
	// regime has one notice.
	Stage string `json:"stage,omitempty" yaml:"stage"`
	// FollowUp describes the later notice ("final report within 30 days").
	FollowUp string `json:"follow_up,omitempty" yaml:"follow_up"`
}

// Staged reports whether the obligation is the second stage of a duty (a
// final report, a phased follow-up, an explanation due later): it is a
// dated task of the case, drafted when it falls due rather than with the
// first notices.
func (o Obligation) Staged() bool { return o.StageOf != "" }

// Obligation is one notification duty: who must be told, by when, with what,
// and why. Required=false means the regime was considered and no notice is
// due; Rationale says why.
type Obligation struct {
	// ID is stable across runs: "<rule id>" or "<rule id>-<jurisdiction>"
	// (e.g. "kr-pipa-34-individuals", "eu-gdpr-33-authority-DE").
	ID            string               `json:"id"`
	Regime        string               `json:"regime"`       // e.g. "kr-pipa"
	RegimeName    string               `json:"regime_name"`  // e.g. "Korea PIPA"
	Jurisdiction  breach.Jurisdiction  `json:"jurisdiction"` // whose residents the duty protects
	RecipientKind breach.RecipientKind `json:"recipient_kind"`
	RecipientName string               `json:"recipient_name"`
	// Channel is how the notice is filed or sent: "online_form", "email",
	// "portal", "letter", "website", "press", "form_8k"...
	Channel  string `json:"channel"`
	Required bool   `json:"required"`
	// DueAt is the deadline; zero when the law sets none ("without undue
	// delay" only) or when nothing is required.
	DueAt time.Time `json:"due_at,omitzero"`
	// Clock is what the deadline runs from, ClockStart when it started.
	Clock      Clock     `json:"clock,omitempty"`
	ClockStart time.Time `json:"clock_start,omitzero"`
	// Deadline is the law's wording of the deadline, e.g. "72 hours after
	// becoming aware" or "4 business days after materiality determination".
	Deadline     string           `json:"deadline"`
	Citation     string           `json:"citation"`
	Rationale    string           `json:"rationale"`
	Elements     []breach.Element `json:"elements"`
	Verification Verification     `json:"verification"`
	// Language is the regulator's or notice's language (BCP 47: "ko", "de").
	Language string `json:"language,omitempty"`
	Phase    Phase  `json:"phase,omitzero"`
	// StageOf is the id of the obligation this one follows up (Japan's
	// final report follows the preliminary one): set, the obligation is a
	// staged duty, required only when its first stage is.
	StageOf string `json:"stage_of,omitempty"`
	// Subjects is the number of people the duty concerns (those resident in
	// Jurisdiction, or all for a regulator filing without one).
	Subjects int `json:"subjects"`
	// Merged lists the ids of duties under other regimes that the same
	// notice satisfies (Korea PIPA + CIUPA): one notice, all recipients,
	// the earliest deadline.
	Merged []string `json:"merged_with,omitempty"`
	// Notes carry what a responder must know beyond the deadline (content
	// rules, format rules, conflicts in the research).
	Notes []string `json:"notes,omitempty"`
}

// Assessment is the rulebook's answer for one report.
type Assessment struct {
	ReportID string    `json:"report_id"`
	Now      time.Time `json:"now"`
	// Obligations sorted by DueAt (those without one last), then ID.
	Obligations []Obligation `json:"obligations"`
	// Risk is the risk assessment risk-based regimes read.
	Risk Risk `json:"risk"`
	// Unknown lists jurisdictions with affected people that the rulebook
	// has no rules for; a human must look at them.
	Unknown []breach.Jurisdiction `json:"unknown_jurisdictions,omitempty"`
	// Escalations are questions the rulebook will not decide on its own
	// (e.g. whether a deliberate transfer is a "leak" under PIPA).
	Escalations []string `json:"escalations,omitempty"`
	// Counts are the affected people per jurisdiction the assessment was
	// made on; Estimated says they are the report's own estimate
	// (subject_counts) rather than scoping's count of the people found.
	// Every document of a case states the same counts, marked as an
	// estimate when they are one.
	Counts    map[breach.Jurisdiction]int `json:"counts,omitempty"`
	Estimated bool                        `json:"estimated,omitempty"`
}
