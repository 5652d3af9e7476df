package rules

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"breachflow/internal/breach"
	"breachflow/internal/report"
)

// Assess decides every notification duty for report r. counts gives the
// affected people per jurisdiction (scoping's aggregate); nil means the
// report's own subject_counts, and the assessment is marked Estimated. now is only recorded (deadlines come from
// the report's timeline), so the result is deterministic.
//
// A regime that applies but lacks a fact it needs (Singapore without the
// assessment date, say) makes Assess return a *report.ValidationError
// naming the field and the regime.
func Assess(r *report.Report, counts map[breach.Jurisdiction]int, now time.Time) (Assessment, error) {
	regimes, err := Regimes()
	if err != nil {
		return Assessment{}, err
	}
	return assessWith(regimes, r, counts, now)
}

// Check reports the facts that regimes applying to r need and r lacks, as
// a *report.ValidationError naming each field; nil when none is missing.
// Intake can call it to refuse such a report before a case opens; Assess
// runs the same check.
func Check(r *report.Report, counts map[breach.Jurisdiction]int) error {
	regimes, err := Regimes()
	if err != nil {
		return err
	}
	if counts == nil {
		counts = r.SubjectCounts
	}
	if missing := missingFacts(regimes, r, counts, assessRisk(r, people(counts))); len(missing) > 0 {
		return &report.ValidationError{Problems: missing}
	}
	return nil
}

// people is everyone counted, in every jurisdiction.
func people(counts map[breach.Jurisdiction]int) int {
	n := 0
	for _, c := range counts {
		n += max(c, 0)
	}
	return n
}

func missingFacts(regimes []*Regime, r *report.Report, counts map[breach.Jurisdiction]int, risk Risk) []report.Problem {
	var missing []report.Problem
	for _, rg := range regimes {
		if len(rg.Needs) == 0 {
			continue
		}
		sel, total := rg.selectFor(r, counts, map[breach.Jurisdiction]bool{})
		if sel == nil {
			continue
		}
		// Only a regime that is in force and whose trigger holds needs
		// anything: a law that cannot apply should not block a report.
		f := facts{r: r, subjects: total, total: total, risk: risk}
		if r.Timeline.Aware.Before(rg.EffectiveFrom.Time) && rg.BeforeEffective == "not_in_force" || !rg.Trigger.holds(&f) {
			continue
		}
		for _, need := range rg.Needs {
			if !hasField(r, need) {
				missing = append(missing, report.Problem{Path: need, Message: fmt.Sprintf("required by %s (%s), which applies to this breach", rg.ID, rg.Name)})
			}
		}
	}
	return missing
}

func assessWith(regimes []*Regime, r *report.Report, counts map[breach.Jurisdiction]int, now time.Time) (Assessment, error) {
	estimated := counts == nil
	if estimated {
		counts = r.SubjectCounts
	}
	everyone := people(counts)
	a := Assessment{ReportID: r.ReportID, Now: now, Risk: assessRisk(r, everyone), Estimated: estimated}
	if len(counts) > 0 {
		a.Counts = make(map[breach.Jurisdiction]int, len(counts))
		for j, n := range counts {
			a.Counts[j] = n
		}
	}
	covered := map[breach.Jurisdiction]bool{}
	if missing := missingFacts(regimes, r, counts, a.Risk); len(missing) > 0 {
		return Assessment{}, &report.ValidationError{Problems: missing}
	}
	var merges []string
	for _, rg := range regimes {
		sel, total := rg.selectFor(r, counts, covered)
		if sel == nil {
			continue
		}
		e := evaluation{rg: rg, r: r, counts: counts, sel: sel, total: total, risk: a.Risk, due: map[string]time.Time{}}
		for _, esc := range rg.Escalate {
			f := e.facts(total)
			if esc.When.holds(&f) {
				a.Escalations = append(a.Escalations, rg.ID+": "+esc.Question)
			}
		}
		for _, o := range e.run() {
			a.Obligations = append(a.Obligations, o.Obligation)
			merges = append(merges, o.merge)
		}
	}
	if everyone == 0 {
		a.Escalations = append(a.Escalations, "no affected people counted: laws that follow residence were not assessed; run scoping or give subject_counts")
	}
	for j, n := range counts {
		if n > 0 && !covered[j] {
			a.Unknown = append(a.Unknown, j)
		}
	}
	slices.Sort(a.Unknown)
	merge(a.Obligations, merges)
	sort.SliceStable(a.Obligations, func(i, j int) bool { return less(a.Obligations[i], a.Obligations[j]) })
	return a, nil
}

