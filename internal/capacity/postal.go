package capacity

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// MailingHouse is what the postal channel's time and cost depend on before
// the post takes over: how long until the first letters are handed in,
// how many a day it prints, envelopes and hands in, and what that costs a
// letter. UNVERIFIED unless Verified (postal.json).
type MailingHouse struct {
	LeadDays      float64 `json:"lead_days"`
	LettersPerDay float64 `json:"letters_per_day"`
	PrintUSD      float64 `json:"print_usd"`
	Verified      bool    `json:"verified"`
	Note          string  `json:"note,omitempty"`
}

// PostalCountry is one country's postage for a standard letter and how
// many calendar days its ordinary letters take to arrive. UNVERIFIED
// unless Verified (postal.json).
type PostalCountry struct {
	ISO          string  `json:"iso"`
	Operator     string  `json:"operator"`
	Service      string  `json:"service"`
	PostageUSD   float64 `json:"postage_usd"`
	DeliveryDays float64 `json:"delivery_days"`
	Verified     bool    `json:"verified"`
}

//go:embed postal.json
var postalJSON []byte

var postalFile = func() struct {
	MailingHouse MailingHouse    `json:"mailing_house"`
	Countries    []PostalCountry `json:"countries"`
} {
	var f struct {
		MailingHouse MailingHouse    `json:"mailing_house"`
		Countries    []PostalCountry `json:"countries"`
	}
	if err := json.Unmarshal(postalJSON, &f); err != nil {
		panic(fmt.Sprintf("capacity: postal.json: %v", err))
	}
	return f
}()

// DefaultMailingHouse is postal.json's mailing house.
func DefaultMailingHouse() MailingHouse { return postalFile.MailingHouse }

// PostalCountryOf returns what postal.json knows of country iso.
func PostalCountryOf(iso string) (PostalCountry, bool) {
	i := slices.IndexFunc(postalFile.Countries, func(c PostalCountry) bool { return c.ISO == iso })
	if i < 0 {
		return PostalCountry{}, false
	}
	return postalFile.Countries[i], true
}

// PostalCountries lists the countries postal.json knows.
func PostalCountries() []PostalCountry { return slices.Clone(postalFile.Countries) }

// PostalCountryPlan is the postal channel in one country.
type PostalCountryPlan struct {
	PostalCountry
	People int64 `json:"people"`
	// LetterUSD is one letter: postage and the mailing house's print,
	// envelope and handling; CostUSD everyone's.
	LetterUSD float64 `json:"letter_usd"`
	CostUSD   float64 `json:"cost_usd"`
	// Delivered is when the country's last letter is expected: the whole
	// run handed in (its letters may be the last printed), then the
	// country's delivery days.
	Delivered time.Time `json:"delivered"`
}

// PostalPlan is the postal channel's time and cost for people by country.
type PostalPlan struct {
	MailingHouse MailingHouse        `json:"mailing_house"`
	Countries    []PostalCountryPlan `json:"countries"`
	Letters      int64               `json:"letters"`
	CostUSD      float64             `json:"cost_usd"`
	Start        time.Time           `json:"start"`
	// HandedIn is when the last letter is handed to the post: the lead
	// time, then every letter at the mailing house's daily rate.
	HandedIn time.Time `json:"handed_in"`
	// Delivered is when the last letter anywhere is expected to arrive.
	Delivered time.Time `json:"delivered"`
	// Verified is false when any figure is UNVERIFIED.
	Verified bool `json:"verified"`
}

// PlanLetters works out the postal channel from start (when the approved
// letters file goes to the mailing house) for people by country. A
// country postal.json does not know is an error naming it.
func PlanLetters(people map[string]int64, mh MailingHouse, start time.Time) (PostalPlan, error) {
	if mh.LettersPerDay <= 0 {
		return PostalPlan{}, fmt.Errorf("capacity: the mailing house's letters a day must be positive")
	}
	if mh.LeadDays < 0 {
		return PostalPlan{}, fmt.Errorf("capacity: the mailing house's lead time must not be negative")
	}
	p := PostalPlan{MailingHouse: mh, Start: start, Verified: mh.Verified}
	for _, iso := range slices.Sorted(func(yield func(string) bool) {
		for k := range people {
			if !yield(k) {
				return
			}
		}
	}) {
		c, ok := PostalCountryOf(iso)
		if !ok {
			return PostalPlan{}, fmt.Errorf("capacity: %s: no postal figures for this country (postal.json)", iso)
		}
		n := people[iso]
		cp := PostalCountryPlan{PostalCountry: c, People: n, LetterUSD: c.PostageUSD + mh.PrintUSD}
		cp.CostUSD = cp.LetterUSD * float64(n)
		p.Countries = append(p.Countries, cp)
		p.Letters += n
		p.CostUSD += cp.CostUSD
		p.Verified = p.Verified && c.Verified
	}
	p.HandedIn = start
	if p.Letters > 0 {
		p.HandedIn = start.Add(days(mh.LeadDays + float64(p.Letters)/mh.LettersPerDay))
	}
	p.Delivered = p.HandedIn
	for i := range p.Countries {
		c := &p.Countries[i]
		c.Delivered = p.HandedIn
		if c.People > 0 {
			c.Delivered = p.HandedIn.Add(days(c.DeliveryDays))
		}
		if c.Delivered.After(p.Delivered) {
			p.Delivered = c.Delivered
		}
	}
	return p, nil
}

func days(d float64) time.Duration { return time.Duration(d * float64(Day)) }
