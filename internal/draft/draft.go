package draft

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"html"
	"slices"
	"sort"
	"strings"
	"time"

	"breachflow/internal/breach"
	"breachflow/internal/notice"
	"breachflow/internal/report"
	"breachflow/internal/rules"
	"breachflow/internal/sharedaddr"
	"breachflow/internal/sms"
)

// Kind says what a draft is.
type Kind string

// The kinds of draft.
const (
	KindFiling     Kind = "filing"     // a regulator filing, one per required regulator obligation
	KindNotice     Kind = "notice"     // a sample customer notice, rendered for a synthetic person
	KindSubstitute Kind = "substitute" // the website posting for people who cannot be reached
	KindSMS        Kind = "sms"        // the text message the SMS channel sends, with a sample link
)

// Draft is one drafted document. SHA256 covers every field but itself.
type Draft struct {
	ID            string   `json:"id" dynamodbav:"id"`
	Kind          Kind     `json:"kind" dynamodbav:"kind"`
	ObligationIDs []string `json:"obligation_ids" dynamodbav:"obligation_ids"`
	Locale        string   `json:"locale" dynamodbav:"locale"`
	// Jurisdiction is whose law shaped the document: the regulator's, or
	// the sample person's residence.
	Jurisdiction string `json:"jurisdiction" dynamodbav:"jurisdiction"`
	// Recipient is the regulator's name for a filing, empty otherwise.
	Recipient string `json:"recipient,omitempty" dynamodbav:"recipient,omitempty"`
	Subject   string `json:"subject" dynamodbav:"subject"`
	HTML      string `json:"html" dynamodbav:"html"`
	Text      string `json:"text" dynamodbav:"text"`
	SHA256    string `json:"sha256" dynamodbav:"sha256"`
}

// SamplePerson is the synthetic person sample notices are rendered for: a
// name that is plainly not a customer's, and the case's own categories.
const SamplePerson = "[Sample Name]"

// Build drafts a case: one filing per required regulator obligation (and
// per credit-agency or other-organisation obligation, on the generic form),
// one sample customer notice per locale and per jurisdiction whose people
// must be told, the substitute notice in every locale, and a public
// statement per media or public-notice obligation. Every document is
// checked for the elements its obligations require; the first that lacks
// one stops drafting with a *notice.MissingContentElement. at is the date
// the documents carry. The result is sorted by ID.
func Build(r *report.Report, a rules.Assessment, at time.Time) ([]Draft, error) {
	return BuildShared(r, a, at, nil)
}

