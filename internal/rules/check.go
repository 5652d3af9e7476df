package rules

import (
	"fmt"
	"slices"
	"time"
)

var ruleIDPattern = func(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
			return false
		}
	}
	return true
}

// needsKnown are the report fields a regime may list under needs.
var needsKnown = []string{
	"timeline.determined", "timeline.materiality_determined", "timeline.extortion_paid",
	"organisation.dpo", "organisation.eu", "organisation.sector.au_app_entity",
}

// check validates a regime file's content beyond its shape.
func (rg *Regime) check() error {
	if !ruleIDPattern(rg.ID) {
		return fmt.Errorf("id %q: want lower-case letters, digits and dashes", rg.ID)
	}
	if rg.Name == "" || rg.Citation == "" || rg.Language == "" {
		return fmt.Errorf("%s: name, citation and language are required", rg.ID)
	}
	if len(rg.Jurisdictions) == 0 {
		return fmt.Errorf("%s: jurisdictions required", rg.ID)
	}
	switch rg.Follows {
	case "", "residence":
	case "organisation":
		if rg.Sector == "" {
			return fmt.Errorf("%s: a regime that follows the organisation needs a sector flag", rg.ID)
		}
	default:
		return fmt.Errorf("%s: follows %q: want residence or organisation", rg.ID, rg.Follows)
	}
	if rg.Reach != "" && rg.Reach != "establishment" {
		return fmt.Errorf("%s: reach %q: want establishment or nothing", rg.ID, rg.Reach)
	}
	if rg.Sector != "" && sectors[rg.Sector] == nil {
		return fmt.Errorf("%s: unknown sector %q", rg.ID, rg.Sector)
	}
	if rg.EffectiveFrom.IsZero() {
		return fmt.Errorf("%s: effective_from required", rg.ID)
	}
	switch rg.BeforeEffective {
	case "not_in_force", "not_modelled":
	default:
		return fmt.Errorf("%s: before_effective must be not_in_force or not_modelled", rg.ID)
	}
	if !rg.Verification.valid() {
		return fmt.Errorf("%s: verification %q: want V, S or UNVERIFIED", rg.ID, rg.Verification)
	}
	loc, err := time.LoadLocation(rg.TimeZone)
	if err != nil || rg.TimeZone == "" {
		return fmt.Errorf("%s: time_zone %q: %v", rg.ID, rg.TimeZone, err)
	}
	rg.loc = loc
	if _, err := holidayCalendar(rg.Holidays); err != nil {
		return fmt.Errorf("%s: %w", rg.ID, err)
	}
	if !rg.Trigger.empty() && rg.TriggerText == "" || !rg.Exempt.empty() && rg.ExemptText == "" {
		return fmt.Errorf("%s: trigger and exempt need trigger_text and exempt_text", rg.ID)
	}
	if err := rg.Trigger.check(rg.ID + ".trigger"); err != nil {
		return err
	}
	if err := rg.Exempt.check(rg.ID + ".exempt"); err != nil {
		return err
	}
	for i, x := range rg.Exceptions {
		if x.When.empty() || x.Text == "" {
			return fmt.Errorf("%s: exceptions[%d]: when and text required", rg.ID, i)
		}
		if err := x.When.check(fmt.Sprintf("%s.exceptions[%d].when", rg.ID, i)); err != nil {
			return err
		}
	}
	for _, n := range rg.Needs {
		if !slices.Contains(needsKnown, n) {
			return fmt.Errorf("%s: needs %q: not a field the rulebook can require", rg.ID, n)
		}
	}
	for i, e := range rg.Escalate {
		if err := e.When.check(fmt.Sprintf("%s.escalate[%d].when", rg.ID, i)); err != nil {
			return err
		}
	}
	for c, a := range rg.Authorities {
		if a.Name == "" || a.Language == "" || a.Channel == "" {
			return fmt.Errorf("%s: authority %s: name, language and channel required", rg.ID, c)
		}
	}
	if len(rg.Obligations) == 0 {
		return fmt.Errorf("%s: no obligations", rg.ID)
	}
	seen := map[string]bool{}
	for i := range rg.Obligations {
		r := &rg.Obligations[i]
		if err := rg.checkRule(r, seen); err != nil {
			return fmt.Errorf("%s: %s: %w", rg.ID, r.ID, err)
		}
		seen[r.ID] = true
	}
	return nil
}

