package rules

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/rickar/cal/v2"

	"breachflow/internal/breach"
	"breachflow/internal/report"
)

// evaluation runs one regime against one report.
type evaluation struct {
	rg     *Regime
	r      *report.Report
	counts map[breach.Jurisdiction]int
	sel    []breach.Jurisdiction
	total  int
	risk   Risk
	due    map[string]time.Time // "<rule id>|<jurisdiction>" -> due
}

// evaluated is an obligation and the merge group of the rule behind it.
type evaluated struct {
	Obligation
	merge string
}

// target is one recipient of a rule: a state's authority, a state's
// residents, or the regime's single recipient.
type target struct {
	j        breach.Jurisdiction
	perState bool
	subjects int
	name     string
	language string
	channel  string
}

func (e *evaluation) facts(subjects int) facts {
	return facts{r: e.r, subjects: subjects, total: e.total, risk: e.risk}
}

func (e *evaluation) run() []evaluated {
	var out []evaluated
	produced := map[string]bool{}
	for i := range e.rg.Obligations {
		rule := &e.rg.Obligations[i]
		for _, t := range e.targets(rule) {
			start := e.clockStart(rule, t.j)
			ref := start
			if ref.IsZero() || rule.Deadline.Clock == ClockLeakAware {
				// Which version of a law applies follows when the
				// incident became known, not when a possible leak was
				// confirmed.
				ref = e.r.Timeline.Aware
			}
			if (!rule.From.IsZero() && ref.Before(rule.From.Time)) || (!rule.To.IsZero() && !ref.Before(rule.To.Time)) {
				continue
			}
			produced[rule.ID] = true
			out = append(out, evaluated{e.one(rule, t, start, ref), rule.Merge})
		}
	}
	// A rule with versions, none of which covers the clock start: a duty
	// that did not exist yet is not required; any other gap is said out loud.
	for i := range e.rg.Obligations {
		rule := &e.rg.Obligations[i]
		if produced[rule.ID] {
			continue
		}
		produced[rule.ID] = true
		first := e.firstVersion(rule.ID)
		for _, t := range e.targets(rule) {
			o := e.base(rule, t)
			ref := e.r.Timeline.Aware
			if ref.Before(first) {
				o.Rationale = fmt.Sprintf("Not required: this duty applies to breaches known from %s; this one was known %s.",
					first.Format(time.DateOnly), ref.Format(time.DateOnly))
			} else {
				o.Required, o.Verification = true, Unverified
				o.Rationale = fmt.Sprintf("Check: no version of this rule in the rulebook covers a breach known on %s; the law then in force is not in the rulebook.", ref.Format(time.DateOnly))
			}
			out = append(out, evaluated{o, ""})
		}
	}
	stageAfterFirst(out)
	return out
}

// stageAfterFirst makes a staged duty follow its first stage: when the
// first stage is not required (its threshold unmet, an exemption), neither
// is the second, and the rationale says so.
func stageAfterFirst(out []evaluated) {
	byID := map[string]*Obligation{}
	for i := range out {
		byID[out[i].ID] = &out[i].Obligation
	}
	for i := range out {
		o := &out[i].Obligation
		if !o.Staged() || !o.Required {
			continue
		}
		if first, ok := byID[o.StageOf]; ok && !first.Required {
			o.Required, o.DueAt, o.ClockStart = false, time.Time{}, time.Time{}
			o.Rationale = "Not required: it follows up " + first.ID + ", which is not required (" + first.Rationale + ")"
		}
	}
}

// firstVersion is the earliest From among a rule's versions.
func (e *evaluation) firstVersion(id string) time.Time {
	var first time.Time
	for _, r := range e.rg.Obligations {
		if r.ID == id && (first.IsZero() || r.From.Before(first)) {
			first = r.From.Time
		}
	}
	return first
}

func (e *evaluation) targets(rule *Rule) []target {
	rg := e.rg
	if rule.Authority == "lead_or_each" {
		if lead := leadAuthority(e.r); lead != "" {
			a := rg.Authorities[lead.Country()]
			return []target{{j: lead, perState: true, subjects: e.total, name: a.Name, language: a.Language, channel: a.Channel}}
		}
	}
	if rule.PerState || rule.Authority != "" {
		var ts []target
		for _, j := range e.sel {
			t := target{j: j, perState: true, subjects: e.counts[j], name: rule.RecipientName, language: rg.Language, channel: rule.Channel}
			if a, ok := rg.Authorities[j.Country()]; ok {
				t.language = a.Language
				if rule.Authority != "" {
					t.name, t.channel = a.Name, a.Channel
				}
			}
			ts = append(ts, t)
		}
		return ts
	}
	j := breach.Jurisdiction(rg.Jurisdictions[0])
	if len(e.sel) == 1 && rg.covers(e.sel[0]) {
		j = e.sel[0]
	}
	return []target{{j: j, subjects: e.total, name: rule.RecipientName, language: rg.Language, channel: rule.Channel}}
}

func (e *evaluation) clockStart(rule *Rule, j breach.Jurisdiction) time.Time {
	if rule.Deadline.Clock == ClockNotice {
		if d, ok := e.due[rule.Deadline.After+"|"+string(j)]; ok {
			return d
		}
		return e.due[rule.Deadline.After+"|"]
	}
	t, _ := clockTime(e.r, rule.Deadline.Clock)
	return t
}

