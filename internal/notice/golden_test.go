package notice_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"breachflow/internal/breach"
	"breachflow/internal/email"
	"breachflow/internal/notice"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the current templates")

// golden compares got with testdata/golden/name, or writes it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs from the golden file (-want +got), run go test -update if intended:\n%s", name, diff)
	}
}

func withSubject(m email.Message) string {
	return "<!-- subject: " + m.Subject + " -->\n" + m.HTML
}

// TestGoldenNotices renders the customer notice in every locale for a
// Korean, a Californian and a German resident, and the substitute notice
// in every locale.
func TestGoldenNotices(t *testing.T) {
	s, err := notice.NewNoticeSet(facts())
	if err != nil {
		t.Fatal(err)
	}
	person := []breach.Category{breach.CategoryPhone, breach.CategoryCreditInfo, breach.CategoryNationalID}
	for _, l := range notice.Locales {
		for _, j := range []string{"KR", "US-CA", "DE"} {
			name := "notice-" + l + "-" + strings.ToLower(j)
			t.Run(name, func(t *testing.T) {
				m, err := s.Render(notice.Recipient{Name: "Sample Person", Locale: l, Jurisdiction: j, Categories: person})
				if err != nil {
					t.Fatal(err)
				}
				golden(t, name+".html", withSubject(m))
				golden(t, name+".txt", m.Subject+"\n\n"+m.Text)
			})
		}
		name := "substitute-" + l
		t.Run(name, func(t *testing.T) {
			m, err := s.Substitute(l, "KR")
			if err != nil {
				t.Fatal(err)
			}
			golden(t, name+".html", withSubject(m))
		})
	}
}

// TestGoldenFilings renders every filing form in every language it has.
func TestGoldenFilings(t *testing.T) {
	forms, err := notice.FormNames()
	if err != nil {
		t.Fatal(err)
	}
	f := facts()
	seen := map[string]bool{}
	for _, d := range f.Duties {
		if d.Kind != breach.RecipientRegulator {
			continue
		}
		form, err := notice.FormFor(d)
		if err != nil {
			t.Fatal(err)
		}
		for _, lang := range forms[form] {
			if seen[form+"."+lang] {
				continue
			}
			seen[form+"."+lang] = true
			d := d
			d.Locale = lang
			name := "filing-" + form + "-" + lang
			t.Run(name, func(t *testing.T) {
				m, err := notice.Filing(f, d)
				if err != nil {
					t.Fatal(err)
				}
				golden(t, name+".html", withSubject(m))
				golden(t, name+".txt", m.Subject+"\n\n"+m.Text)
			})
		}
	}
	for form, langs := range forms {
		for _, l := range langs {
			if !seen[form+"."+l] {
				t.Errorf("filing form %s.%s has no duty in the fixture: add one so it gets a golden file", form, l)
			}
		}
	}
}
