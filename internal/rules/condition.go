package rules

import (
	"fmt"
	"slices"

	"breachflow/internal/breach"
	"breachflow/internal/report"
)

// Condition is a test on the facts, written in a regime file. Every field
// that is set must hold (an empty condition always holds); All, Any and Not
// combine conditions.
type Condition struct {
	All []Condition `yaml:"all"`
	Any []Condition `yaml:"any"`
	Not *Condition  `yaml:"not"`

	// Counts of people resident where the duty applies (the state, for a
	// per-state duty; else every jurisdiction of the regime).
	SubjectsAtLeast *int `yaml:"subjects_at_least"`
	SubjectsOver    *int `yaml:"subjects_over"`
	SubjectsBelow   *int `yaml:"subjects_below"`
	// Counts over every jurisdiction of the regime (HIPAA's HHS total).
	TotalAtLeast *int `yaml:"total_at_least"`
	TotalBelow   *int `yaml:"total_below"`

	// CategoriesAny holds when the report lists any of these categories.
	CategoriesAny []breach.Category `yaml:"categories_any"`
	// NamePlusAny holds when the report lists a name together with any of
	// these (the US "personal information" pattern).
	NamePlusAny []breach.Category `yaml:"name_plus_any"`
	VectorsAny  []report.Vector   `yaml:"vectors_any"`
	// ExfiltrationAny holds when the report's exfiltration is one of these.
	ExfiltrationAny []report.Exfiltration `yaml:"exfiltration_any"`
	// RecipientAny holds when the data went to one of these kinds of
	// recipient (the report's recipient, or the one its vector implies).
	RecipientAny []report.RecipientKind `yaml:"recipient_any"`
	// AccessedAny holds when the report's accessed is one of these.
	AccessedAny []report.Access `yaml:"accessed_any"`

	External          *bool `yaml:"external"`
	UnjustPurpose     *bool `yaml:"unjust_purpose"`
	Unintelligible    *bool `yaml:"unintelligible"`
	DataRetrieved     *bool `yaml:"data_retrieved"`
	RecipientsTrusted *bool `yaml:"recipients_trusted"`
	Vulnerable        *bool `yaml:"vulnerable_subjects"`
	SmallAgent        *bool `yaml:"small_agent"`
	Processor         *bool `yaml:"processor"`
	UnderSecrecy      *bool `yaml:"under_secrecy"`
	// AvailabilityLost holds when the breach made data unavailable.
	AvailabilityLost *bool `yaml:"availability_impacted"`
	// RiskAtLeast holds when the severity level is at least this one.
	RiskAtLeast Level `yaml:"risk_at_least"`
	// Sector holds when organisation.sector.<Sector> is true.
	Sector string `yaml:"sector"`
	// Set holds when the timeline field is present ("materiality_determined").
	Set Clock `yaml:"set"`
	// PossibleLeakAny holds when the report records a possible leak
	// (possible_leak) whose outcome is one of these: "open" (none yet),
	// "confirmed", "ruled_out".
	PossibleLeakAny []string `yaml:"possible_leak_any"`
	// PendingFacts holds when the report's pending_facts is (true) or is
	// not (false) empty.
	PendingFacts *bool `yaml:"pending_facts"`
}

// possibleLeakStates are the values possible_leak_any takes.
var possibleLeakStates = []string{"open", "confirmed", "ruled_out"}

// possibleLeakState is the report's possible leak as possible_leak_any
// reads it, or "" when the report records none.
func possibleLeakState(r *report.Report) string {
	p := r.PossibleLeak
	switch {
	case p == nil:
		return ""
	case p.Outcome == report.OutcomeOpen:
		return "open"
	}
	return string(p.Outcome)
}

// facts is what conditions are evaluated against.
type facts struct {
	r        *report.Report
	subjects int // people where this duty applies
	total    int // people in every jurisdiction of the regime
	risk     Risk
}

