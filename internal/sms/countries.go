package sms

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
)

// Country is what the SMS channel knows about sending to one country: how
// its numbers are written, what kind of sender identity it takes, which
// encoding its texts are counted in, and what a message part costs and how
// fast one origination identity sends. Price and MPS are UNVERIFIED unless
// Verified is set: research/ cites no figure for them (countries.json).
type Country struct {
	ISO string `json:"iso"`
	// Code is the E.164 country calling code, without "+".
	Code string `json:"code"`
	// Trunk is the national prefix dropped when a national number is
	// written internationally ("0" in Korea: 010-... is +82 10-...).
	Trunk string `json:"trunk"`
	// Min and Max bound the digits of a national (significant) number.
	Min int `json:"min"`
	Max int `json:"max"`
	// Sender is the kind of origination identity the country takes:
	// "numeric" (a registered numeric sender number, Korea),
	// "origination-number" (a registered long code or toll-free number),
	// "alphanumeric" (a sender ID).
	Sender string `json:"sender"`
	// Encoding is how texts are counted: "euc-kr" (SMS 90 bytes, LMS 2,000
	// bytes) or "gsm" (GSM-7 or UCS-2 segments).
	Encoding string `json:"encoding"`
	// PriceUSD is the price of one message part; LMSPriceUSD of one LMS
	// (Korea). UNVERIFIED unless Verified.
	PriceUSD    float64 `json:"price_usd"`
	LMSPriceUSD float64 `json:"lms_price_usd,omitempty"`
	// MPS is message parts per second for one origination identity.
	// UNVERIFIED unless Verified.
	MPS      float64 `json:"mps"`
	Verified bool    `json:"verified"`
}

//go:embed countries.json
var countriesJSON []byte

var countries, byCode = mustCountries()

func mustCountries() (map[string]Country, map[string][]Country) {
	var f struct {
		Countries []Country `json:"countries"`
	}
	if err := json.Unmarshal(countriesJSON, &f); err != nil {
		panic(fmt.Sprintf("sms: countries.json: %v", err))
	}
	iso := map[string]Country{}
	code := map[string][]Country{}
	for _, c := range f.Countries {
		iso[c.ISO] = c
		code[c.Code] = append(code[c.Code], c)
	}
	return iso, code
}

// CountryOf returns what is known of the country with ISO code iso.
func CountryOf(iso string) (Country, bool) {
	c, ok := countries[iso]
	return c, ok
}

// Countries lists the known countries by ISO code.
func Countries() []Country {
	out := make([]Country, 0, len(countries))
	for _, c := range countries {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ISO < out[j].ISO })
	return out
}
