package report

import (
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"

	"breachflow/internal/breach"
	"breachflow/internal/channelplan"
)

// check runs the semantic checks the schema cannot express. It never puts a
// field's value into a message.
func (r *Report) check(now time.Time, ps *problems) {
	r.checkOrganisation(ps)
	r.checkTimeline(now, ps)
	for i, c := range r.DataCategories {
		if !c.Valid() {
			ps.add(fmt.Sprintf("data_categories[%d]", i), "not in the category vocabulary")
		}
	}
	if r.Safeguards.KeyCompromised && !r.Safeguards.Encrypted {
		ps.add("safeguards.key_compromised", "set but safeguards.encrypted is false")
	}
	if r.Safeguards.HashReversible && !r.Safeguards.Hashed {
		ps.add("safeguards.hash_reversible", "set but safeguards.hashed is false")
	}
	if a := r.Availability; a.RestoredAt != nil {
		if !a.Impacted {
			ps.add("availability.restored_at", "set but availability.impacted is false")
		}
		if a.Permanent {
			ps.add("availability.restored_at", "set but availability.permanent says the data is lost")
		}
		if a.RestoredAt.After(now) {
			ps.add("availability.restored_at", "in the future")
		}
		if a.RestoredAt.Before(r.Timeline.OccurredFrom) {
			ps.add("availability.restored_at", "before timeline.occurred_from")
		}
	}
	if r.Exfiltration == ExfiltrationRuledOut && r.DataRetrieved {
		// Not contradictory, but worth nothing: retrieval implies it left.
		ps.add("data_retrieved", "true but exfiltration is ruled_out: data that never left cannot be retrieved")
	}
	r.checkRiskFacts(ps)
	r.checkPossibleLeak(now, ps)
	r.checkPendingFacts(ps)
	r.checkPeople(ps)
	if err := r.ChannelPolicy.Validate("channel_policy"); err != nil {
		for _, e := range flatten(err) {
			if fe, ok := e.(*channelplan.FieldError); ok {
				ps.add(fe.Field, "%s", fe.Reason)
			}
		}
	}
	for j, n := range r.SubjectCounts {
		path := "subject_counts." + string(j)
		if !fieldName(string(j)) {
			path = "subject_counts" // a key that is no code may be anything: not shown
		}
		pj, err := breach.ParseJurisdiction(string(j))
		switch {
		case err != nil || pj != j:
			ps.add(path, "a key is not an ISO 3166 code in upper case (KR, US-CA)")
		case !breach.IsCountry(j.Country()):
			ps.add(path, "%s", notCountry)
		}
		if n < 0 {
			ps.add(path, "negative count")
		}
	}
	checkScope(r.Scope, ps)
}

// notCountry is the problem with a code ISO 3166-1 has not assigned.
const notCountry = "not an ISO 3166-1 alpha-2 country code in upper case (KR, DE; the United Kingdom is GB)"

func (r *Report) checkOrganisation(ps *problems) {
	o := r.Organisation
	if strings.TrimSpace(o.Name) == "" {
		ps.add("organisation.name", "empty")
	}
	if !breach.IsCountry(string(o.Country)) {
		ps.add("organisation.country", "%s", notCountry)
	}
	checkEmail("organisation.contact.email", o.Contact.Email, ps)
	if o.DPO != nil {
		checkEmail("organisation.dpo.email", o.DPO.Email, ps)
	}
	if o.EU != nil {
		if o.EU.Establishment && o.EU.LeadAuthorityCountry == "" {
			ps.add("organisation.eu.lead_authority_country", "required when organisation.eu.establishment is true")
		}
		if o.EU.LeadAuthorityCountry != "" && !IsEU(o.EU.LeadAuthorityCountry) {
			ps.add("organisation.eu.lead_authority_country", "not an EU/EEA member state")
		}
		if o.EU.Establishment && o.EU.Representative {
			ps.add("organisation.eu.representative", "an organisation with an EU main establishment has no Art. 27 representative")
		}
	}
	if o.Sector.KRCommercialEnterprise && !o.Sector.KRCreditInformationCompany {
		ps.add("organisation.sector.kr_commercial_enterprise", "only meaningful with kr_credit_information_company")
	}
}

