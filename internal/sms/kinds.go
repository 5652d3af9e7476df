package sms

import (
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"breachflow/internal/breach"
	"breachflow/internal/casetable"
	"breachflow/internal/notice"
)

// The texts a person can get. Besides the first text (Compose), a person
// an earlier version of the report already reached gets the update text
// (casetable.Subject.NoticeKind "update", package delta): it names the
// date of their earlier notice and links to the full, current one, as the
// update e-mail opens with that date (notice.AsUpdate).
//
// Two texts replace those for the readers of a law with PIPA's possible
// leak (PIPA Art. 34(2); a duty requiring "leak_possibility" or
// "ruled_out", Headline), as their notices are replaced: while a leak is
// only possible, the possibility text (their data may have leaked; Decree
// Art. 39-2), and once it is ruled out, the closing text (it did not
// leak; Decree Art. 39-3(3), wording UNVERIFIED as the closing notice's
// is). Each links to the person's notice of that kind.
//
// The approved texts (Channel.Approved, draft.Approved.Texts) hold each
// under its key: the language for the first text, UpdateKey, ClosingKey
// and PossibilityKey for the others. The update text the approvers read carries SampleDate
// where each person's own date goes, as every text carries SampleLink
// where their own link goes; the send stage replaces both.

// textUpdate is the update wording's key in texts.json. It carries the
// nature of the notice (that a breach of the person's data happened and
// this updates the notice about it), so its part is ElementNature.
const textUpdate breach.Element = "update"

// UpdateKey is the key of lang's update text among the approved texts.
func UpdateKey(lang string) string { return "update:" + lang }

// ClosingKey is the key of lang's closing text for readers of
// jurisdiction (the closing duty's: a reader of "KR-11" reads "KR"'s)
// among the approved texts.
func ClosingKey(jurisdiction, lang string) string {
	return "closing:" + strings.ToUpper(jurisdiction) + ":" + lang
}

// PossibilityKey is the key of lang's possibility text for readers of
// jurisdiction (the possibility duty's) among the approved texts.
func PossibilityKey(jurisdiction, lang string) string {
	return "possibility:" + strings.ToUpper(jurisdiction) + ":" + lang
}

// Headline is what a text with a link must say for duty d besides who
// writes: what the notice behind the link is about. That nothing leaked
// for the closing notice of a possible leak ruled out (a duty requiring
// "ruled_out"), that a leak is possible for the possibility notice (one
// requiring "leak_possibility"), and otherwise that a breach happened
// ("nature").
func Headline(d notice.Duty) breach.Element {
	for _, e := range d.Elements {
		if e == breach.ElementRuledOut || e == breach.ElementLeakPossibility {
			return e
		}
	}
	return breach.ElementNature
}

// textLang is the language of the texts a person of locale gets: its base
// language when texts.json has it, else English.
func textLang(locale string) string {
	lang, _, _ := strings.Cut(locale, "-")
	lang = strings.ToLower(lang)
	if _, ok := texts[lang]; ok {
		return lang
	}
	return "en"
}

// compose writes lang's text whose second part is head (nature, update or
// ruled_out), as part element, with date in place of {date}.
func (c *Channel) compose(locale, link string, head, element breach.Element, date string) (Text, error) {
	lang := textLang(locale)
	m := texts[lang]
	org, ok := m[breach.ElementOrganisation]
	if !ok {
		return Text{}, fmt.Errorf("sms: texts.json %s lacks %s", lang, breach.ElementOrganisation)
	}
	s, ok := m[head]
	if !ok {
		return Text{}, fmt.Errorf("sms: texts.json %s lacks %s", lang, head)
	}
	return Text{Link: link, Parts: []Part{
		{Element: breach.ElementOrganisation, Text: strings.ReplaceAll(org, "{org}", c.Org)},
		{Element: element, Text: strings.ReplaceAll(s, "{date}", date)},
	}}, nil
}

// ComposeUpdate writes the update text in locale's language (English when
// there is none) naming date, the earlier notice's day as the person's
// language writes it (notice.FormatDate), with the link to the full,
// current notice.
func (c *Channel) ComposeUpdate(locale, date, link string) (Text, error) {
	return c.compose(locale, link, textUpdate, breach.ElementNature, date)
}

// ComposeClosing writes the closing text in locale's language (English
// when there is none): the possible leak the person was told of did not
// happen, with the link to the closing notice.
func (c *Channel) ComposeClosing(locale, link string) (Text, error) {
	return c.compose(locale, link, breach.ElementRuledOut, breach.ElementRuledOut, "")
}

// ComposePossibility writes the possibility text in locale's language
// (English when there is none): the person's data may have leaked, with
// the link to the possibility notice.
func (c *Channel) ComposePossibility(locale, link string) (Text, error) {
	return c.compose(locale, link, breach.ElementLeakPossibility, breach.ElementLeakPossibility, "")
}

// sampleDates is SampleDate by language.
var sampleDates = sync.OnceValues(func() (map[string]string, error) {
	out := map[string]string{}
	for lang := range texts {
		best := ""
		for m := time.January; m <= time.December; m++ {
			s, err := notice.FormatDate(lang, "", time.Date(2026, m, 28, 12, 0, 0, 0, time.UTC))
			if err != nil {
				return nil, err
			}
			if utf8.RuneCountInString(s) > utf8.RuneCountInString(best) {
				best = s
			}
		}
		out[lang] = best
	}
	return out, nil
})

