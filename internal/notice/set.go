package notice

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"time"

	"breachflow/internal/breach"
	"breachflow/internal/email"
)

// NoticeSet is the compiled customer notice of one case in every locale.
// Build it once per case (or per Lambda invocation) with NewNoticeSet and
// call Render for each person; Render is safe for concurrent use.
type NoticeSet struct {
	facts    CaseFacts
	shared   map[string]bool // approved combinations (CaseFacts.Shared)
	textLang string
	locales  map[string]*localeData
	docs     map[string]*doc
	bases    sync.Map // locale + "|" + jurisdiction -> *base
}

// base is everything about a notice that does not depend on the person:
// computed once per (locale, jurisdiction) and copied per render.
type base struct {
	v       view
	subject string
	doc     *doc
	ld      *localeData

	words    localWords
	skels    [4]*skeleton // by hasName*2 + own
	skelOnce [4]sync.Once
}

// NewNoticeSet compiles the customer notices of a case. It fails if a
// template or locale file is broken or the facts lack what every notice
// needs (the organisation's name and a contact point).
func NewNoticeSet(c CaseFacts) (*NoticeSet, error) {
	if strings.TrimSpace(c.Org.Name) == "" {
		return nil, fmt.Errorf("notice set: organisation name is empty")
	}
	if c.Org.Contact.Email == "" && c.Org.Contact.Phone == "" && c.Org.Website == "" {
		return nil, fmt.Errorf("notice set: organisation has no contact email, phone or website")
	}
	lds, err := loadLocales()
	if err != nil {
		return nil, err
	}
	docs, err := noticeDocs()
	if err != nil {
		return nil, err
	}
	shared := make(map[string]bool, len(c.Shared))
	for _, k := range c.Shared {
		if k = Combination(Members(k)...); k != "" {
			shared[k] = true
		}
	}
	return &NoticeSet{facts: c, shared: shared, textLang: scriptLanguage(c.Description + c.CauseDescription + strings.Join(c.MeasuresTaken, "")),
		locales: lds, docs: docs}, nil
}

// Render writes the notice for one person in their language, listing
// their own exposed data. The subject holds no CR or LF. For a person whose
// address others share (r.Holders) it writes the one notice for all of
// them, and fails with *UnapprovedCombination if drafting did not draft
// their combination of jurisdictions.
func (s *NoticeSet) Render(r Recipient) (email.Message, error) {
	m, err := s.render(r)
	if err != nil || r.UpdateOf.IsZero() {
		return m, err
	}
	return AsUpdate(m, ResolveLocale(r.Locale, r.Jurisdiction), r.Jurisdiction, r.UpdateOf)
}

// AsUpdate opens m as an update of the notice sent at of, in the notice's
// language: the subject says it is an update, and a first paragraph names
// the earlier notice's date (in the reader's time zone) before the full,
// current notice.
//
// A closing notice (Closing: a possible leak ruled out, PIPA Decree Art.
// 39-3(3)) is returned as it is. It goes only to people told of the
// possibility, so it always follows an earlier notice, and it says so
// itself ("we told you ... might have leaked"); wrapped as an update its
// subject would read "Update: ... not leaked" and its first paragraph
// would claim that more of the reader's data was involved.
func AsUpdate(m email.Message, locale, jurisdiction string, of time.Time) (email.Message, error) {
	if Closing(m.HTML) {
		return m, nil
	}
	all, err := loadLocales()
	if err != nil {
		return m, err
	}
	ld := localeOf(all, locale)
	intro := fmt.Sprintf(ld.UpdateIntro, of.In(zoneFor(jurisdiction)).Format(ld.Date))
	m.Subject = fmt.Sprintf(ld.UpdateSubject, m.Subject)
	m.Text = intro + "\n\n" + m.Text
	para := "<p><strong>" + htmlEscaper.Replace(intro) + "</strong></p>"
	if j := strings.Index(m.HTML, "<body"); j >= 0 && strings.IndexByte(m.HTML[j:], '>') >= 0 {
		k := j + strings.IndexByte(m.HTML[j:], '>') + 1
		m.HTML = m.HTML[:k] + para + m.HTML[k:]
	} else {
		m.HTML = para + m.HTML
	}
	return m, nil
}

// Closing reports whether a rendered notice is the closing notice of a
// possible leak that was ruled out (its "ruled_out" section; PIPA Decree
// Art. 39-3(3)). The closing notice's wording is UNVERIFIED beyond "tell
// the data subjects" (rules/regimes/kr-pipa.yaml).
func Closing(rendered string) bool {
	return Elements(rendered)[breach.ElementRuledOut]
}

// localeOf is locale's words: the exact tag, then its language, then
// English.
func localeOf(all map[string]*localeData, locale string) *localeData {
	lang, _, _ := strings.Cut(locale, "-")
	if ld := all[locale]; ld != nil {
		return ld
	}
	if ld := all[lang]; ld != nil {
		return ld
	}
	return all["en"]
}

// FormatDate writes the day of t as locale's notices write dates (the
// locale's "date" layout; English when the locale has none), in
// jurisdiction's time zone: the date an update notice names, which the SMS
// channel's update text names the same way.
func FormatDate(locale, jurisdiction string, t time.Time) (string, error) {
	all, err := loadLocales()
	if err != nil {
		return "", err
	}
	return t.In(zoneFor(jurisdiction)).Format(localeOf(all, locale).Date), nil
}

