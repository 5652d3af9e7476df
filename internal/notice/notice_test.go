package notice_test

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"breachflow/internal/breach"
	"breachflow/internal/notice"
)

func TestResolveLocale(t *testing.T) {
	for _, tc := range []struct{ locale, jurisdiction, want string }{
		{"ko", "US-CA", "ko"},
		{"ko-KR", "", "ko"},
		{"en_US", "KR", "en"},
		{"zh-Hans-CN", "", "zh"},
		{"ZH", "", "zh"},
		{"de-AT", "AT", "de"},
		{"fr-FR", "FR", "en"},
		{"", "KR", "ko"},
		{"", "JP", "ja"},
		{"", "CN", "zh"},
		{"", "TW", "en"},
		{"", "SG", "en"},
		{"", "DE", "de"},
		{"", "", "en"},
		{"pt-BR", "JP", "ja"},
	} {
		t.Run(tc.locale+"/"+tc.jurisdiction, func(t *testing.T) {
			if got := notice.ResolveLocale(tc.locale, tc.jurisdiction); got != tc.want {
				t.Errorf("ResolveLocale(%q, %q) = %q, want %q", tc.locale, tc.jurisdiction, got, tc.want)
			}
		})
	}
}

// TestEveryLocaleRendersEveryCategory loads every locale file and template
// and checks that each category is named in each language.
func TestEveryLocaleRendersEveryCategory(t *testing.T) {
	s, err := notice.NewNoticeSet(facts())
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range notice.Locales {
		t.Run(l, func(t *testing.T) {
			m, err := s.Render(notice.Recipient{Locale: l, Jurisdiction: "KR", Categories: breach.Categories()})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := strings.Count(m.HTML, "<li>"), len(breach.Categories()); got < want {
				t.Errorf("%d list items, want at least one per category (%d)", got, want)
			}
			if !strings.Contains(m.HTML, `lang="`+l+`"`) {
				t.Errorf("html lang is not %s", l)
			}
		})
	}
}

func TestNoticeCarriesLawSpecificContent(t *testing.T) {
	s, err := notice.NewNoticeSet(facts())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, locale, jurisdiction string
		want, notWant              []string
	}{
		{"korean resident gets PIPA rights", "ko", "KR", []string{"제39조의2", "300만 원", "제43조", "분쟁조정"}, []string{"Equifax"}},
		{"korean resident in English too", "en", "KR", []string{"Article 39-2", "KRW 3 million", "Article 43"}, nil},
		{"california gets the statutory format", "en", "US-CA", []string{"Notice of Data Breach", "What Happened", "What Information Was Involved", "What We Are Doing", "What You Can Do", "For More Information", "Equifax", "font-size:12pt"}, []string{"KRW"}},
		{"california in Korean keeps the English headings", "ko", "US-CA", []string{"(Notice of Data Breach)", "(What Happened)", "(For More Information)"}, nil},
		{"german resident", "de", "DE", []string{"Art. 77 DSGVO", "Der Hamburgische"}, []string{"Equifax", "KRW"}},
		{"chinese notice", "zh", "CN", []string{"个人信息泄露告知书", "您可以采取的措施"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := s.Render(notice.Recipient{Name: "X", Locale: tc.locale, Jurisdiction: tc.jurisdiction, Categories: []breach.Category{breach.CategoryEmail}})
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(m.HTML, w) {
					t.Errorf("HTML lacks %q", w)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(m.HTML, w) {
					t.Errorf("HTML has %q", w)
				}
			}
		})
	}
}