// BuildShared is Build for a case whose scoping found addresses shared by
// people under several jurisdictions, as the fold summarised them (nil:
// none). Besides what Build drafts, it checks the one notice to such an
// address in every locale against every individuals duty of every
// holder's jurisdiction, and keeps the samples the summary's Plan lists
// (each combination in each of its jurisdictions' languages, and in each
// language and reader it is sent in), so the approval covers each notice
// the sender will write (its notice set renders no other combination; see
// notice.CaseFacts.Shared).
func BuildShared(r *report.Report, a rules.Assessment, at time.Time, shared *sharedaddr.Summary) ([]Draft, error) {
	f := Facts(r, a, at)
	plan := shared.Plan()
	f.Shared = plan.Combinations
	var out []Draft
	var individuals, public []notice.Duty
	for _, d := range f.Duties {
		switch d.Kind {
		case breach.RecipientRegulator, breach.RecipientCreditAgency, breach.RecipientOtherEntities:
			if d.Kind != breach.RecipientRegulator {
				// Agencies and other organisations get the catch-all
				// form; the regime's own form is for its regulator.
				d.Form = "generic"
			}
			fd, err := FilingDraft(f, d)
			if err != nil {
				return nil, err
			}
			out = append(out, fd)
		case breach.RecipientIndividuals:
			individuals = append(individuals, d)
		case breach.RecipientMedia, breach.RecipientPublicNotice:
			public = append(public, d)
		}
	}
	if len(individuals) > 0 {
		notices, err := buildNotices(f, individuals, plan)
		if err != nil {
			return nil, err
		}
		out = append(out, notices...)
	}
	if len(public) > 0 {
		posts, err := buildPublic(f, public)
		if err != nil {
			return nil, err
		}
		out = append(out, posts...)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// FilingDraft drafts the filing of one regulator duty d of case f, checked
// for d's elements and sealed: what Build drafts per filing, and what the
// stage run drafts for a staged duty when it falls due (d.FirstFiling
// then names the filing it follows up).
func FilingDraft(f notice.CaseFacts, d notice.Duty) (Draft, error) {
	m, err := notice.Filing(f, d)
	if err != nil {
		return Draft{}, fmt.Errorf("draft filing %s: %w", d.ID, err)
	}
	form, _ := notice.FormFor(d)
	return seal(Draft{
		ID: FilingID(d.ID), Kind: KindFiling, ObligationIDs: []string{d.ID},
		Locale: lang(m.HTML, form), Jurisdiction: string(d.Jurisdiction), Recipient: d.RecipientName,
		Subject: m.Subject, HTML: m.HTML, Text: m.Text,
	}), nil
}

// buildNotices checks the customer notice of every individuals duty in
// every locale (a Korean resident reading English still needs PIPA's
// rights), and keeps the samples a reviewer reads: each duty's
// jurisdiction in its own language, each locale for its home jurisdiction
// (or the largest one), and the substitute notice per locale.
func buildNotices(f notice.CaseFacts, duties []notice.Duty, plan sharedaddr.Plan) ([]Draft, error) {
	set, err := notice.NewNoticeSet(f)
	if err != nil {
		return nil, fmt.Errorf("draft notices: %w", err)
	}
	byJurisdiction := map[string][]string{}
	var order []string
	for _, d := range duties {
		j := string(d.Jurisdiction)
		if _, ok := byJurisdiction[j]; !ok {
			order = append(order, j)
		}
		byJurisdiction[j] = append(byJurisdiction[j], d.ID)
	}
	largest := order[0]
	for _, j := range order {
		if f.ByJurisdiction[breach.Jurisdiction(j)] > f.ByJurisdiction[breach.Jurisdiction(largest)] {
			largest = j
		}
	}
	for _, d := range duties {
		for _, l := range notice.Locales {
			m, err := set.Render(sample(l, string(d.Jurisdiction), f.Categories))
			if err != nil {
				return nil, fmt.Errorf("draft notice %s/%s: %w", l, d.Jurisdiction, err)
			}
			if err := notice.Check("notice "+l+" for "+string(d.Jurisdiction), m.HTML, d); err != nil {
				return nil, err
			}
		}
	}
	type pick struct{ locale, jurisdiction string }
	var picks []pick
	seen := map[pick]bool{}
	add := func(p pick) {
		if !seen[p] {
			seen[p] = true
			picks = append(picks, p)
		}
	}
	for _, j := range order {
		add(pick{notice.ResolveLocale("", j), j})
	}
	for _, l := range notice.Locales {
		home := largest
		for _, j := range order {
			if notice.ResolveLocale("", j) == l {
				home = j
				break
			}
		}
		add(pick{l, home})
	}
	var out []Draft
	for _, p := range picks {
		m, err := set.Render(sample(p.locale, p.jurisdiction, f.Categories))
		if err != nil {
			return nil, fmt.Errorf("draft notice %s/%s: %w", p.locale, p.jurisdiction, err)
		}
		out = append(out, seal(Draft{
			ID: "notice-" + p.locale + "-" + slug(p.jurisdiction), Kind: KindNotice, ObligationIDs: byJurisdiction[p.jurisdiction],
			Locale: p.locale, Jurisdiction: p.jurisdiction, Subject: m.Subject, HTML: m.HTML, Text: m.Text,
		}))
	}
	for _, l := range notice.Locales {
		m, err := set.Substitute(l, largest)
		if err != nil {
			return nil, fmt.Errorf("draft substitute %s: %w", l, err)
		}
		for _, d := range duties {
			if string(d.Jurisdiction) != largest {
				continue
			}
			if err := notice.Check("substitute "+l+" for "+largest, m.HTML, d); err != nil {
				return nil, err
			}
		}
		out = append(out, seal(Draft{
			ID: "substitute-" + l + "-" + slug(largest), Kind: KindSubstitute, ObligationIDs: byJurisdiction[largest],
			Locale: l, Jurisdiction: largest, Subject: m.Subject, HTML: m.HTML, Text: m.Text,
		}))
	}
	texts, err := buildTexts(f, duties, byJurisdiction[largest], largest)
	if err != nil {
		return nil, err
	}
	out = append(out, texts...)
	shared, err := buildShared(f, set, duties, plan)
	if err != nil {
		return nil, err
	}
	return append(out, shared...), nil
}

// buildTexts drafts the text message in every locale the notices are
// drafted in, as the SMS channel sends it (sms.Sample: the same texts, the
// organisation's name, sms.SampleLink where each person's own link goes),
// checked with sms.Check against every individuals duty and for length
// (sms.CheckLength). The send stage sends these drafts' text
// (Approved.Texts), so the approval covers each text sent; a changed SMS
// text changes the content hash.
//
// A PIPA possible leak changes what its readers are told (sms.Headline):
// while open, a possibility duty's readers get the possibility text
// ("sms-possibility-<jurisdiction>-<locale>", sms.SamplePossibility), and
// once ruled out, a closing duty's readers the closing text
// ("sms-closing-<jurisdiction>-<locale>", sms.SampleClosing), each checked
// against its duties; the first text is checked against the others.
func buildTexts(f notice.CaseFacts, duties []notice.Duty, ids []string, largest string) ([]Draft, error) {
	var first []notice.Duty
	type group struct {
		head         breach.Element
		jurisdiction string
		duties       []notice.Duty
	}
	var groups []*group
	special := map[string]bool{}
	for _, d := range duties {
		h := sms.Headline(d)
		if h == breach.ElementNature {
			first = append(first, d)
			continue
		}
		special[d.ID] = true
		j := strings.ToUpper(string(d.Jurisdiction))
		i := slices.IndexFunc(groups, func(g *group) bool { return g.head == h && g.jurisdiction == j })
		if i < 0 {
			groups = append(groups, &group{head: h, jurisdiction: j})
			i = len(groups) - 1
		}
		groups[i].duties = append(groups[i].duties, d)
	}
	var firstIDs []string
	for _, id := range ids {
		if !special[id] {
			firstIDs = append(firstIDs, id)
		}
	}
	var out []Draft
	for _, l := range notice.Locales {
		t, err := sms.Sample(f.Org.Name, l)
		if err != nil {
			return nil, fmt.Errorf("draft sms %s: %w", l, err)
		}
		d, err := textDraft("sms-"+l, "SMS ("+l+")", l, largest, firstIDs, t, first)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
		for _, g := range groups {
			name, sample := "closing", sms.SampleClosing
			if g.head == breach.ElementLeakPossibility {
				name, sample = "possibility", sms.SamplePossibility
			}
			t, err := sample(f.Org.Name, l)
			if err != nil {
				return nil, fmt.Errorf("draft sms %s %s: %w", name, l, err)
			}
			var gids []string
			for _, gd := range g.duties {
				gids = append(gids, gd.ID)
			}
			d, err := textDraft("sms-"+name+"-"+slug(g.jurisdiction)+"-"+l, "SMS "+name+" ("+l+", "+g.jurisdiction+")", l, g.jurisdiction, gids, t, g.duties)
			if err != nil {
				return nil, err
			}
			out = append(out, d)
		}
	}
	return out, nil
}

// textDraft seals text t in locale l as draft id, after checking it with
// sms.Check against each of duties and for length in l's language.
func textDraft(id, subject, l, jurisdiction string, ids []string, t sms.Text, duties []notice.Duty) (Draft, error) {
	for _, d := range duties {
		if err := sms.Check(id+" for "+string(d.Jurisdiction), t, d); err != nil {
			return Draft{}, err
		}
	}
	body := t.String()
	if _, err := sms.CheckLength("draft "+id, body, l); err != nil {
		return Draft{}, err
	}
	return seal(Draft{
		ID: id, Kind: KindSMS, ObligationIDs: ids, Locale: l, Jurisdiction: jurisdiction,
		Subject: subject,
		HTML:    `<html lang="` + l + `"><body><pre>` + html.EscapeString(body) + `</pre></body></html>`,
		Text:    body,
	}), nil
}

// buildPublic drafts the public statement for each media or public-notice
// duty (HIPAA's media notice, CIUPA's posting): the substitute notice in
// the jurisdiction's language, checked for the duty's elements.
func buildPublic(f notice.CaseFacts, duties []notice.Duty) ([]Draft, error) {
	set, err := notice.NewNoticeSet(f)
	if err != nil {
		return nil, fmt.Errorf("draft public notices: %w", err)
	}
	var out []Draft
	for _, d := range duties {
		j := string(d.Jurisdiction)
		l := notice.ResolveLocale(d.Locale, j)
		m, err := set.Substitute(l, j)
		if err != nil {
			return nil, fmt.Errorf("draft public notice %s: %w", d.ID, err)
		}
		if err := notice.Check("public notice "+l+" for "+d.ID, m.HTML, d); err != nil {
			return nil, err
		}
		out = append(out, seal(Draft{
			ID: "public-" + slug(d.ID), Kind: KindSubstitute, ObligationIDs: []string{d.ID},
			Locale: l, Jurisdiction: j, Recipient: d.RecipientName, Subject: m.Subject, HTML: m.HTML, Text: m.Text,
		}))
	}
	return out, nil
}

func sample(locale, jurisdiction string, cats []breach.Category) notice.Recipient {
	return notice.Recipient{UserID: "sample", Name: SamplePerson, Locale: locale, Jurisdiction: jurisdiction, Categories: cats}
}

// lang reads the document's language from its <html lang> attribute.
func lang(html, fallback string) string {
	const attr = `<html lang="`
	i := strings.Index(html, attr)
	if i < 0 {
		return fallback
	}
	rest := html[i+len(attr):]
	if j := strings.IndexByte(rest, '"'); j >= 0 {
		return rest[:j]
	}
	return fallback
}

// FilingID is the id drafting gives the filing of an obligation, which is
// also its ledger key and SES tag.
func FilingID(obligationID string) string { return "filing-" + slug(obligationID) }

// slug makes an id safe for a sort key and a file name.
func slug(s string) string {
	s = strings.ToLower(s)
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' {
			return r
		}
		return '-'
	}, s)
}