// less orders by due time (none last), then required first, then id.
func less(x, y Obligation) bool {
	switch {
	case x.DueAt.IsZero() != y.DueAt.IsZero():
		return !x.DueAt.IsZero()
	case !x.DueAt.Equal(y.DueAt):
		return x.DueAt.Before(y.DueAt)
	case x.Required != y.Required:
		return x.Required
	}
	return x.ID < y.ID
}

// selectFor returns the jurisdictions with affected people the regime covers
// (sorted), and their total; nil when the regime does not apply. It marks
// in covered the jurisdictions whose general law the regime is: a sector
// law (HIPAA) leaves the state law to be found, but a scheme whose sector
// flag only says who it binds (Australia's APP entities) is the general
// law there.
func (rg *Regime) selectFor(r *report.Report, counts map[breach.Jurisdiction]int, covered map[breach.Jurisdiction]bool) ([]breach.Jurisdiction, int) {
	if rg.Sector != "" && !sectorFlag(r, rg.Sector) {
		return nil, 0
	}
	reach := rg.Reach == "establishment" && rg.establishedIn(r)
	if rg.followsOrganisation() {
		total := 0
		for _, n := range counts {
			total += n
		}
		return []breach.Jurisdiction{breach.Jurisdiction(rg.Jurisdictions[0])}, total
	}
	var sel []breach.Jurisdiction
	total := 0
	for j, n := range counts {
		if n <= 0 {
			continue
		}
		resident := rg.covers(j)
		if !resident && !reach {
			continue
		}
		if resident && (rg.Sector == "" || rg.General) {
			covered[j] = true
		}
		sel = append(sel, j)
		total += n
	}
	slices.Sort(sel)
	return sel, total
}

// establishedIn reports whether the organisation is established where the
// regime applies (GDPR Art. 3(1)): its lead authority's state, its own
// country when it says nothing of its EU presence, or the regime's country.
func (rg *Regime) establishedIn(r *report.Report) bool {
	o := r.Organisation
	if slices.Contains(rg.Jurisdictions, "EU") && o.EU != nil {
		return o.EU.Establishment
	}
	return rg.covers(o.Country)
}

func (rg *Regime) followsOrganisation() bool { return rg.Follows == "organisation" }

func (rg *Regime) covers(j breach.Jurisdiction) bool {
	for _, c := range rg.Jurisdictions {
		switch {
		case c == "EU":
			if report.IsEU(j) {
				return true
			}
		case strings.Contains(c, "-"):
			if string(j) == c {
				return true
			}
		default:
			if j.Country() == c {
				return true
			}
		}
	}
	return false
}

func hasField(r *report.Report, path string) bool {
	switch path {
	case "timeline.determined":
		return r.Timeline.Determined != nil
	case "timeline.materiality_determined":
		return r.Timeline.MaterialityDetermined != nil
	case "timeline.extortion_paid":
		return r.Timeline.ExtortionPaid != nil
	case "organisation.dpo":
		return r.Organisation.DPO != nil
	case "organisation.eu":
		return r.Organisation.EU != nil
	case "organisation.sector.au_app_entity":
		return r.Organisation.Sector.AUAPPEntity != nil
	}
	return false
}

// merge gives duties in the same merge group and jurisdiction the earliest
// deadline among them and the union of their content, and says so.
func merge(obs []Obligation, merges []string) {
	groups := map[string][]int{}
	var keys []string
	for i, o := range obs {
		if merges[i] == "" || !o.Required {
			continue
		}
		k := merges[i] + "|" + string(o.Jurisdiction)
		if groups[k] == nil {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], i)
	}
	for _, k := range keys {
		idx := groups[k]
		if len(idx) < 2 {
			continue
		}
		var earliest time.Time
		var from string
		var elems []breach.Element
		for _, i := range idx {
			if d := obs[i].DueAt; !d.IsZero() && (earliest.IsZero() || d.Before(earliest)) {
				earliest, from = d, obs[i].ID
			}
			for _, e := range obs[i].Elements {
				if !slices.Contains(elems, e) {
					elems = append(elems, e)
				}
			}
		}
		for _, i := range idx {
			o := &obs[i]
			for _, j := range idx {
				if j != i {
					o.Merged = append(o.Merged, obs[j].ID+" ("+obs[j].RecipientName+")")
				}
			}
			o.Elements = elems
			if !earliest.IsZero() && (o.DueAt.IsZero() || earliest.Before(o.DueAt)) {
				o.DueAt = earliest
				o.Notes = append(o.Notes, fmt.Sprintf("deadline tightened to %s's: overlapping duties merge to all recipients and the earliest deadline (RULEBOOK A1)", from))
			}
		}
	}
}
