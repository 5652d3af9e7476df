package notice

import (
	"embed"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // notices show dates in the reader's zone, also in Lambda's minimal image

	"breachflow/internal/breach"
)

//go:embed locales/*.json
var localeFS embed.FS

// Locales lists the customer-notice languages, in a fixed order. A new
// language needs locales/<tag>.json, templates/notice/<tag>.html.tmpl and
// templates/substitute/<tag>.html.tmpl (see doc.go).
var Locales = []string{"ko", "en", "ja", "zh", "de"}

// localeData is one locale file: the words drafting puts together with the
// templates' own prose.
type localeData struct {
	Categories   map[breach.Category]string `json:"categories"`
	Vectors      map[string]string          `json:"vectors"`
	Consequences map[string]string          `json:"consequences"`
	Advice       map[string]string          `json:"advice"`
	Date         string                     `json:"date"`     // Go layout of a date
	DateTime     string                     `json:"datetime"` // Go layout of a moment, with zone
	Thousands    string                     `json:"thousands"`
	Ongoing      string                     `json:"ongoing"` // "until today/ongoing"
	// UpdateSubject and UpdateIntro open an update notice: the subject
	// around the notice's own (%s), and a first paragraph naming the date
	// of the notice it updates (%s).
	UpdateSubject string `json:"update_subject"`
	UpdateIntro   string `json:"update_intro"`
}

var loadLocales = sync.OnceValues(func() (map[string]*localeData, error) {
	out := make(map[string]*localeData)
	for _, tag := range Locales {
		b, err := localeFS.ReadFile("locales/" + tag + ".json")
		if err != nil {
			return nil, fmt.Errorf("locale %s: %w", tag, err)
		}
		d := new(localeData)
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(d); err != nil {
			return nil, fmt.Errorf("locale %s: %w", tag, err)
		}
		for _, c := range breach.Categories() {
			if d.Categories[c] == "" {
				return nil, fmt.Errorf("locale %s: no name for category %s", tag, c)
			}
		}
		for _, k := range riskKinds {
			if d.Consequences[k] == "" || d.Advice[k] == "" {
				return nil, fmt.Errorf("locale %s: no consequence or advice for %s", tag, k)
			}
		}
		if d.Vectors["other"] == "" {
			return nil, fmt.Errorf("locale %s: no wording for vector other", tag)
		}
		out[tag] = d
	}
	return out, nil
})

// jurisdictionLocale is the language a person in a jurisdiction reads when
// their own locale is unknown or unsupported. Singapore, Hong Kong and
// Taiwan fall to English: Simplified Chinese is not what Taiwan and Hong
// Kong read, and English is Singapore's language of business.
var jurisdictionLocale = map[string]string{
	"KR": "ko", "JP": "ja", "CN": "zh",
	"DE": "de", "AT": "de", "LI": "de",
}

// ResolveLocale picks the supported locale for a reader: the exact tag,
// then its language ("en-US" -> "en", "zh-Hans-CN" -> "zh"), then the
// jurisdiction's language (KR -> ko, JP -> ja, CN -> zh, DE/AT -> de),
// then English.
func ResolveLocale(locale, jurisdiction string) string {
	tag := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(locale), "_", "-"))
	if supported(tag) {
		return tag
	}
	if lang, _, _ := strings.Cut(tag, "-"); supported(lang) {
		return lang
	}
	country, _, _ := strings.Cut(strings.ToUpper(strings.TrimSpace(jurisdiction)), "-")
	if l, ok := jurisdictionLocale[country]; ok {
		return l
	}
	return "en"
}

func supported(tag string) bool {
	for _, l := range Locales {
		if l == tag {
			return true
		}
	}
	return false
}

