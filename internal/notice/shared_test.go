package notice_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"breachflow/internal/breach"
	"breachflow/internal/notice"
)

// sharedFacts is the fixture case with the combinations drafting approved.
func sharedFacts(combos ...string) notice.CaseFacts {
	f := facts()
	f.Shared = combos
	return f
}

// section returns the text of the first <section> carrying element e, ""
// if there is none.
func section(html string, e breach.Element) string {
	for rest := html; ; {
		i := strings.Index(rest, "<section ")
		if i < 0 {
			return ""
		}
		rest = rest[i:]
		end := strings.Index(rest, "</section>")
		if end < 0 {
			return ""
		}
		tag := rest[:strings.IndexByte(rest, '>')]
		if strings.Contains(tag, string(e)) {
			return rest[:end]
		}
		rest = rest[end:]
	}
}

// A Singaporean holds the address; a Korean shares it. The one notice is
// in the Singaporean's English and carries PIPA's rights (Arts. 39, 39-2,
// 43) and the Korean's exposed data as well as the holder's own.
func TestSharedAddressNoticeCoversEveryHolder(t *testing.T) {
	s, err := notice.NewNoticeSet(sharedFacts("KR+SG"))
	if err != nil {
		t.Fatal(err)
	}
	// The holder's notice covers both holders' jurisdictions and data
	// (sharedaddr.Holders); alone, the holder's covers their own.
	holder := notice.Recipient{
		UserID: "sg-1", Name: "Tan Wei Ling", Email: "family@example.com", Locale: "en-SG", Jurisdiction: "SG",
		Categories: []breach.Category{breach.CategoryCreditInfo, breach.CategoryEmail}, Holders: []string{"SG", "KR", "SG"},
	}
	alone := holder
	alone.Categories, alone.Holders = []breach.Category{breach.CategoryEmail}, nil

	shared, err := s.Render(holder)
	if err != nil {
		t.Fatal(err)
	}
	single, err := s.Render(alone)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(shared.HTML, `<html lang="en">`) {
		t.Error("the shared notice is not in the holder's language (en)")
	}
	rights := section(shared.HTML, breach.ElementLegalRights)
	for _, want := range []string{"Personal Information Protection Act", "(Article 39)", "(Article 39-2)", "(Article 43)", "kopico.go.kr"} {
		if !strings.Contains(rights, want) {
			t.Errorf("the shared notice's rights section lacks %q:\n%s", want, rights)
		}
	}
	if strings.Contains(single.HTML, "Personal Information Protection Act") {
		t.Error("an unshared Singaporean's notice carries PIPA's rights: the fixture no longer tells the two apart")
	}
	data := section(shared.HTML, breach.ElementDataItems)
	// Not all of it is the reader's: it is worded as what may be involved.
	for _, want := range []string{"The information involved may include:", "email address", "personal credit information"} {
		if !strings.Contains(data, want) {
			t.Errorf("the shared notice's data section lacks %q:\n%s", want, data)
		}
	}
	if strings.Contains(section(single.HTML, breach.ElementDataItems), "personal credit information") {
		t.Error("an unshared holder's notice lists data only the other holder had")
	}
	// The Korean's duty is met by the notice they receive.
	for _, d := range facts().Duties {
		if d.Kind == breach.RecipientIndividuals && d.Jurisdiction == "KR" {
			if err := notice.Check("shared notice", shared.HTML, d); err != nil {
				t.Error(err)
			}
		}
	}
	if strings.ContainsAny(shared.Subject, "\r\n") {
		t.Error("subject carries CR or LF")
	}
}

