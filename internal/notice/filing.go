package notice

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"time"

	"breachflow/internal/breach"
	"breachflow/internal/email"
)

// Filing renders the filing for one regulator duty in the regulator's
// language (or the form's fallback language, with a note) and checks it for
// every element the duty requires. A missing element is a
// *MissingContentElement.
func Filing(c CaseFacts, d Duty) (email.Message, error) {
	f, err := formFor(d)
	if err != nil {
		return email.Message{}, err
	}
	want := strings.ToLower(d.Locale)
	if w, _, ok := strings.Cut(want, "-"); ok {
		want = w
	}
	lang := f.Languages[0]
	for _, l := range f.Languages {
		if l == want {
			lang = l
		}
	}
	lds, err := loadLocales()
	if err != nil {
		return email.Message{}, err
	}
	ld := lds[lang]
	loc := zoneFor(string(d.Jurisdiction))
	if d.Jurisdiction == "" || strings.EqualFold(string(d.Jurisdiction), "EU") {
		loc = time.UTC
	}
	var v view
	v.fillCase(&c, lang, ld, loc, scriptLanguage(c.Description+c.CauseDescription+strings.Join(c.MeasuresTaken, "")))
	v.fill(&c, string(d.Jurisdiction), breach.RecipientIndividuals)
	v.Need = make(map[string]bool, len(d.Elements))
	for _, e := range d.Elements {
		v.Need[string(e)] = true
	}
	// A regulator reads the responder's own words whatever their language.
	v.OriginalText = strings.TrimSpace(c.Description)
	v.Cause = c.CauseDescription
	v.Measures, v.PersonalHelp = c.MeasuresTaken, c.MeasuresForIndividuals
	v.Categories = namesOf(c.Categories, ld)
	v.CaseCategories = v.Categories
	v.IDExposed = idExposed(c.Categories)
	for _, k := range risksOf(c.Categories) {
		v.Consequences = append(v.Consequences, ld.Consequences[k])
		v.Advice = append(v.Advice, ld.Advice[k])
	}
	moment := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(loc).Format(ld.DateTime)
	}
	v.AwareAt, v.DiscoveredAt, v.FromAt, v.ToAt = moment(c.Aware), moment(c.Discovered), moment(c.OccurredFrom), moment(c.OccurredTo)
	v.DueAt = moment(d.DueAt)
	v.Recipient, v.Citation, v.Regime, v.Phase = d.RecipientName, d.Citation, d.Regime, d.Phase
	v.RegulatorLocale = d.Locale
	if ff := d.FirstFiling; ff != nil && !ff.SentAt.IsZero() {
		v.FirstFilingID, v.FirstFilingAt, v.FirstFilingRef = ff.ObligationID, moment(ff.SentAt), ff.Reference
	}
	v.LanguageNote = want != "" && want != lang
	v.Risk = c.Risk
	v.Late = !d.DueAt.IsZero() && c.NoticeDate.After(d.DueAt)
	n := d.Subjects
	if n == 0 {
		n = c.Affected
	}
	v.AffectedN = n
	v.Estimated = c.Estimated
	v.Subjects = formatCount(int64(n), ld.Thousands)
	v.Affected = formatCount(int64(c.Affected), ld.Thousands)
	if c.Records > 0 {
		v.Records = formatCount(c.Records, ld.Thousands)
	}
	for j, k := range c.ByJurisdiction {
		v.ByJurisdiction = append(v.ByJurisdiction, jurisdictionCount{string(j), formatCount(int64(k), ld.Thousands)})
	}
	sort.Slice(v.ByJurisdiction, func(a, b int) bool { return v.ByJurisdiction[a].Jurisdiction < v.ByJurisdiction[b].Jurisdiction })
	seen := map[string]bool{d.RecipientName: true}
	for _, o := range c.Duties {
		if o.Required && o.Kind == breach.RecipientRegulator && !seen[o.RecipientName] {
			seen[o.RecipientName] = true
			v.OtherAuthority = append(v.OtherAuthority, o.RecipientName+" ("+string(o.Jurisdiction)+")")
		}
		if o.Required && o.Kind == breach.RecipientIndividuals && applies(o.Jurisdiction, string(d.Jurisdiction)) && v.IndividualsDue == "" {
			v.IndividualsDue = moment(o.DueAt)
		}
	}

	dc := f.docs[lang]
	var sb strings.Builder
	if err := dc.subject.ExecuteTemplate(&sb, "subject", &v); err != nil {
		return email.Message{}, fmt.Errorf("render subject %s: %w", dc.name, err)
	}
	v.Title = email.Header(sb.String())
	var hb bytes.Buffer
	if err := dc.body.ExecuteTemplate(&hb, "body", &v); err != nil {
		return email.Message{}, fmt.Errorf("render filing %s: %w", dc.name, err)
	}
	html := hb.String()
	if err := Check("filing "+f.Form+"."+lang+" to "+d.RecipientName, html, d); err != nil {
		return email.Message{}, err
	}
	return email.Message{Subject: v.Title, HTML: html, Text: HTMLToText(html)}, nil
}

// FormFor names the filing form and language a duty gets; drafting uses it
// to name documents.
func FormFor(d Duty) (form string, err error) {
	f, err := formFor(d)
	if err != nil {
		return "", err
	}
	return f.Form, nil
}
