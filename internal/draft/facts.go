package draft

import (
	"slices"
	"strings"
	"time"

	"breachflow/internal/breach"
	"breachflow/internal/notice"
	"breachflow/internal/report"
	"breachflow/internal/rules"
)

// Facts turns a report and its assessment (obligations and risk) into what the templates need.
// at is the date the documents carry. The sender builds its NoticeSet from
// the same three values (at is stored with the drafts), so what it sends is
// what was approved.
func Facts(r *report.Report, a rules.Assessment, at time.Time) notice.CaseFacts {
	obs := a.Obligations
	o := r.Organisation
	f := notice.CaseFacts{
		Org: notice.Org{
			Name:    o.Name,
			Country: string(o.Country),
			Contact: notice.Contact{Name: o.Contact.Name, Email: o.Contact.Email, Phone: o.Contact.Phone},
		},
		Title:                  r.Title,
		Description:            r.Description,
		Vector:                 string(r.Cause.Vector),
		External:               r.Cause.External,
		CauseDescription:       r.Cause.Description,
		OccurredFrom:           r.Timeline.OccurredFrom,
		Discovered:             r.Timeline.Discovered,
		Aware:                  r.Timeline.Aware,
		NoticeDate:             at,
		Categories:             r.DataCategories,
		Records:                r.RecordCount,
		Encrypted:              r.Safeguards.Encrypted,
		KeyCompromised:         r.Safeguards.KeyCompromised,
		Hashed:                 r.Safeguards.Hashed,
		HashReversible:         r.Safeguards.HashReversible,
		DataRetrieved:          r.DataRetrieved,
		LawEnforcementDelay:    r.LawEnforcementDelay,
		DelayReason:            r.DelayReason,
		Exfiltration:           string(r.Exfiltration),
		MeasuresTaken:          r.MeasuresTaken,
		MeasuresForIndividuals: r.MeasuresForIndividuals,
	}
	if a.Risk.Level != "" {
		f.Risk = a.Risk.Summary
	}
	if o.DPO != nil {
		f.Org.DPO = &notice.Contact{Name: o.DPO.Name, Email: o.DPO.Email, Phone: o.DPO.Phone}
	}
	if r.Timeline.OccurredTo != nil {
		f.OccurredTo = *r.Timeline.OccurredTo
	}
	// The counts the assessment was made on, so that every document of the
	// case states the same numbers: scoping's once it ran, else the
	// report's estimate, marked as one.
	f.ByJurisdiction = make(map[breach.Jurisdiction]int)
	counts, estimated := a.Counts, a.Estimated
	if counts == nil {
		counts, estimated = r.SubjectCounts, true
	}
	for j, n := range counts {
		f.ByJurisdiction[j] = n
	}
	f.Estimated = estimated && len(counts) > 0
	if len(f.ByJurisdiction) == 0 {
		// Scoped counts are not in the report: take each individuals
		// duty's subject count, once per jurisdiction.
		for _, ob := range obs {
			if ob.RecipientKind == breach.RecipientIndividuals && ob.Subjects > f.ByJurisdiction[ob.Jurisdiction] {
				f.ByJurisdiction[ob.Jurisdiction] = ob.Subjects
			}
		}
	}
	for _, n := range f.ByJurisdiction {
		f.Affected += n
	}
	if p := r.PossibleLeak; p != nil {
		f.Possibility = &notice.Possibility{Circumstance: string(p.Circumstance), KnownAt: p.KnownAt, Outcome: string(p.Outcome)}
		if p.ResolvedAt != nil {
			f.Possibility.ResolvedAt = *p.ResolvedAt
		}
	}
	f.Phased = len(r.PendingFacts) > 0
	for _, ob := range obs {
		if !ob.Required || !Drafted(r, ob) {
			continue
		}
		f.Duties = append(f.Duties, Duty(ob))
		for _, e := range ob.Elements {
			if e == breach.ElementPhasedFollowUp {
				f.Phased = true
			}
		}
	}
	return f
}

// Drafted reports whether a case's drafting run drafts obligation ob: not
// a staged duty (a second stage is a dated task, drafted when it falls
// due: package stage), and not a possibility notice once the possibility
// is resolved (it went out with the earlier version, or the Art. 34(1)
// notice replaced it: PIPA Decree 39-3(2)).
func Drafted(r *report.Report, ob rules.Obligation) bool {
	if ob.Staged() {
		return false
	}
	if p := r.PossibleLeak; p != nil && p.Outcome != report.OutcomeOpen && slices.Contains(ob.Elements, breach.ElementLeakPossibility) {
		return false
	}
	return true
}

// Duty projects an obligation onto what drafting needs.
func Duty(ob rules.Obligation) notice.Duty {
	return notice.Duty{
		ID:            ob.ID,
		Regime:        ob.Regime,
		Jurisdiction:  ob.Jurisdiction,
		Kind:          ob.RecipientKind,
		RecipientName: ob.RecipientName,
		Required:      ob.Required,
		DueAt:         ob.DueAt,
		Citation:      ob.Citation,
		Elements:      ob.Elements,
		Locale:        ob.Language,
		Phase:         strings.ToLower(ob.Phase.Stage),
		Subjects:      ob.Subjects,
	}
}
