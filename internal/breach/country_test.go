package breach

import (
	"testing"

	"golang.org/x/text/language"
)

// TestCountries loads the embedded ISO 3166-1 list and holds it against an
// independent source: every code must be a region golang.org/x/text knows
// as a country (which catches a typo), and the list must be the 249 codes
// ISO has assigned.
func TestCountries(t *testing.T) {
	m, err := parseCountries(iso3166)
	if err != nil {
		t.Fatal(err)
	}
	if len(m) != 249 {
		t.Errorf("%d codes, want the 249 ISO 3166-1 assigns", len(m))
	}
	for code := range m {
		r, err := language.ParseRegion(code)
		if err != nil || !r.IsCountry() || r.String() != code {
			t.Errorf("%s is not a country code golang.org/x/text knows", code)
		}
	}
	if got := Countries(); len(got) != len(m) || got[0] != "AD" || got[len(got)-1] != "ZW" {
		t.Errorf("Countries() = %d codes from %v", len(got), got[:min(3, len(got))])
	}
}

func TestIsCountry(t *testing.T) {
	for code, want := range map[string]bool{
		"KR": true, "GB": true, "US": true, "DE": true, "JP": true, "SG": true, "AQ": true,
		"XX": false, "ZZ": false, "UK": false, "EU": false, "XK": false, "AN": false,
		"kr": false, "KOR": false, "": false, "US-CA": false, " KR": false,
	} {
		if got := IsCountry(code); got != want {
			t.Errorf("IsCountry(%q) = %v, want %v", code, got, want)
		}
	}
}

func TestParseCountriesRejectsMalformedLines(t *testing.T) {
	for _, bad := range []string{"KR Korea", "KOR\tKorea", "kr\tKorea", "KR\t", "KR\tKorea\nKR\tKorea again"} {
		if _, err := parseCountries("# comment\n" + bad + "\n"); err == nil {
			t.Errorf("parseCountries(%q) accepted it", bad)
		}
	}
}