func (r *Report) checkTimeline(now time.Time, ps *problems) {
	t := r.Timeline
	type stamp struct {
		path string
		at   *time.Time
	}
	stamps := []stamp{
		{"timeline.occurred_from", &t.OccurredFrom}, {"timeline.occurred_to", t.OccurredTo},
		{"timeline.discovered", &t.Discovered}, {"timeline.aware", &t.Aware},
		{"timeline.determined", t.Determined}, {"timeline.materiality_determined", t.MaterialityDetermined},
		{"timeline.extortion_paid", t.ExtortionPaid},
		{"timeline.facts_confirmed", t.FactsConfirmed},
	}
	for _, s := range stamps {
		if s.at == nil {
			continue
		}
		if s.at.IsZero() {
			ps.add(s.path, "missing")
			continue
		}
		if s.at.After(now) {
			ps.add(s.path, "in the future")
		}
	}
	// Each pair reads "later must not be before earlier".
	order := []struct {
		later, earlier stamp
	}{
		{stamps[1], stamps[0]},
		{stamps[2], stamps[0]},
		{stamps[3], stamps[0]},
		{stamps[3], stamps[2]},
		{stamps[4], stamps[2]},
		{stamps[5], stamps[2]},
		{stamps[6], stamps[0]},
		{stamps[7], stamps[3]},
	}
	for _, o := range order {
		if o.later.at == nil || o.earlier.at == nil || o.later.at.IsZero() || o.earlier.at.IsZero() {
			continue
		}
		if o.later.at.Before(*o.earlier.at) {
			ps.add(o.later.path, "before %s", o.earlier.path)
		}
	}
}

// checkRiskFacts checks the facts the risk method weighs against each
// other: the older booleans and the newer, finer fields must not say
// different things.
func (r *Report) checkRiskFacts(ps *problems) {
	for i, c := range r.PossiblyInvolved {
		path := fmt.Sprintf("possibly_involved_categories[%d]", i)
		switch {
		case !c.Valid():
			ps.add(path, "not in the category vocabulary")
		case r.Has(c):
			ps.add(path, "also listed in data_categories; list a category in one of the two")
		}
	}
	if r.SpecialDataShare != nil && !slices.ContainsFunc(SpecialCategories, r.MayHave) {
		ps.add("special_data_share", "set but no special or sensitive category (health, biometric, genetic, special_category, criminal) is listed")
	}
	if rc := r.Recipient; rc != nil {
		if !slices.Contains(RecipientKinds, rc.Kind) {
			ps.add("recipient.kind", "not one of the recipient kinds")
		}
		if r.RecipientsTrusted && (rc.Kind == RecipientAttacker || rc.Kind == RecipientUnknownParty) {
			ps.add("recipients_trusted", "true but recipient.kind says the recipient is an attacker or unknown")
		}
		if rc.Bound && (rc.Kind == RecipientAttacker || rc.Kind == RecipientUnknownParty) {
			ps.add("recipient.bound", "an attacker or an unknown party owes no confidentiality")
		}
	}
	if r.Retrieval != "" && r.DataRetrieved != (r.Retrieval == RetrievalConfirmed) {
		ps.add("retrieval", "disagrees with data_retrieved (true only when retrieval is confirmed)")
	}
	if r.Accessed == AccessNo && r.Exfiltration == ExfiltrationConfirmed && r.Recipient != nil && r.Recipient.Kind == RecipientAttacker {
		ps.add("accessed", "no, but an attacker is confirmed to have taken the data")
	}
	a := r.Availability
	if !a.Impacted && (a.Backup != nil || a.OutageHours != nil || a.Effect != "") {
		ps.add("availability.impacted", "false but availability.backup, outage_hours or effect is set")
	}
	if a.Permanent && a.Backup != nil && *a.Backup {
		ps.add("availability.backup", "true but availability.permanent says the data is lost")
	}
}

// SpecialCategories are the categories special_data_share measures: GDPR
// Arts. 9-10 data and their equivalents.
var SpecialCategories = []breach.Category{
	breach.CategoryHealth, breach.CategoryBiometric, breach.CategoryGenetic, breach.CategorySpecial, breach.CategoryCriminal,
}

func (r *Report) checkPeople(ps *problems) {
	seen := map[string]int{}
	sub := strings.ToLower(strings.TrimSpace(r.Submitter))
	checkEmail("submitter", r.Submitter, ps)
	for i, a := range r.Approvers {
		path := fmt.Sprintf("approvers[%d]", i)
		checkEmail(path, a, ps)
		k := strings.ToLower(strings.TrimSpace(a))
		if j, dup := seen[k]; dup {
			ps.add(path, "same address as approvers[%d]", j)
		}
		seen[k] = i
		if k == sub {
			ps.add(path, "is the submitter; the submitter cannot approve their own case")
		}
	}
}

