package breach

import (
	"fmt"
	"strings"
)

// Jurisdiction is where a person lives, written as an ISO 3166-1 alpha-2
// country code ("KR", "DE") or, where the law is set below the country, an
// ISO 3166-2 subdivision code ("US-CA", "US-NY", "CA-QC", "AU-NSW").
type Jurisdiction string

// ParseJurisdiction normalises s (trimmed, upper case) and checks its shape.
// It does not check that the country exists (IsCountry does, against
// ISO 3166-1), nor the subdivision: the rulebook reports jurisdictions it
// has no rules for.
func ParseJurisdiction(s string) (Jurisdiction, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	country, sub, hasSub := strings.Cut(s, "-")
	if len(country) != 2 || !isUpperAlpha(country) {
		return "", fmt.Errorf("jurisdiction %q: want an ISO 3166 code such as KR or US-CA", s)
	}
	if hasSub && (len(sub) < 1 || len(sub) > 3 || !isUpperAlnum(sub)) {
		return "", fmt.Errorf("jurisdiction %q: subdivision must be 1-3 letters or digits", s)
	}
	return Jurisdiction(s), nil
}

// Country returns the country part: "US" for "US-CA".
func (j Jurisdiction) Country() string {
	c, _, _ := strings.Cut(string(j), "-")
	return c
}

// Subdivision returns the part after the dash ("CA" for "US-CA"), or "".
func (j Jurisdiction) Subdivision() string {
	_, s, _ := strings.Cut(string(j), "-")
	return s
}

func isUpperAlpha(s string) bool {
	for _, r := range s {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}

func isUpperAlnum(s string) bool {
	for _, r := range s {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}