func (e *evaluation) base(rule *Rule, t target) Obligation {
	id, stageOf := rule.ID, rule.StageOf
	if t.perState {
		id += "-" + string(t.j)
		if stageOf != "" {
			stageOf += "-" + string(t.j)
		}
	}
	return Obligation{
		StageOf: stageOf,
		ID:      id, Regime: e.rg.ID, RegimeName: e.rg.Name, Jurisdiction: t.j,
		RecipientKind: rule.RecipientKind, RecipientName: t.name, Channel: t.channel,
		Deadline: rule.Deadline.Text, Clock: rule.Deadline.Clock, Citation: rule.Citation,
		Elements: slices.Clone(rule.Elements), Verification: rule.Verification, Language: t.language,
		Phase: rule.Phase, Subjects: t.subjects,
		// The regime's own caveats travel with each duty: they are what a
		// responder must double-check.
		Notes: append(slices.Clone(rule.Notes), e.rg.Notes...),
	}
}

func (e *evaluation) one(rule *Rule, t target, start, ref time.Time) Obligation {
	o := e.base(rule, t)
	f := e.facts(t.subjects)
	why := e.factsText(t)
	key := rule.ID + "|"
	if t.perState {
		key += string(t.j)
	}
	unmodelled := false
	switch {
	case ref.Before(e.rg.EffectiveFrom.Time) && e.rg.BeforeEffective == "not_in_force":
		o.Rationale = fmt.Sprintf("Not required: %s is not in force for a breach known on %s (in force from %s).",
			e.rg.Name, ref.Format(time.DateOnly), e.rg.EffectiveFrom.Format(time.DateOnly))
	case ref.Before(e.rg.EffectiveFrom.Time):
		o.Required, o.Verification, unmodelled = true, Unverified, true
		o.Rationale = fmt.Sprintf("Check: the breach (known %s) predates this rule (from %s); the law then in force is not in the rulebook.",
			ref.Format(time.DateOnly), e.rg.EffectiveFrom.Format(time.DateOnly))
	case !e.rg.Trigger.empty() && !e.rg.Trigger.holds(&f):
		o.Rationale = "Not required: the law's trigger is not met (" + e.rg.TriggerText + "); " + why + "."
	case !rule.When.holds(&f):
		o.Rationale = "Not required: the threshold is not met (" + rule.WhenText + "); " + why + "."
	case !e.rg.Exempt.empty() && e.rg.Exempt.holds(&f):
		o.Rationale = "Not required: " + e.rg.ExemptText + "; " + why + "."
	case e.exception(&f) != "":
		o.Rationale = "Not required: " + e.exception(&f) + "; " + why + "."
	case !rule.Unless.empty() && rule.Unless.holds(&f):
		o.Rationale = "Not required: " + rule.UnlessText + "; " + why + "."
	default:
		o.Required = true
		o.Rationale = "Required: "
		if e.rg.TriggerText != "" {
			o.Rationale += e.rg.TriggerText + "; "
		}
		o.Rationale += rule.WhenText + "; " + why + "."
	}
	if !o.Required || unmodelled {
		e.due[key] = time.Time{}
		return o
	}
	o.ClockStart = start
	d := rule.Deadline
	if alt := d.Alt; alt != nil && alt.When.holds(&f) {
		d.Hours, d.Days, d.BusinessDays, d.Alt = alt.Hours, alt.Days, 0, nil
		o.Deadline = alt.Text
	}
	o.DueAt = d.due(start, e.rg.loc, e.holidays(), e.r.Organisation.SmallAgent)
	if start.IsZero() {
		if rule.Deadline.Clock == ClockNotice {
			o.Notes = append(o.Notes, "due with or after "+rule.Deadline.After+", which has no fixed deadline")
		} else {
			_, field := clockTime(e.r, rule.Deadline.Clock)
			o.Notes = append(o.Notes, "clock not started: "+field+" is not recorded")
		}
	}
	e.due[key] = o.DueAt
	return o
}

// exception is the text of the first of the regime's exceptions that
// holds, or "".
func (e *evaluation) exception(f *facts) string {
	for i := range e.rg.Exceptions {
		if e.rg.Exceptions[i].When.holds(f) {
			return e.rg.Exceptions[i].Text
		}
	}
	return ""
}

func (e *evaluation) holidays() *cal.BusinessCalendar { return builtCalendars()[e.rg.Holidays] }

func (e *evaluation) factsText(t target) string {
	s := thousands(t.subjects) + " affected in " + string(t.j)
	if e.rg.RiskBased {
		s += "; risk " + e.risk.Summary
	}
	return s
}

// thousands writes n with comma separators: 40,450,000.
func thousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// leadAuthority is the member state of the lead supervisory authority: the
// one the report names, or the organisation's own country when it is in the
// EU and the report says nothing of its EU presence. "" means no one-stop
// shop: every authority where affected people live.
func leadAuthority(r *report.Report) breach.Jurisdiction {
	o := r.Organisation
	switch {
	case o.EU != nil && o.EU.Establishment:
		return o.EU.LeadAuthorityCountry
	case o.EU == nil && report.IsEU(o.Country):
		return o.Country
	}
	return ""
}