// seal sets d.SHA256.
func seal(d Draft) Draft {
	d.SHA256 = Sum(d)
	return d
}

// Sum is the SHA-256 of a draft's content: every field except SHA256, each
// length-prefixed (so no two different drafts encode alike), obligation ids
// sorted. Hex encoded.
func Sum(d Draft) string {
	h := sha256.New()
	ids := append([]string(nil), d.ObligationIDs...)
	sort.Strings(ids)
	fields := []string{"breachflow-draft-v1", d.ID, string(d.Kind), d.Locale, d.Jurisdiction, d.Recipient, strings.Join(ids, "\x00"), d.Subject, d.HTML, d.Text}
	var n [8]byte
	for _, s := range fields {
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// ContentHash is the hash an approval binds to: the SHA-256 of the lines
// "<id> <sha256>\n" of every draft, sorted by id, after a version line. The
// order drafts are given in does not matter; any change to any draft, or a
// draft added or removed, changes it. Each draft's own SHA256 is recomputed,
// so a draft edited without resealing changes the hash too.
func ContentHash(drafts []Draft) string {
	lines := make([]string, len(drafts))
	for i, d := range drafts {
		lines[i] = d.ID + " " + Sum(d) + "\n"
	}
	sort.Strings(lines)
	h := sha256.New()
	h.Write([]byte("breachflow-drafts-v1\n"))
	for _, l := range lines {
		h.Write([]byte(l))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// UnverifiedContacts returns the contact details of other bodies that any of
// ds prints and that are marked UNVERIFIED (notice.AgencyContacts), for the
// approvers to check.
func UnverifiedContacts(ds []Draft) []notice.AgencyContact {
	docs := make([]string, 0, 2*len(ds))
	for _, d := range ds {
		docs = append(docs, d.HTML, d.Text)
	}
	return notice.UnverifiedContacts(docs...)
}
