package draft

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"html"
	"slices"
	"strings"
	"sync"
	"time"

	"breachflow/internal/breach"
	"breachflow/internal/cases"
	"breachflow/internal/casetable"
	"breachflow/internal/email"
	"breachflow/internal/ledger"
	"breachflow/internal/notice"
	"breachflow/internal/sms"
)

//go:embed followups.json
var followupsJSON []byte

type followupRule struct {
	Jurisdictions []string `json:"jurisdictions"`
	Citation      string   `json:"citation"`
	Verified      bool     `json:"verified"`
}

type followupText struct {
	Subject string `json:"subject"`
	Intro   string `json:"intro"`
}

var followups = sync.OnceValues(func() (struct {
	Rules []followupRule          `json:"rules"`
	Text  map[string]followupText `json:"text"`
}, error) {
	var doc struct {
		Rules []followupRule          `json:"rules"`
		Text  map[string]followupText `json:"text"`
	}
	if err := json.Unmarshal(followupsJSON, &doc); err != nil {
		return doc, fmt.Errorf("followups.json: %w", err)
	}
	if len(doc.Rules) == 0 || len(doc.Rules[len(doc.Rules)-1].Jurisdictions) != 0 || doc.Text["en"].Subject == "" {
		return doc, fmt.Errorf("followups.json: needs a default rule last and English text")
	}
	return doc, nil
})

// FollowupCitation is what a follow-up filing to a regulator of
// jurisdiction j cites; UNVERIFIED where research has not confirmed it.
func FollowupCitation(j string) (string, error) {
	doc, err := followups()
	if err != nil {
		return "", err
	}
	country, _, _ := strings.Cut(j, "-")
	for _, r := range doc.Rules {
		if len(r.Jurisdictions) == 0 || slices.Contains(r.Jurisdictions, j) || slices.Contains(r.Jurisdictions, country) {
			if !r.Verified {
				return r.Citation + " [UNVERIFIED]", nil
			}
			return r.Citation, nil
		}
	}
	return "", fmt.Errorf("followups.json: no rule for %s", j)
}

// FirstFilings lists the filings of a case that were sent (ledger) before
// the moment drafts were made, by draft id: what earlier versions filed.
// Filings the drafts themselves led to are sent later, so drafting again
// as of the same moment (the send stage's check) finds the same ones.
func FirstFilings(ctx context.Context, db ledger.Querier, table, caseID string, before time.Time) (map[string]ledger.FilingRecord, error) {
	recs, err := ledger.Filings(ctx, db, table, caseID)
	if err != nil {
		return nil, err
	}
	out := map[string]ledger.FilingRecord{}
	for _, r := range recs {
		if !r.SentAt.IsZero() && r.SentAt.Before(before) {
			out[r.ObligationID] = r
		}
	}
	return out, nil
}

// AsFollowups turns the filings of report version v to regulators
// already filed (first, by draft id) into follow-ups: each gets an id of
// its own (so the ledger sends it once, beside the first), a subject and
// an opening paragraph that name the first filing (its date and message
// reference) and cite the rule for follow-up information, then the full
// filing as drafted for v. Filings to regulators new to the case stay
// initial filings. The documents are sealed again.
func AsFollowups(ds []Draft, v int, first map[string]ledger.FilingRecord) ([]Draft, error) {
	if v <= 1 || len(first) == 0 {
		return ds, nil
	}
	doc, err := followups()
	if err != nil {
		return nil, err
	}
	for i, d := range ds {
		if d.Kind != KindFiling {
			continue
		}
		rec, ok := first[d.ID]
		if !ok {
			continue
		}
		cite, err := FollowupCitation(d.Jurisdiction)
		if err != nil {
			return nil, err
		}
		txt, ok := doc.Text[d.Locale]
		if !ok {
			lang, _, _ := strings.Cut(d.Locale, "-")
			if txt, ok = doc.Text[lang]; !ok {
				txt = doc.Text["en"]
			}
		}
		date := rec.SentAt.UTC().Format(time.DateOnly)
		intro := fmt.Sprintf(txt.Intro, date, rec.MessageID, v, cite)
		d.ID = fmt.Sprintf("%s-v%d", d.ID, v)
		d.Subject = fmt.Sprintf(txt.Subject, date, d.Subject)
		d.Text = intro + "\n\n" + d.Text
		para := "<p><strong>" + html.EscapeString(intro) + "</strong></p>"
		if j := strings.Index(d.HTML, "<body"); j >= 0 && strings.IndexByte(d.HTML[j:], '>') >= 0 {
			k := j + strings.IndexByte(d.HTML[j:], '>') + 1
			d.HTML = d.HTML[:k] + para + d.HTML[k:]
		} else {
			d.HTML = para + d.HTML
		}
		d.SHA256 = Sum(d)
		ds[i] = d
	}
	return ds, nil
}

