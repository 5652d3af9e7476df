package breach

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"sync"
)

//go:embed iso3166-1.tab
var iso3166 string

// countries is the parsed iso3166-1.tab: code -> English name.
var countries = sync.OnceValue(func() map[string]string {
	m, err := parseCountries(iso3166)
	if err != nil {
		panic(err) // embedded at build time; TestCountries loads it
	}
	return m
})

// parseCountries reads the tab file: comment lines start with '#', every
// other line is an upper-case two-letter code, a tab and a name.
func parseCountries(s string) (map[string]string, error) {
	m := map[string]string{}
	for i, line := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		code, name, ok := strings.Cut(line, "\t")
		if !ok || len(code) != 2 || !isUpperAlpha(code) || strings.TrimSpace(name) == "" {
			return nil, fmt.Errorf("iso3166-1.tab line %d: want CODE<tab>name", i+1)
		}
		if _, dup := m[code]; dup {
			return nil, fmt.Errorf("iso3166-1.tab line %d: %s listed twice", i+1, code)
		}
		m[code] = name
	}
	return m, nil
}

// IsCountry reports whether code is an officially assigned ISO 3166-1
// alpha-2 code, exactly as written ("KR", "GB"; not "kr", "XX", or the
// reserved "UK" and "EU").
func IsCountry(code string) bool {
	_, ok := countries()[code]
	return ok
}

// Countries returns every officially assigned ISO 3166-1 alpha-2 code,
// sorted.
func Countries() []string {
	m := countries()
	out := make([]string, 0, len(m))
	for c := range m {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}