func (c *Condition) empty() bool {
	return c == nil || (len(c.All) == 0 && len(c.Any) == 0 && c.Not == nil && c.SubjectsAtLeast == nil &&
		c.SubjectsOver == nil && c.SubjectsBelow == nil && c.TotalAtLeast == nil && c.TotalBelow == nil &&
		c.CategoriesAny == nil && c.NamePlusAny == nil && c.VectorsAny == nil && c.ExfiltrationAny == nil &&
		c.RecipientAny == nil && c.AccessedAny == nil && c.UnderSecrecy == nil && c.AvailabilityLost == nil &&
		c.External == nil && c.UnjustPurpose == nil && c.Unintelligible == nil && c.DataRetrieved == nil &&
		c.RecipientsTrusted == nil && c.Vulnerable == nil && c.SmallAgent == nil && c.Processor == nil &&
		c.RiskAtLeast == "" && c.Sector == "" && c.Set == "" && c.PossibleLeakAny == nil && c.PendingFacts == nil)
}

func (c *Condition) holds(f *facts) bool {
	if c == nil {
		return true
	}
	r := f.r
	for i := range c.All {
		if !c.All[i].holds(f) {
			return false
		}
	}
	if len(c.Any) > 0 && !slices.ContainsFunc(c.Any, func(x Condition) bool { return x.holds(f) }) {
		return false
	}
	if c.Not != nil && c.Not.holds(f) {
		return false
	}
	switch {
	case c.SubjectsAtLeast != nil && f.subjects < *c.SubjectsAtLeast,
		c.SubjectsOver != nil && f.subjects <= *c.SubjectsOver,
		c.SubjectsBelow != nil && f.subjects >= *c.SubjectsBelow,
		c.TotalAtLeast != nil && f.total < *c.TotalAtLeast,
		c.TotalBelow != nil && f.total >= *c.TotalBelow:
		return false
	}
	// A category only possibly involved counts: a law's trigger is not
	// postponed by an open question (the reasons say "possibly").
	if c.CategoriesAny != nil && !slices.ContainsFunc(c.CategoriesAny, r.MayHave) {
		return false
	}
	if c.NamePlusAny != nil && !(r.MayHave(breach.CategoryName) && slices.ContainsFunc(c.NamePlusAny, r.MayHave)) {
		return false
	}
	if c.VectorsAny != nil && !slices.Contains(c.VectorsAny, r.Cause.Vector) {
		return false
	}
	if c.ExfiltrationAny != nil && !slices.Contains(c.ExfiltrationAny, r.Exfiltration) {
		return false
	}
	if c.RecipientAny != nil {
		if kind, _, _ := recipientOf(r); !slices.Contains(c.RecipientAny, kind) {
			return false
		}
	}
	if c.AccessedAny != nil && !slices.Contains(c.AccessedAny, r.Accessed) {
		return false
	}
	if !is(c.External, r.Cause.External) || !is(c.UnjustPurpose, r.Cause.Vector.UnjustPurpose()) ||
		!is(c.Unintelligible, r.Safeguards.Unintelligible()) || !is(c.DataRetrieved, r.DataRetrieved) ||
		!is(c.RecipientsTrusted, r.RecipientsTrusted) || !is(c.Vulnerable, r.VulnerableSubjects) ||
		!is(c.SmallAgent, r.Organisation.SmallAgent) || !is(c.Processor, r.Organisation.Role == report.RoleProcessor) ||
		!is(c.UnderSecrecy, r.UnderSecrecy) || !is(c.AvailabilityLost, r.Availability.Impacted) {
		return false
	}
	if c.RiskAtLeast != "" && f.risk.Level.rank() < c.RiskAtLeast.rank() {
		return false
	}
	if c.Sector != "" && !sectorFlag(r, c.Sector) {
		return false
	}
	if c.Set != "" {
		if t, _ := clockTime(r, c.Set); t.IsZero() {
			return false
		}
	}
	if c.PossibleLeakAny != nil && !slices.Contains(c.PossibleLeakAny, possibleLeakState(r)) {
		return false
	}
	if !is(c.PendingFacts, len(r.PendingFacts) > 0) {
		return false
	}
	return true
}

