package sms

import (
	"fmt"
	"strings"
)

// FieldError is a refused input: it names the field and why, never the
// value (a phone number is personal data and must not reach a log, an error
// or the execution history).
type FieldError struct {
	Field  string
	Reason string
	// Code is a short machine code for the ledger's failure reason
	// ("invalid_number", "no_sender", ...).
	Code string
}

func (e *FieldError) Error() string { return fmt.Sprintf("sms: %s: %s", e.Field, e.Reason) }

// Number is a phone number in E.164 form ("+821012345678") with the country
// it belongs to. The zero Number is not valid; ParseNumber makes one.
type Number struct {
	e164    string
	country string
}

// E164 returns the number as SendTextMessage takes it.
func (n Number) E164() string { return n.e164 }

// Country is the number's ISO country.
func (n Number) Country() string { return n.country }

// maxE164Digits is E.164's limit: country code and national number
// together at most 15 digits (ITU-T E.164 §6.1).
const maxE164Digits = 15

// ParseNumber reads a phone number as the user table may hold it: E.164
// ("+82 10-1234-5678"), an international "00" prefix, or a national number
// ("010-1234-5678") of home, the person's country (ISO code; may be empty
// when the number is international). Spaces, dashes, dots and parentheses
// are dropped. The number must belong to a country this package knows
// (countries.json) and have that country's national length. Errors are
// *FieldError naming field.
func ParseNumber(field, raw, home string) (Number, error) {
	bad := func(reason string) (Number, error) {
		return Number{}, &FieldError{Field: field, Reason: reason, Code: "invalid_number"}
	}
	var b strings.Builder
	for i, r := range strings.TrimSpace(raw) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')':
		default:
			return bad("not a phone number: only digits, one leading +, spaces, dashes, dots and parentheses")
		}
	}
	s := b.String()
	if s == "" {
		return bad("empty")
	}
	var intl string
	switch {
	case strings.HasPrefix(s, "+"):
		intl = s[1:]
	case strings.HasPrefix(s, "00"):
		intl = s[2:]
	default:
		c, ok := countries[home]
		if !ok {
			return bad("national number without a known country; write it in E.164 (+ and country code)")
		}
		national := s
		if c.Trunk != "" {
			national = strings.TrimPrefix(s, c.Trunk)
		} else if c.Code == "1" && len(s) == 11 && s[0] == '1' {
			national = s[1:] // NANP written with its leading 1
		}
		intl = c.Code + national
	}
	if len(intl) < 8 || len(intl) > maxE164Digits || intl[0] == '0' {
		return bad("not E.164: a country code and national number of 8 to 15 digits")
	}
	for n := 1; n <= 3; n++ {
		cs, ok := byCode[intl[:n]]
		if !ok {
			continue
		}
		national := intl[n:]
		c := cs[0]
		for _, cand := range cs {
			if cand.ISO == home {
				c = cand // +1 is the US and Canada alike: the person's own
			}
		}
		if c.Trunk != "" && strings.HasPrefix(national, c.Trunk) {
			return bad("national trunk prefix written after the country code")
		}
		if len(national) < c.Min || len(national) > c.Max {
			return bad(fmt.Sprintf("national number of %d digits, %s numbers have %d to %d", len(national), c.ISO, c.Min, c.Max))
		}
		return Number{e164: "+" + intl, country: c.ISO}, nil
	}
	return Number{}, &FieldError{Field: field, Reason: "country calling code of no country the SMS channel knows", Code: "unknown_country"}
}