// SampleDate stands for the date of a person's earlier notice in the update
// texts the approvers read: a real date in the language's form, the
// longest that form writes (a two-digit day, the longest month name), so
// that the length the drafts are checked at is the most any person's text
// takes. The send stage replaces it with each person's own date.
func SampleDate(locale string) (string, error) {
	all, err := sampleDates()
	if err != nil {
		return "", err
	}
	return all[textLang(locale)], nil
}

// SampleUpdate is the update text the SMS channel sends in locale's
// language for organisation org, with SampleDate and SampleLink for the
// person's date and link: what drafting shows the approvers.
func SampleUpdate(org, locale string) (Text, error) {
	date, err := SampleDate(locale)
	if err != nil {
		return Text{}, err
	}
	return (&Channel{Org: org}).ComposeUpdate(locale, date, SampleLink)
}

// SampleClosing is the closing text in locale's language for organisation
// org, with SampleLink for the person's link.
func SampleClosing(org, locale string) (Text, error) {
	return (&Channel{Org: org}).ComposeClosing(locale, SampleLink)
}

// SamplePossibility is the possibility text in locale's language for
// organisation org, with SampleLink for the person's link.
func SamplePossibility(org, locale string) (Text, error) {
	return (&Channel{Org: org}).ComposePossibility(locale, SampleLink)
}

// CheckLength checks that text, in locale's language, fits the channel
// wherever it may go: within MaxParts GSM-7 or UCS-2 segments, and a
// Korean text also within an LMS in EUC-KR (KoreanLMSBytes), Korea's
// carriers taking nothing else. The split returned is the largest.
func CheckLength(field, text, locale string) (Split, error) {
	s, err := SplitText(field, text, "")
	if err != nil || textLang(locale) != "ko" {
		return s, err
	}
	return SplitText(field, text, "KR")
}

// updateOf is the date of the notice s's update refers to; a missing or
// unreadable date is dated at the epoch's stand-in, as the update e-mail
// dates it (package draft): never a first text.
func updateOf(s *casetable.Subject) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s.UpdateOf)
	if t.IsZero() {
		return time.Unix(0, 0)
	}
	return t
}

// approvedBody is the approved text for s with link (and their earlier
// notice's date) in place of the samples: the closing or possibility text
// when the approved texts have one for s's jurisdiction (the duty's
// jurisdiction, s's country, or every jurisdiction), else the update text
// for a person an earlier version reached, else the first text.
func (c *Channel) approvedBody(s *casetable.Subject, link string) (string, error) {
	lang, _, _ := strings.Cut(s.Locale, "-")
	lang = strings.ToLower(lang)
	if c.jurisdictional {
		j := strings.ToUpper(s.Jurisdiction)
		country, _, _ := strings.Cut(j, "-")
		for _, key := range []func(string, string) string{ClosingKey, PossibilityKey} {
			for _, k := range []string{j, country, ""} {
				for _, l := range []string{lang, "en"} {
					if text, ok := c.Approved[key(k, l)]; ok {
						return withLink(text, l, link)
					}
				}
			}
		}
	}
	if s.NoticeKind != casetable.NoticeUpdate {
		approved, ok := c.Approved[lang]
		if !ok {
			approved, ok = c.Approved["en"]
		}
		if !ok {
			return "", fmt.Errorf("sms: no approved text for language %q or English", lang)
		}
		return withLink(approved, lang, link)
	}
	l := lang
	approved, ok := c.Approved[UpdateKey(l)]
	if !ok {
		l = "en"
		approved, ok = c.Approved[UpdateKey(l)]
	}
	if !ok {
		return "", fmt.Errorf("sms: no approved update text for language %q or English", lang)
	}
	head, ok := strings.CutSuffix(approved, SampleLink)
	if !ok {
		return "", fmt.Errorf("sms: the approved update text for %q does not end in the sample link", l)
	}
	sample, err := SampleDate(l)
	if err != nil {
		return "", err
	}
	before, after, ok := strings.Cut(head, sample)
	if !ok || strings.Contains(after, sample) {
		return "", fmt.Errorf("sms: the approved update text for %q does not hold the sample date once", l)
	}
	date, err := notice.FormatDate(l, s.Jurisdiction, updateOf(s))
	if err != nil {
		return "", err
	}
	return before + date + after + link, nil
}

// withLink is an approved text with link in place of SampleLink.
func withLink(approved, lang, link string) (string, error) {
	head, ok := strings.CutSuffix(approved, SampleLink)
	if !ok {
		return "", fmt.Errorf("sms: the approved text for %q does not end in the sample link", lang)
	}
	return head + link, nil
}

// hasJurisdictional reports whether approved holds a closing or a
// possibility text.
func hasJurisdictional(approved map[string]string) bool {
	for k := range approved {
		if strings.HasPrefix(k, "closing:") || strings.HasPrefix(k, "possibility:") {
			return true
		}
	}
	return false
}