func is(want *bool, got bool) bool { return want == nil || *want == got }

// sectors maps sector flag names (as in the report's JSON) to their values.
var sectors = map[string]func(*report.Report) bool{
	"kr_credit_information_company":  func(r *report.Report) bool { return r.Organisation.Sector.KRCreditInformationCompany },
	"kr_commercial_enterprise":       func(r *report.Report) bool { return r.Organisation.Sector.KRCommercialEnterprise },
	"hipaa_covered_entity":           func(r *report.Report) bool { return r.Organisation.Sector.HIPAACoveredEntity },
	"hipaa_business_associate":       func(r *report.Report) bool { return r.Organisation.Sector.HIPAABusinessAssociate },
	"nydfs_regulated":                func(r *report.Report) bool { return r.Organisation.Sector.NYDFSRegulated },
	"sec_registrant":                 func(r *report.Report) bool { return r.Organisation.Sector.SECRegistrant },
	"ftc_glba_financial_institution": func(r *report.Report) bool { return r.Organisation.Sector.FTCGLBAFinancialInstitution },
	"cn_cii_operator":                func(r *report.Report) bool { return r.Organisation.Sector.CNCIIOperator },
	"au_app_entity": func(r *report.Report) bool {
		p := r.Organisation.Sector.AUAPPEntity
		return p == nil || *p
	},
	// eu_establishment: a main establishment in the EU (one-stop shop).
	"eu_establishment": func(r *report.Report) bool {
		return r.Organisation.EU != nil && r.Organisation.EU.Establishment
	},
}

func sectorFlag(r *report.Report, name string) bool {
	f, ok := sectors[name]
	return ok && f(r)
}

// check reports the first thing wrong with a condition, naming where.
func (c *Condition) check(where string) error {
	if c == nil {
		return nil
	}
	for i := range c.All {
		if err := c.All[i].check(fmt.Sprintf("%s.all[%d]", where, i)); err != nil {
			return err
		}
	}
	for i := range c.Any {
		if err := c.Any[i].check(fmt.Sprintf("%s.any[%d]", where, i)); err != nil {
			return err
		}
	}
	if err := c.Not.check(where + ".not"); err != nil {
		return err
	}
	for _, cat := range append(slices.Clone(c.CategoriesAny), c.NamePlusAny...) {
		if !cat.Valid() {
			return fmt.Errorf("%s: unknown category %q", where, cat)
		}
	}
	for _, v := range c.VectorsAny {
		if !slices.Contains(report.Vectors, v) {
			return fmt.Errorf("%s: unknown vector %q", where, v)
		}
	}
	for _, e := range c.ExfiltrationAny {
		switch e {
		case report.ExfiltrationConfirmed, report.ExfiltrationSuspected, report.ExfiltrationRuledOut:
		default:
			return fmt.Errorf("%s: unknown exfiltration %q", where, e)
		}
	}
	for _, k := range c.RecipientAny {
		if !slices.Contains(report.RecipientKinds, k) {
			return fmt.Errorf("%s: unknown recipient kind %q", where, k)
		}
	}
	for _, a := range c.AccessedAny {
		switch a {
		case report.AccessYes, report.AccessNo, report.AccessUnknown:
		default:
			return fmt.Errorf("%s: unknown accessed value %q", where, a)
		}
	}
	if c.RiskAtLeast != "" && c.RiskAtLeast.rank() < 0 {
		return fmt.Errorf("%s: unknown risk level %q", where, c.RiskAtLeast)
	}
	if c.Sector != "" && sectors[c.Sector] == nil {
		return fmt.Errorf("%s: unknown sector flag %q", where, c.Sector)
	}
	if c.Set != "" && !c.Set.valid() {
		return fmt.Errorf("%s: unknown timeline field %q", where, c.Set)
	}
	for _, s := range c.PossibleLeakAny {
		if !slices.Contains(possibleLeakStates, s) {
			return fmt.Errorf("%s: possible_leak_any %q: want open, confirmed or ruled_out", where, s)
		}
	}
	return nil
}