// followupsFor applies AsFollowups for the version whose subject set is
// set (casetable.SetID), reading the first filings from the ledger, and
// adds the update notices of that version (WithUpdates) when an earlier
// version's notices went out (reports, when it is the case store, says).
func followupsFor(ctx context.Context, db DB, table, caseID, set string, ds []Draft, at time.Time, reports Reports, f notice.CaseFacts) ([]Draft, error) {
	_, v := casetable.CaseOfSet(set)
	if v <= 1 {
		return ds, nil
	}
	first, err := FirstFilings(ctx, db, table, caseID, at)
	if err != nil {
		return nil, err
	}
	if ds, err = AsFollowups(ds, v, first); err != nil {
		return nil, err
	}
	if cr, ok := reports.(caseReader); ok {
		c, err := cr.Get(ctx, caseID)
		if err != nil {
			return nil, err
		}
		var since time.Time
		for _, sv := range c.SentVersions {
			if t := c.SentAt[fmt.Sprint(sv)]; sv < v && t.After(since) {
				since = t
			}
		}
		if !since.IsZero() {
			if ds, err = WithUpdates(ds, v, since); err != nil {
				return nil, err
			}
			return WithTextUpdates(ds, f)
		}
	}
	return ds, nil
}

// caseReader reads the case record (cases.Store).
type caseReader interface {
	Get(ctx context.Context, caseID string) (cases.Case, error)
}

// WithUpdates adds, for report version v, the update notice beside each
// sample customer notice: what a person an earlier version notified gets
// when v changes what they must know (package delta). It is the sample
// notice opened as an update of one sent at since (notice.AsUpdate), so
// the approvers read, and the approval binds, the update's wording too. A
// closing notice is not an update of anything (notice.AsUpdate leaves it
// as it is): it gets no second draft.
func WithUpdates(ds []Draft, v int, since time.Time) ([]Draft, error) {
	out := ds
	for _, d := range ds {
		if d.Kind != KindNotice || notice.Closing(d.HTML) {
			continue
		}
		m, err := notice.AsUpdate(email.Message{Subject: d.Subject, HTML: d.HTML, Text: d.Text}, d.Locale, d.Jurisdiction, since)
		if err != nil {
			return nil, err
		}
		u := d
		u.ID = fmt.Sprintf("%s-update-v%d", d.ID, v)
		u.Subject, u.HTML, u.Text = m.Subject, m.HTML, m.Text
		u.SHA256 = Sum(u)
		out = append(out, u)
	}
	return out, nil
}

// WithTextUpdates adds, beside each first text message ("sms-<locale>"),
// the update text ("sms-update-<locale>", sms.SampleUpdate) that a person
// an earlier version reached gets by SMS when this version changes what
// they must know (package delta): it names the date of their earlier
// notice and links to the full, current one. The draft holds
// sms.SampleDate where each person's own date goes and sms.SampleLink
// where their link goes; the send stage fills in both (sms.Channel), so
// the approvers read what is sent but for those two. Checked as the first
// text is, with sms.Check against the individuals duties it serves and for
// length.
func WithTextUpdates(ds []Draft, f notice.CaseFacts) ([]Draft, error) {
	var duties []notice.Duty
	for _, d := range f.Duties {
		if d.Kind == breach.RecipientIndividuals && sms.Headline(d) == breach.ElementNature {
			duties = append(duties, d)
		}
	}
	out := ds
	for _, d := range ds {
		if d.Kind != KindSMS || d.ID != "sms-"+d.Locale {
			continue
		}
		t, err := sms.SampleUpdate(f.Org.Name, d.Locale)
		if err != nil {
			return nil, fmt.Errorf("draft sms update %s: %w", d.Locale, err)
		}
		u, err := textDraft("sms-update-"+d.Locale, "SMS update ("+d.Locale+"): the date and link are each person's own", d.Locale, d.Jurisdiction, d.ObligationIDs, t, duties)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}