func (rg *Regime) checkRule(r *Rule, earlier map[string]bool) error {
	if !ruleIDPattern(r.ID) {
		return fmt.Errorf("bad id")
	}
	if earlier[r.ID] && r.From.IsZero() {
		return fmt.Errorf("a second version of a rule needs from")
	}
	if !r.RecipientKind.Valid() {
		return fmt.Errorf("recipient_kind %q unknown", r.RecipientKind)
	}
	if r.RecipientName == "" && r.Authority == "" {
		return fmt.Errorf("recipient_name required")
	}
	if r.Channel == "" && r.Authority == "" {
		return fmt.Errorf("channel required")
	}
	if r.Citation == "" || r.WhenText == "" || r.Deadline.Text == "" {
		return fmt.Errorf("citation, when_text and deadline.text required")
	}
	if !r.Verification.valid() {
		return fmt.Errorf("verification %q: want V, S or UNVERIFIED", r.Verification)
	}
	switch r.Authority {
	case "":
	case "lead_or_each":
		if len(rg.Authorities) == 0 {
			return fmt.Errorf("authority lead_or_each needs the regime's authorities table")
		}
	default:
		return fmt.Errorf("authority %q unknown", r.Authority)
	}
	if !r.Unless.empty() && r.UnlessText == "" {
		return fmt.Errorf("unless needs unless_text")
	}
	if err := r.When.check("when"); err != nil {
		return err
	}
	if err := r.Unless.check("unless"); err != nil {
		return err
	}
	d := r.Deadline
	if !d.Clock.valid() {
		return fmt.Errorf("deadline.clock %q unknown", d.Clock)
	}
	set := 0
	for _, n := range []int{d.Hours, d.Days, d.BusinessDays} {
		if n < 0 {
			return fmt.Errorf("negative deadline")
		}
		if n > 0 {
			set++
		}
	}
	if set > 1 {
		return fmt.Errorf("deadline: at most one of hours, days, business_days")
	}
	if a := d.Alt; a != nil {
		if a.Text == "" || (a.Hours > 0) == (a.Days > 0) {
			return fmt.Errorf("deadline.alt: text and exactly one of hours, days required")
		}
		if err := a.When.check("deadline.alt.when"); err != nil {
			return err
		}
	}
	if d.BusinessDays > 0 && rg.Holidays == "" {
		return fmt.Errorf("business days need the regime's holidays calendar")
	}
	if (d.Clock == ClockNotice) != (d.After != "") {
		return fmt.Errorf("deadline: clock individual_notice and after go together")
	}
	if d.After != "" && !earlier[d.After] {
		return fmt.Errorf("deadline.after %q: not an earlier rule of this regime", d.After)
	}
	if d.Immediate && (set > 0 || d.Clock == ClockNotice) {
		return fmt.Errorf("deadline: immediate takes no hours, days or business_days")
	}
	if r.StageOf != "" && (r.StageOf == r.ID || !slices.ContainsFunc(rg.Obligations, func(x Rule) bool { return x.ID == r.StageOf })) {
		return fmt.Errorf("stage_of %q: not another rule of this regime", r.StageOf)
	}
	if len(r.Elements) == 0 {
		return fmt.Errorf("elements required")
	}
	for _, e := range r.Elements {
		if !e.Valid() {
			return fmt.Errorf("element %q unknown", e)
		}
	}
	if !r.To.IsZero() && !r.To.After(r.From.Time) {
		return fmt.Errorf("to must be after from")
	}
	return nil
}

func (v Verification) valid() bool { return v == Verified || v == Secondary || v == Unverified }