func TestNoticeListsOnlyThePersonsOwnData(t *testing.T) {
	s, err := notice.NewNoticeSet(facts())
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.Render(notice.Recipient{Locale: "ko", Jurisdiction: "KR", Categories: []breach.Category{breach.CategoryEmail}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.HTML, "<li>이메일 주소</li>") || strings.Contains(m.HTML, "<li>휴대전화 번호</li>") {
		t.Errorf("notice should list the person's email and not the case's phone numbers:\n%s", m.Text)
	}
	all, err := s.Render(notice.Recipient{Locale: "ko", Jurisdiction: "KR"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(all.HTML, "유출되었을 수 있습니다") || !strings.Contains(all.HTML, "<li>휴대전화 번호</li>") {
		t.Errorf("without the person's categories the notice should say what may have been involved")
	}
}

func TestNewNoticeSetNeedsOrganisation(t *testing.T) {
	f := facts()
	f.Org.Name = " "
	if _, err := notice.NewNoticeSet(f); err == nil {
		t.Error("no error for an empty organisation name")
	}
	f = facts()
	f.Org.Contact, f.Org.Website = notice.Contact{}, ""
	if _, err := notice.NewNoticeSet(f); err == nil {
		t.Error("no error for an organisation without contact")
	}
}

// TestContentCheckFailsWhenAnElementIsMissing removes each element's
// section from rendered documents and also leaves facts out, and expects
// the named error.
func TestContentCheckFailsWhenAnElementIsMissing(t *testing.T) {
	f := facts()
	pipc := f.Duties[1]
	m, err := notice.Filing(f, pipc)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range pipc.Elements {
		t.Run("section removed/"+string(e), func(t *testing.T) {
			doc := removeSection(m.HTML, e)
			err := notice.Check("filing pipc", doc, pipc)
			var miss *notice.MissingContentElement
			if !errors.As(err, &miss) || notice.Elements(doc)[miss.Element] {
				t.Fatalf("Check = %v, want MissingContentElement for an element of the removed section (%s)", err, e)
			}
			only := pipc
			only.Elements = []breach.Element{e}
			if err := notice.Check("filing pipc", doc, only); !errors.As(err, &miss) || miss.Element != e {
				t.Fatalf("Check = %v, want MissingContentElement for %s", err, e)
			}
			if err := notice.Check("filing pipc", doc, only); !strings.Contains(err.Error(), "PIPA Art. 34(3)") || !strings.Contains(err.Error(), `"`+string(e)+`"`) {
				t.Errorf("error %q should name the element and the citation", err)
			}
		})
	}
	t.Run("emptied section", func(t *testing.T) {
		doc := strings.Replace(m.HTML, `<section data-element="legal_rights">`, `<section data-element="legal_rights"></section><section>`, 1)
		var miss *notice.MissingContentElement
		if err := notice.Check("x", doc, pipc); !errors.As(err, &miss) || miss.Element != breach.ElementLegalRights {
			t.Errorf("an empty section passed: %v", err)
		}
	})
	t.Run("fact missing: delay reason", func(t *testing.T) {
		d := f.Duties[3]
		d.Elements = append(d.Elements, breach.ElementDelayReason)
		if _, err := notice.Filing(f, d); err != nil {
			t.Fatalf("on time, the filing says so: %v", err)
		}
		f := f
		f.NoticeDate = d.DueAt.Add(time.Hour) // late, and no reason given
		_, err := notice.Filing(f, d)
		var miss *notice.MissingContentElement
		if !errors.As(err, &miss) || miss.Element != breach.ElementDelayReason || miss.Citation != "GDPR Art. 33" {
			t.Fatalf("Filing = %v, want MissingContentElement delay_reason", err)
		}
		f2 := f
		f2.DelayReason = "The scope took four days to establish."
		if _, err := notice.Filing(f2, d); err != nil {
			t.Errorf("with a delay reason: %v", err)
		}
	})
	t.Run("customer notice without legal rights", func(t *testing.T) {
		s, err := notice.NewNoticeSet(f)
		if err != nil {
			t.Fatal(err)
		}
		// A Japanese resident's notice carries no PIPA section; a duty that
		// demands legal rights for JP without a rights text must fail.
		n, err := s.Render(notice.Recipient{Locale: "ja", Jurisdiction: "SG"})
		if err != nil {
			t.Fatal(err)
		}
		d := notice.Duty{ID: "x", Regime: "sg-pdpa", Citation: "PDPA s. 26D", Elements: []breach.Element{breach.ElementLegalRights}}
		if err := notice.Check("notice ja", n.HTML, d); err == nil {
			t.Error("notice without legal rights passed a check that requires them")
		}
	})
}

// removeSection deletes the sections that carry element e.
func removeSection(doc string, e breach.Element) string {
	for {
		i := strings.Index(doc, `<section data-element="`)
		found := false
		for i >= 0 {
			end := strings.Index(doc[i:], `">`)
			names := strings.Fields(doc[i+len(`<section data-element="`) : i+end])
			for _, n := range names {
				if n == string(e) {
					close := strings.Index(doc[i:], "</section>")
					doc = doc[:i] + doc[i+close+len("</section>"):]
					found = true
					break
				}
			}
			if found {
				break
			}
			next := strings.Index(doc[i+1:], `<section data-element="`)
			if next < 0 {
				i = -1
			} else {
				i += 1 + next
			}
		}
		if !found {
			return doc
		}
	}
}

func TestFilingLanguage(t *testing.T) {
	f := facts()
	for _, tc := range []struct {
		id, lang string
		note     bool
	}{
		{"eu-gdpr-33-authority-DE", "de", false},
		{"eu-gdpr-33-authority-FR", "en", true},
		{"kr-pipa-34-regulator", "ko", false},
		{"jp-appi-26-preliminary", "ja", false},
	} {
		t.Run(tc.id, func(t *testing.T) {
			var d notice.Duty
			for _, x := range f.Duties {
				if x.ID == tc.id {
					d = x
				}
			}
			m, err := notice.Filing(f, d)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(m.HTML, `<html lang="`+tc.lang+`">`) {
				t.Errorf("filing not in %s", tc.lang)
			}
			if got := strings.Contains(m.HTML, "translation into the authority"); got != tc.note {
				t.Errorf("language note = %v, want %v", got, tc.note)
			}
		})
	}
}

// TestTemplatesMarkOnlyKnownElements reads every template file: each
// data-element name must be in the shared vocabulary, or the content check
// would look for a section nobody requires.
func TestTemplatesMarkOnlyKnownElements(t *testing.T) {
	files, err := filepath.Glob("templates/*/*.tmpl")
	if err != nil || len(files) == 0 {
		t.Fatalf("no templates: %v", err)
	}
	files = append(files, "templates/layout.html.tmpl")
	re := regexp.MustCompile(`data-element="([^"]*)"`)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			for _, e := range strings.Fields(m[1]) {
				if !breach.Element(e).Valid() {
					t.Errorf("%s: unknown element %q", f, e)
				}
			}
		}
	}
}

func TestResponderWordsOnlyInTheirLanguage(t *testing.T) {
	for _, tc := range []struct {
		description, in, notIn string
	}{
		{"Customer data was sent to a partner without consent.", "en", "de"},
		{"Kundendaten wurden ohne Einwilligung an einen Partner übermittelt.", "de", "en"},
		{"고객 정보가 동의 없이 제공되었습니다.", "ko", "en"},
	} {
		f := facts()
		f.Description = tc.description
		s, err := notice.NewNoticeSet(f)
		if err != nil {
			t.Fatal(err)
		}
		in, _ := s.Render(notice.Recipient{Locale: tc.in, Jurisdiction: "KR"})
		out, _ := s.Render(notice.Recipient{Locale: tc.notIn, Jurisdiction: "KR"})
		if !strings.Contains(in.Text, tc.description) || strings.Contains(out.Text, tc.description) {
			t.Errorf("%q should appear in the %s notice only", tc.description, tc.in)
		}
	}
}