// zones are where dates are shown for a jurisdiction; a reader in Seoul
// should see the Korean date of an event, not UTC's.
var zones = map[string]string{
	"KR": "Asia/Seoul", "JP": "Asia/Tokyo", "CN": "Asia/Shanghai", "SG": "Asia/Singapore",
	"DE": "Europe/Berlin", "AT": "Europe/Vienna", "FR": "Europe/Paris", "IE": "Europe/Dublin",
	"NL": "Europe/Amsterdam", "IT": "Europe/Rome", "ES": "Europe/Madrid", "GB": "Europe/London",
	"AU": "Australia/Sydney", "IN": "Asia/Kolkata", "BR": "America/Sao_Paulo", "CA": "America/Toronto",
	"US": "America/New_York", "US-CA": "America/Los_Angeles", "US-WA": "America/Los_Angeles",
	"US-TX": "America/Chicago", "US-IL": "America/Chicago", "US-CO": "America/Denver", "US-AZ": "America/Phoenix",
}

func zoneFor(jurisdiction string) *time.Location {
	j := strings.ToUpper(jurisdiction)
	name, ok := zones[j]
	if !ok {
		c, _, _ := strings.Cut(j, "-")
		name, ok = zones[c]
	}
	if !ok {
		return time.UTC
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	return loc
}

// formatCount writes n with the locale's thousands separator.
func formatCount(n int64, sep string) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// riskKinds group categories by the harm they expose a person to; each
// locale words the consequence and the advice for each group.
var riskKinds = []string{"phishing", "identity", "financial", "account", "sensitive", "general"}

var categoryRisk = map[breach.Category]string{
	breach.CategoryName: "phishing", breach.CategoryEmail: "phishing", breach.CategoryPhone: "phishing",
	breach.CategoryPostalAddress: "phishing", breach.CategoryDeviceID: "phishing",
	breach.CategoryDateOfBirth: "identity", breach.CategoryRRN: "identity", breach.CategoryNationalID: "identity",
	breach.CategoryPassport: "identity", breach.CategoryDriverLicense: "identity", breach.CategoryTaxID: "identity",
	breach.CategoryFinancialAcct: "financial", breach.CategoryPaymentCard: "financial",
	breach.CategoryCreditInfo: "financial", breach.CategoryTransactions: "financial", breach.CategoryInsurance: "financial",
	breach.CategoryCredentials: "account",
	breach.CategoryHealth:      "sensitive", breach.CategoryBiometric: "sensitive", breach.CategoryGenetic: "sensitive",
	breach.CategorySpecial: "sensitive", breach.CategoryCriminal: "sensitive", breach.CategoryChildren: "sensitive",
	breach.CategoryLocation: "sensitive",
}

// risksOf returns the risk groups of cats in riskKinds order, always
// ending with "general".
func risksOf(cats []breach.Category) []string {
	var seen [6]bool
	for _, c := range cats {
		if k, ok := categoryRisk[c]; ok {
			for i, r := range riskKinds {
				if r == k {
					seen[i] = true
				}
			}
		}
	}
	seen[5] = true
	out := make([]string, 0, 6)
	for i, r := range riskKinds {
		if seen[i] {
			out = append(out, r)
		}
	}
	return out
}

// scriptLanguage guesses the language free text is written in: Hangul ->
// ko, kana -> ja, other Han -> zh; Latin text is "de" when it has German
// letters or enough German function words, else "en". It only decides
// whether the responder's own words fit a document; a wrong guess costs a
// paragraph in the wrong document, never a required element, since every
// document states the facts in its own words as well.
func scriptLanguage(s string) string {
	han := false
	for _, r := range s {
		switch {
		case r >= 0xAC00 && r <= 0xD7A3, r >= 0x1100 && r <= 0x11FF, r >= 0x3130 && r <= 0x318F:
			return "ko"
		case r >= 0x3040 && r <= 0x30FF:
			return "ja"
		case r >= 0x4E00 && r <= 0x9FFF:
			han = true
		}
	}
	if han {
		return "zh"
	}
	if strings.ContainsAny(s, "äöüÄÖÜß") {
		return "de"
	}
	german := 0
	for _, w := range strings.Fields(strings.ToLower(s)) {
		switch strings.Trim(w, ".,;:()") {
		case "der", "die", "das", "und", "nicht", "wurde", "wurden", "ist", "mit", "von", "ein", "eine", "auf":
			german++
		}
	}
	if german >= 2 {
		return "de"
	}
	return "en"
}

// fits reports whether text written in lang may appear in a document in
// locale.
func fits(lang, locale string) bool { return lang == locale }
