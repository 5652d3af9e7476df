package usertable

import (
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"breachflow/internal/breach"
)

func TestGenerateIsDeterministic(t *testing.T) {
	for i := range 50 {
		if diff := cmp.Diff(Generate(7, i), Generate(7, i)); diff != "" {
			t.Fatalf("user %d differs between calls:\n%s", i, diff)
		}
	}
	if cmp.Equal(Generate(7, 3), Generate(8, 3)) {
		t.Error("seeds 7 and 8 give the same user 3")
	}
}

var reserved = regexp.MustCompile(`^[a-z0-9.]+@([a-z0-9]+\.)*example\.(com|org|net)$`)

func TestGeneratePopulation(t *testing.T) {
	const n = 20000
	countries := map[string]int{}
	states := map[string]int{}
	var dups, noEmail int
	emails := map[string]int{}
	for i := range n {
		u := Generate(1, i)
		countries[u.Country]++
		if u.Region != "" {
			states[u.Region]++
		}
		if u.Email == "" {
			noEmail++
			continue
		}
		norm := strings.ToLower(strings.TrimSpace(u.Email))
		if !reserved.MatchString(norm) {
			t.Fatalf("user %d: address %q is not at a reserved example domain", i, norm)
		}
		if norm != u.Email {
			dups++
		}
		emails[norm]++
		for _, c := range u.DataHeld {
			if !breach.Category(c).Valid() {
				t.Fatalf("user %d holds unknown category %q", i, c)
			}
		}
		if _, err := breach.ParseJurisdiction(u.Country); err != nil {
			t.Fatal(err)
		}
	}
	shared := 0
	for _, c := range emails {
		if c > 1 {
			shared++
		}
	}
	t.Logf("countries %v, US states %v, duplicates %d, no email %d", countries, states, dups, noEmail)
	switch {
	case countries["KR"] < n*75/100:
		t.Errorf("KR users %d of %d: want a large majority", countries["KR"], n)
	case countries["US"] == 0 || countries["DE"] == 0 || countries["FR"] == 0 || countries["IE"] == 0 || countries["JP"] == 0 || countries["SG"] == 0:
		t.Errorf("a minority is missing: %v", countries)
	case states["CA"] == 0 || states["NY"] == 0 || states["TX"] == 0 || states["MA"] == 0:
		t.Errorf("a US state is missing: %v", states)
	case dups < n/200 || dups > n/50 || shared < dups*9/10:
		t.Errorf("%d duplicates (%d shared addresses): want about 1 %%", dups, shared)
	case noEmail < n/100 || noEmail > n/25:
		t.Errorf("%d users without email: want about 2 %%", noEmail)
	}
}

func TestItemMatchesDefaultMapping(t *testing.T) {
	m := DefaultMapping()
	it := Generate(1, 5).Item()
	for _, name := range []string{"id", "phone", "locale", "country", "name", "categories", "payment_service", "overseas_transfer", "age", "signup_at", "last_login", "tier"} {
		attr, _, ok := m.Resolve(name)
		if !ok {
			t.Fatalf("mapping lacks %s", name)
		}
		if _, ok := it[attr]; !ok {
			t.Errorf("item lacks %s (%s)", name, attr)
		}
	}
}

func TestNamesLoad(t *testing.T) {
	for _, p := range population {
		n, ok := names[p.country]
		if !ok || len(n.Family) == 0 || len(n.Given) == 0 {
			t.Errorf("names.json has no names for %s", p.country)
		}
	}
}
