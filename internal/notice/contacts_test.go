package notice

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var (
	// webAddress is a host name (optionally with a path) under the
	// top-level domains the notices' countries use.
	webAddress = regexp.MustCompile(`[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:gov|com|org|net|kr|jp|de|eu|sg|au|ca|in|br|cn)(?:/[a-z0-9/_-]*)?`)
	// number is a run of three or more digits (with dashes) that does not
	// continue a word, a number or a dotted citation.
	number  = regexp.MustCompile(`(?:^|[^0-9A-Za-z.])(\+?[0-9][0-9-]+[0-9])`)
	action  = regexp.MustCompile(`(?s)\{\{.*?\}\}`)
	styling = regexp.MustCompile(`(?s)<style.*?</style>`)
)

// legalFigures are numbers the templates print that are not contact
// details: citations and amounts of the law, and date layouts.
var legalFigures = []string{
	"1798", // Cal. Civ. Code 1798.82
	"164",  // 45 CFR 164.404-164.410
	"39-2", // PIPA Art. 39-2; Decree Art. 39-2
	"39-3", // PIPA Enforcement Decree Art. 39-3 (possibility notice)
	"300",  // PIPA Art. 39-2: up to KRW 3 million (300만 원)
	"2006", // Go's reference year, in date layouts
}

// templateTexts returns every template and locale file with its template
// actions and style sheets taken out: the text a document can print.
func templateTexts(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, root := range []string{"templates", "locales"} {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			out[path] = styling.ReplaceAllString(action.ReplaceAllString(string(b), " "), " ")
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func listed(detail string) bool {
	return slices.ContainsFunc(AgencyContacts, func(c AgencyContact) bool {
		return slices.ContainsFunc(c.Details, func(d string) bool { return strings.Contains(d, detail) })
	})
}

// Every web address and telephone number a template prints is in
// AgencyContacts, so none reaches a notice without its verification mark.
func TestEveryPrintedContactIsListed(t *testing.T) {
	texts := templateTexts(t)
	if len(texts) < 10 {
		t.Fatalf("read %d template files, want the whole set", len(texts))
	}
	for path, text := range texts {
		for _, addr := range webAddress.FindAllString(text, -1) {
			if !listed(addr) {
				t.Errorf("%s prints %q, which AgencyContacts does not list", path, addr)
			}
		}
		for _, m := range number.FindAllStringSubmatch(text, -1) {
			n := strings.TrimPrefix(m[1], "+")
			if !slices.Contains(legalFigures, n) && !listed(n) {
				t.Errorf("%s prints the number %q, which is neither a listed contact nor a legal figure", path, n)
			}
		}
	}
}

// Every listed contact is printed by some template (no stale entries) and
// is found by its marks.
func TestEveryListedContactIsPrinted(t *testing.T) {
	texts := templateTexts(t)
	for _, c := range AgencyContacts {
		found := false
		for _, text := range texts {
			if slices.ContainsFunc(c.Marks, func(m string) bool { return strings.Contains(text, m) }) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no template prints any of %q", c.Party, c.Marks)
		}
		if c.Verification != Unverified || c.Source == "" {
			t.Errorf("%s: verification %q, source %q", c.Party, c.Verification, c.Source)
		}
	}
}

// UnverifiedContacts finds in a rendered notice the contacts it prints: a
// California notice names the FTC and the credit bureaus, a Korean one the
// Korean bodies, and neither the other's.
func TestUnverifiedContactsOfRenderedNotices(t *testing.T) {
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join("testdata", "golden", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	parties := func(cs []AgencyContact) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.Party)
		}
		return out
	}
	us := parties(UnverifiedContacts(read("notice-en-us-ca.html")))
	for _, want := range []string{"Federal Trade Commission (US)", "Equifax (US)", "Experian (US)", "TransUnion (US)"} {
		if !slices.Contains(us, want) {
			t.Errorf("US-CA notice: unverified contacts %q lack %q", us, want)
		}
	}
	kr := parties(UnverifiedContacts(read("notice-ko-kr.html"), read("filing-pipc-ko.html")))
	for _, want := range []string{"Personal Information Infringement Report Center, KISA (KR)", "Personal Information Dispute Mediation Committee (KR)"} {
		if !slices.Contains(kr, want) {
			t.Errorf("KR notice and filing: unverified contacts %q lack %q", kr, want)
		}
	}
	if slices.Contains(kr, "Equifax (US)") || slices.Contains(us, "Financial Supervisory Service (KR)") {
		t.Errorf("contacts crossed over: US %q, KR %q", us, kr)
	}
}