func TestSharedAddressNoticeSetsRightsSideBySide(t *testing.T) {
	s, err := notice.NewNoticeSet(sharedFacts("DE+KR", "KR+US-CA"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name         string
		r            notice.Recipient
		want         []string
		duties       []breach.Jurisdiction
		unsharedLack string
	}{
		{"a Korean holder and a German", notice.Recipient{Locale: "ko", Jurisdiction: "KR", Holders: []string{"DE", "KR"}, Categories: []breach.Category{breach.CategoryEmail}},
			[]string{"제39조의2", "GDPR 제77조"}, []breach.Jurisdiction{"KR", "DE"}, "GDPR 제77조"},
		{"a German holder and a Korean", notice.Recipient{Locale: "de", Jurisdiction: "DE", Holders: []string{"KR", "DE"}, Categories: []breach.Category{breach.CategoryEmail}},
			[]string{"Art. 39-2 PIPA", "Art. 77 DSGVO"}, []breach.Jurisdiction{"KR", "DE"}, "kopico"},
		{"a Korean holder and a Californian", notice.Recipient{Locale: "ko", Jurisdiction: "KR", Holders: []string{"US-CA"}, Categories: []breach.Category{breach.CategoryNationalID}},
			[]string{"제39조의2", "(Notice of Data Breach)", "identitytheft.gov"}, []breach.Jurisdiction{"KR", "US-CA"}, "Notice of Data Breach"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := s.Render(tc.r)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(m.HTML, w) {
					t.Errorf("the shared notice lacks %q", w)
				}
			}
			for _, d := range facts().Duties {
				for _, j := range tc.duties {
					if d.Kind == breach.RecipientIndividuals && d.Jurisdiction == j {
						if err := notice.Check("shared notice", m.HTML, d); err != nil {
							t.Error(err)
						}
					}
				}
			}
			alone := tc.r
			alone.Holders = nil
			single, err := s.Render(alone)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(single.HTML, tc.unsharedLack) {
				t.Errorf("the holder's unshared notice already has %q: the case does not test the union", tc.unsharedLack)
			}
			// The spliced fast path and the templates agree on a union.
			slow, err := notice.RenderSlow(s, tc.r)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(slow, m); diff != "" {
				t.Errorf("fast and slow paths differ (-slow +fast):\n%s", diff)
			}
			if !notice.FastPath(s, tc.r) {
				t.Error("a shared notice does not take the fast path")
			}
		})
	}
}

func TestSharedAddressNeedsAnApprovedCombination(t *testing.T) {
	s, err := notice.NewNoticeSet(sharedFacts("KR+SG"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Render(notice.Recipient{Locale: "en", Jurisdiction: "SG", Holders: []string{"JP", "SG"}})
	var un *notice.UnapprovedCombination
	if !errors.As(err, &un) || un.Combination != "JP+SG" {
		t.Fatalf("rendering an undrafted combination: got %v, want *UnapprovedCombination for JP+SG", err)
	}
	// Holders of one jurisdiction need no combination: the notice is the
	// jurisdiction's own, with every holder's data.
	m, err := s.Render(notice.Recipient{Locale: "ko", Jurisdiction: "KR", Holders: []string{"KR"}, Categories: []breach.Category{breach.CategoryEmail, breach.CategoryPhone}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.HTML, "제39조의2") {
		t.Error("a notice to two Koreans lacks PIPA's rights")
	}
	// The holders' order does not matter.
	a, errA := s.Render(notice.Recipient{Locale: "en", Jurisdiction: "SG", Holders: []string{"KR", "SG"}})
	b, errB := s.Render(notice.Recipient{Locale: "en", Jurisdiction: "SG", Holders: []string{"sg", "KR", "KR"}})
	if errA != nil || errB != nil {
		t.Fatal(errA, errB)
	}
	if a.HTML != b.HTML {
		t.Error("the holders' order or case changed the notice")
	}
}

func TestCombination(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want string
	}{
		{[]string{"SG", "KR"}, "KR+SG"},
		{[]string{"kr", "KR"}, ""},
		{[]string{"US-CA", "KR", "SG", "KR"}, "KR+SG+US-CA"},
		{[]string{"KR", "not a code"}, ""},
		{nil, ""},
	} {
		if got := notice.Combination(tc.in...); got != tc.want {
			t.Errorf("Combination(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if diff := cmp.Diff([]string{"KR", "SG"}, notice.Members("SG+KR")); diff != "" {
		t.Errorf("Members (-want +got):\n%s", diff)
	}
}
