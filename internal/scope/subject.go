package scope

import (
	"slices"
	"strings"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"breachflow/internal/breach"
	"breachflow/internal/sharedaddr"
	"breachflow/internal/usertable"
)

// UnknownJurisdiction is the jurisdiction of a person whose country is
// missing or malformed: ISO 3166's user-assigned "unknown" code, which the
// rulebook reports rather than silently dropping the person.
const UnknownJurisdiction = "ZZ"

// person is what scoping reads from one user item.
type person struct {
	id, email, phone, postal, locale, name string
	jurisdiction                           string
	categories                             []string // exposed: report ∩ held, sorted
	contact                                string   // "" (has a valid email), "no_email", "malformed_email"
}

// sharer is p as package sharedaddr records the people of a shared
// address.
func (p *person) sharer() sharedaddr.Person {
	return sharedaddr.Person{ID: p.id, Jurisdiction: p.jurisdiction, Categories: p.categories}
}

// read extracts a person from an item through the mapping. report is the
// report's categories, sorted.
func read(m *usertable.Mapping, item map[string]types.AttributeValue, report []breach.Category) person {
	p := person{
		id:    text(item, m.ID),
		phone: strings.TrimSpace(text(item, m.Phone)),
		// The postal address as given: its lines are the mailing house's.
		postal: strings.TrimSpace(text(item, m.Postal)),
		name:   strings.TrimSpace(text(item, m.Name)),
	}
	country := strings.ToUpper(strings.TrimSpace(text(item, m.Country)))
	region := strings.ToUpper(strings.TrimSpace(text(item, m.Region)))
	p.jurisdiction = Jurisdiction(m, country, region)
	p.locale = normaliseLocale(text(item, m.Locale))
	if p.locale == "" {
		p.locale = defaultLocale(m, country)
	}
	raw, has := item[m.Email]
	if m.Email == "" || !has {
		p.contact = "no_email"
	} else if e, ok := NormaliseEmail(text(item, m.Email)); ok {
		p.email = e
	} else if _, isNull := raw.(*types.AttributeValueMemberNULL); isNull || strings.TrimSpace(text(item, m.Email)) == "" {
		p.contact = "no_email"
	} else {
		p.contact = "malformed_email"
	}
	p.categories = exposed(m, item, report)
	return p
}

// Jurisdiction makes a person's jurisdiction from their country and region:
// "US-CA" for countries whose law is set by state, else the country, and
// UnknownJurisdiction when the country is not a two-letter code.
func Jurisdiction(m *usertable.Mapping, country, region string) string {
	j, err := breach.ParseJurisdiction(country)
	if err != nil || strings.Contains(string(j), "-") {
		return UnknownJurisdiction
	}
	if region != "" && m.Subdivided(string(j)) {
		if sub, err := breach.ParseJurisdiction(string(j) + "-" + region); err == nil {
			return string(sub)
		}
	}
	return string(j)
}

// NormaliseEmail trims and lower-cases an address and checks its shape: one
// @, something on each side, a dot in the domain, no spaces or control
// characters, at most 254 bytes. It does not check that the domain exists.
func NormaliseEmail(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || domain == "" || len(s) > 254 || strings.Contains(domain, "@") ||
		!strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return "", false
	}
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) || r == '<' || r == '>' || r == ',' || r == ';' {
			return "", false
		}
	}
	return s, true
}

func normaliseLocale(s string) string {
	return strings.ReplaceAll(strings.TrimSpace(s), "_", "-")
}

// countryLocale is the locale assumed for a person whose record has none:
// the main language of their country. It is a fallback only.
var countryLocale = map[string]string{
	"KR": "ko", "JP": "ja", "CN": "zh", "TW": "zh-TW", "DE": "de", "AT": "de", "FR": "fr",
	"ES": "es", "IT": "it", "NL": "nl", "BR": "pt-BR", "PT": "pt", "US": "en-US", "GB": "en-GB",
	"IE": "en-IE", "SG": "en-SG", "AU": "en-AU", "CA": "en-CA", "IN": "en-IN",
}

func defaultLocale(m *usertable.Mapping, country string) string {
	if l, ok := countryLocale[country]; ok {
		return l
	}
	if m.DefaultLocale != "" {
		return m.DefaultLocale
	}
	return "en"
}

// exposed is the report's categories that the company holds for this
// person. A mapping that says nothing about categories exposes them all.
func exposed(m *usertable.Mapping, item map[string]types.AttributeValue, report []breach.Category) []string {
	if m.Categories.Empty() {
		out := make([]string, len(report))
		for i, c := range report {
			out[i] = string(c)
		}
		return out
	}
	held := map[string]bool{}
	for _, c := range m.Categories.Always {
		held[string(c)] = true
	}
	if a := m.Categories.Attribute; a != "" {
		switch v := item[a].(type) {
		case *types.AttributeValueMemberSS:
			for _, c := range v.Value {
				held[c] = true
			}
		case *types.AttributeValueMemberL:
			for _, e := range v.Value {
				if s, ok := e.(*types.AttributeValueMemberS); ok {
					held[s.Value] = true
				}
			}
		case *types.AttributeValueMemberS:
			for c := range strings.SplitSeq(v.Value, ",") {
				held[strings.TrimSpace(c)] = true
			}
		}
	}
	for c, a := range m.Categories.PerCategory {
		if present(item[a]) {
			held[string(c)] = true
		}
	}
	var out []string
	for _, c := range report {
		if held[string(c)] {
			out = append(out, string(c))
		}
	}
	return out
}

// present: the attribute exists and is not false, empty, zero or null.
func present(v types.AttributeValue) bool {
	switch v := v.(type) {
	case nil, *types.AttributeValueMemberNULL:
		return false
	case *types.AttributeValueMemberBOOL:
		return v.Value
	case *types.AttributeValueMemberS:
		return strings.TrimSpace(v.Value) != ""
	case *types.AttributeValueMemberN:
		return strings.Trim(v.Value, "0.-+") != ""
	case *types.AttributeValueMemberSS:
		return len(v.Value) > 0
	case *types.AttributeValueMemberL:
		return len(v.Value) > 0
	}
	return true
}

// text reads a string or number attribute as text; anything else is "".
func text(item map[string]types.AttributeValue, attr string) string {
	if attr == "" {
		return ""
	}
	switch v := item[attr].(type) {
	case *types.AttributeValueMemberS:
		return v.Value
	case *types.AttributeValueMemberN:
		return v.Value
	}
	return ""
}

// sortedReport validates and sorts the report's categories.
func sortedReport(cats []breach.Category) ([]breach.Category, error) {
	out := slices.Clone(cats)
	for i, c := range out {
		if !c.Valid() {
			return nil, &InvalidInput{Field: "report_categories[" + itoa(i) + "]", Reason: "unknown data category " + quote(string(c))}
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}