func (s *NoticeSet) render(r Recipient) (email.Message, error) {
	l := ResolveLocale(r.Locale, r.Jurisdiction)
	combo := ""
	if len(r.Holders) > 0 {
		combo = Combination(append([]string{r.Jurisdiction}, r.Holders...)...)
		if combo != "" && !s.shared[combo] {
			return email.Message{}, &UnapprovedCombination{Combination: combo}
		}
	}
	b, err := s.base(l, r.Jurisdiction, combo)
	if err != nil {
		return email.Message{}, err
	}
	name := email.Name(r.Name)
	own, cats := s.categoriesOf(r)
	set := categorySet(cats)
	if k := b.skeleton(name != "", own); k != nil && set != 0 {
		p := b.person(name, set)
		html, text := k.render(&p)
		return email.Message{Subject: b.subject, HTML: html, Text: text}, nil
	}
	return b.renderSlow(name, own, cats)
}

// categoriesOf returns the data a notice lists: the person's own (own is
// true), or the case's when scoping recorded none of the person's (or only
// unknown ones), worded as what "may" have been involved. A notice to a
// shared address lists every holder's data, which is not all the reader's,
// so it too is worded as what "may" have been involved.
func (s *NoticeSet) categoriesOf(r Recipient) (own bool, cats []breach.Category) {
	if categorySet(r.Categories) != 0 {
		return len(r.Holders) == 0, r.Categories
	}
	return false, s.facts.Categories
}

// renderSlow executes the templates for one person: the reference the fast
// path is checked against, and the path for shapes it does not cover.
func (b *base) renderSlow(name string, own bool, cats []breach.Category) (email.Message, error) {
	v := b.v
	v.Name = name
	v.Own = own
	v.Categories = namesOf(cats, b.ld)
	v.IDExposed = idExposed(cats)
	risks := risksOf(cats)
	v.Consequences = make([]string, len(risks))
	v.Advice = make([]string, len(risks))
	for i, k := range risks {
		v.Consequences[i], v.Advice[i] = b.ld.Consequences[k], b.ld.Advice[k]
	}
	buf := bufPool.Get().(*bytes.Buffer)
	defer putBuf(buf)
	if err := b.doc.body.ExecuteTemplate(buf, "body", &v); err != nil {
		return email.Message{}, fmt.Errorf("render notice %s: %w", b.doc.name, err)
	}
	html := buf.String()
	return email.Message{Subject: b.subject, HTML: html, Text: HTMLToText(html)}, nil
}

// base returns the person-independent part of a notice in locale l for a
// reader in jurisdiction, written for every jurisdiction of combo too
// when it is not "" (an approved Combination key).
func (s *NoticeSet) base(l, jurisdiction, combo string) (*base, error) {
	// Unparseable jurisdictions share one base, so odd input cannot grow
	// the cache without bound.
	j, err := breach.ParseJurisdiction(jurisdiction)
	if err != nil {
		j = ""
	}
	jurisdiction = string(j)
	key := l + "|" + jurisdiction
	if combo != "" {
		key += "|" + combo
	}
	if b, ok := s.bases.Load(key); ok {
		return b.(*base), nil
	}
	b := &base{doc: s.docs[l], ld: s.locales[l]}
	b.v.fillCase(&s.facts, l, b.ld, zoneFor(jurisdiction), s.textLang)
	if combo != "" {
		b.v.fillAll(&s.facts, Members(combo), breach.RecipientIndividuals)
	} else {
		b.v.fill(&s.facts, jurisdiction, breach.RecipientIndividuals)
	}
	var sb strings.Builder
	if err := b.doc.subject.ExecuteTemplate(&sb, "subject", &b.v); err != nil {
		return nil, fmt.Errorf("render subject %s: %w", b.doc.name, err)
	}
	b.subject = email.Header(sb.String())
	b.v.Title = b.subject
	b.words = wordsFor(b.ld)
	got, _ := s.bases.LoadOrStore(key, b)
	return got.(*base), nil
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func putBuf(b *bytes.Buffer) {
	if b.Cap() > 1<<20 {
		return
	}
	b.Reset()
	bufPool.Put(b)
}

// Substitute renders the substitute notice in locale for people of
// jurisdiction who cannot be reached: a posting for the organisation's
// website (PIPA Decree 39(3): at least 30 days) that lists every category
// of the case.
func (s *NoticeSet) Substitute(locale, jurisdiction string) (email.Message, error) {
	l := ResolveLocale(locale, jurisdiction)
	b, err := s.base(l, jurisdiction, "")
	if err != nil {
		return email.Message{}, err
	}
	v := b.v
	v.Substitute = true
	v.Categories = namesOf(s.facts.Categories, b.ld)
	v.IDExposed = idExposed(s.facts.Categories)
	for _, k := range risksOf(s.facts.Categories) {
		v.Consequences = append(v.Consequences, b.ld.Consequences[k])
		v.Advice = append(v.Advice, b.ld.Advice[k])
	}
	var sb strings.Builder
	if err := b.doc.subject.ExecuteTemplate(&sb, "subject", &v); err != nil {
		return email.Message{}, fmt.Errorf("render subject %s: %w", b.doc.name, err)
	}
	v.Title = email.Header(sb.String())
	var hb strings.Builder
	if err := b.doc.body.ExecuteTemplate(&hb, "body", &v); err != nil {
		return email.Message{}, fmt.Errorf("render substitute %s: %w", b.doc.name, err)
	}
	return email.Message{Subject: v.Title, HTML: hb.String(), Text: HTMLToText(hb.String())}, nil
}