// checkEmail accepts a bare address (no display name) with a dot in the
// domain, and no header-breaking characters.
func checkEmail(path, s string, ps *problems) {
	if s == "" {
		ps.add(path, "missing e-mail address")
		return
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" || strings.ContainsAny(s, "\r\n") {
		ps.add(path, "not a bare e-mail address (value not shown)")
		return
	}
	at := strings.LastIndexByte(s, '@')
	if !strings.Contains(s[at+1:], ".") {
		ps.add(path, "e-mail domain has no dot (value not shown)")
	}
}

// euEEA is the EU plus the EEA states that apply the GDPR.
var euEEA = map[breach.Jurisdiction]bool{
	"AT": true, "BE": true, "BG": true, "HR": true, "CY": true, "CZ": true, "DK": true, "EE": true,
	"FI": true, "FR": true, "DE": true, "GR": true, "HU": true, "IE": true, "IT": true, "LV": true,
	"LT": true, "LU": true, "MT": true, "NL": true, "PL": true, "PT": true, "RO": true, "SK": true,
	"SI": true, "ES": true, "SE": true, "IS": true, "LI": true, "NO": true,
}

// IsEU reports whether j (or its country) is an EU/EEA state applying the GDPR.
func IsEU(j breach.Jurisdiction) bool { return euEEA[breach.Jurisdiction(j.Country())] }

// checkPossibleLeak checks a possible leak against the rest of the report:
// while open, exfiltration must say suspected; an outcome needs its date
// and must agree with exfiltration.
func (r *Report) checkPossibleLeak(now time.Time, ps *problems) {
	p := r.PossibleLeak
	if p == nil {
		return
	}
	switch p.Circumstance {
	case CircumstanceUnlawfulAccess, CircumstancePartlyConfirmed:
	default:
		ps.add("possible_leak.circumstance", "not one of unlawful_access, partly_confirmed")
	}
	switch {
	case p.KnownAt.IsZero():
		ps.add("possible_leak.known_at", "missing")
	case p.KnownAt.After(now):
		ps.add("possible_leak.known_at", "in the future")
	case p.KnownAt.Before(r.Timeline.OccurredFrom):
		ps.add("possible_leak.known_at", "before timeline.occurred_from")
	}
	want := map[PossibilityOutcome]Exfiltration{
		OutcomeOpen: ExfiltrationSuspected, OutcomeConfirmed: ExfiltrationConfirmed, OutcomeRuledOut: ExfiltrationRuledOut,
	}
	ex, known := want[p.Outcome]
	if !known {
		ps.add("possible_leak.outcome", "not one of confirmed, ruled_out (absent while open)")
		return
	}
	if r.Exfiltration != ex {
		if p.Outcome == OutcomeOpen {
			ps.add("exfiltration", "must be suspected while possible_leak has no outcome")
		} else {
			ps.add("exfiltration", "must agree with possible_leak.outcome (confirmed or ruled_out)")
		}
	}
	switch {
	case p.Outcome == OutcomeOpen && p.ResolvedAt != nil:
		ps.add("possible_leak.resolved_at", "set but possible_leak.outcome is absent")
	case p.Outcome != OutcomeOpen && p.ResolvedAt == nil:
		ps.add("possible_leak.resolved_at", "required with possible_leak.outcome")
	case p.ResolvedAt != nil && p.ResolvedAt.After(now):
		ps.add("possible_leak.resolved_at", "in the future")
	case p.ResolvedAt != nil && !p.KnownAt.IsZero() && p.ResolvedAt.Before(p.KnownAt):
		ps.add("possible_leak.resolved_at", "before possible_leak.known_at")
	}
}

// checkPendingFacts checks the vocabulary of pending_facts and that facts
// are not at once pending and confirmed.
func (r *Report) checkPendingFacts(ps *problems) {
	seen := map[breach.Element]bool{}
	for i, e := range r.PendingFacts {
		path := fmt.Sprintf("pending_facts[%d]", i)
		switch {
		case !slices.Contains(PendingFactElements, e):
			ps.add(path, "not one of data_items, timeline, counts, cause, consequences, measures_taken")
		case seen[e]:
			ps.add(path, "listed twice")
		}
		seen[e] = true
	}
	if len(r.PendingFacts) > 0 && r.Timeline.FactsConfirmed != nil {
		ps.add("timeline.facts_confirmed", "set but pending_facts still lists facts; empty it when the facts are confirmed")
	}
}

// flatten lists the errors an errors.Join holds (err itself otherwise).
func flatten(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}
