package sms

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// CountryPlan is the SMS channel's arithmetic for one country: the text as
// Compose writes it there, its parts, its price and how long one
// origination identity takes to send it to everyone.
type CountryPlan struct {
	Country string `json:"country"`
	People  int64  `json:"people"`
	// Kind and Parts are the text's (SplitText of the composed short text
	// with a full-length link).
	Kind  Kind `json:"kind"`
	Parts int  `json:"parts"`
	// PriceUSD is one text's price; CostUSD everyone's.
	PriceUSD float64 `json:"price_usd"`
	CostUSD  float64 `json:"cost_usd"`
	// MPS is one origination identity's message parts per second there;
	// Alone is how long that identity alone takes.
	MPS   float64       `json:"mps"`
	Alone time.Duration `json:"alone_ns"`
	// Verified is false while the price and MPS are countries.json's
	// UNVERIFIED figures.
	Verified bool `json:"verified"`
}

// Plan is the SMS channel's time and cost for a set of people by country.
type Plan struct {
	Countries []CountryPlan `json:"countries"`
	Texts     int64         `json:"texts"`
	Parts     int64         `json:"parts"`
	CostUSD   float64       `json:"cost_usd"`
	// Rate is the account's message parts per second (SMS_MAX_SEND_RATE).
	// Length is how long all parts take: at Rate, but no country faster
	// than its identity's MPS allows (each country sends from its own);
	// Effective is the parts per second that comes to.
	Rate      float64       `json:"rate_parts_per_s"`
	Length    time.Duration `json:"length_ns"`
	Effective float64       `json:"effective_parts_per_s"`
	// Verified is false when any figure is UNVERIFIED.
	Verified bool `json:"verified"`
}

// planLink is as long as a notice link gets: the page's address and an
// opaque token (the posted notice's pages, 28 characters of base64url).
const planLink = "https://notice.example.com/n/AAAAAAAAAAAAAAAAAAAAAAAAAAAA"

// homeLocale is the language texts to a country are planned in.
var homeLocale = map[string]string{"KR": "ko", "JP": "ja", "DE": "de"}

// PlanTexts works out each country's text, parts, price and time, and the
// whole send's at rate message parts per second. org is the name texts open
// with. A country the channel knows nothing of is an error naming it.
func PlanTexts(people map[string]int64, rate float64, org string) (Plan, error) {
	if rate <= 0 {
		return Plan{}, fmt.Errorf("sms: the SMS rate must be positive message parts per second")
	}
	c := &Channel{Org: org}
	p := Plan{Rate: rate, Verified: true}
	for _, iso := range slices.Sorted(mapsKeys(people)) {
		n := people[iso]
		country, ok := countries[iso]
		if !ok {
			return Plan{}, fmt.Errorf("sms: %s: no SMS figures for this country (countries.json)", iso)
		}
		locale := homeLocale[iso]
		if locale == "" {
			locale = "en"
		}
		t, err := c.Compose(locale, planLink)
		if err != nil {
			return Plan{}, err
		}
		split, err := SplitText("message", t.String(), iso)
		if err != nil {
			return Plan{}, fmt.Errorf("sms: %s: %w", iso, err)
		}
		price := country.PriceUSD * float64(split.Parts)
		if split.Kind == KindLMS && country.LMSPriceUSD > 0 {
			price = country.LMSPriceUSD
		}
		cp := CountryPlan{
			Country: iso, People: n, Kind: split.Kind, Parts: split.Parts, PriceUSD: price, CostUSD: price * float64(n),
			MPS: country.MPS, Alone: seconds(float64(n) * float64(split.Parts) / country.MPS), Verified: country.Verified,
		}
		p.Countries = append(p.Countries, cp)
		p.Texts += n
		p.Parts += n * int64(split.Parts)
		p.CostUSD += cp.CostUSD
		p.Verified = p.Verified && country.Verified
	}
	p.Length = seconds(float64(p.Parts) / rate)
	for _, c := range p.Countries {
		p.Length = max(p.Length, c.Alone)
	}
	if p.Length > 0 {
		p.Effective = float64(p.Parts) / p.Length.Seconds()
	}
	return p, nil
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

func mapsKeys(m map[string]int64) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// ParseCounts reads COUNTRY=PEOPLE pairs ("KR=1200000").
func ParseCounts(pairs []string) (map[string]int64, error) {
	out := map[string]int64{}
	for _, p := range pairs {
		iso, n, ok := strings.Cut(p, "=")
		var v int64
		if _, err := fmt.Sscan(n, &v); !ok || err != nil || v < 0 || iso == "" {
			return nil, fmt.Errorf("%q: want COUNTRY=PEOPLE", p)
		}
		out[strings.ToUpper(iso)] += v
	}
	return out, nil
}
