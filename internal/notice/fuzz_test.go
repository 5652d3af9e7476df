package notice_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"breachflow/internal/breach"
	"breachflow/internal/notice"
)

// FuzzRender feeds arbitrary names, locales, jurisdictions and category
// lists to Render: it must never panic, never emit a <script tag the
// templates did not write (they write none), and never put CR or LF in the
// subject.
func FuzzRender(f *testing.F) {
	s, err := notice.NewNoticeSet(facts())
	if err != nil {
		f.Fatal(err)
	}
	f.Add("홍길동", "ko-KR", "KR", "phone,email")
	f.Add(evil, "en", "US-CA", "rrn")
	f.Add("a\r\nb", "zh-Hans", "CN", "")
	f.Add("\x00\xff", "ja_JP", "jp", "nonsense,health")
	f.Add("</section><section data-element=\"x\">", "de", "EU", "credentials")
	f.Fuzz(func(t *testing.T, name, locale, jurisdiction, cats string) {
		var cs []breach.Category
		for _, c := range strings.Split(cats, ",") {
			cs = append(cs, breach.Category(c))
		}
		m, err := s.Render(notice.Recipient{Name: name, Locale: locale, Jurisdiction: jurisdiction, Categories: cs})
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(strings.ToLower(m.HTML), "<script") {
			t.Errorf("unescaped <script in HTML")
		}
		if strings.ContainsAny(m.Subject, "\r\n") {
			t.Errorf("CR/LF in subject %q", m.Subject)
		}
		if m.HTML == "" || m.Text == "" {
			t.Errorf("empty body")
		}
		slow, err := notice.RenderSlow(s, notice.Recipient{Name: name, Locale: locale, Jurisdiction: jurisdiction, Categories: cs})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(slow, m); diff != "" {
			t.Errorf("fast path differs from the templates (-templates +fast):\n%s", diff)
		}
	})
}

// TestFastPathMatchesTemplates renders every locale and shape both ways.
func TestFastPathMatchesTemplates(t *testing.T) {
	s, err := notice.NewNoticeSet(facts())
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range notice.Locales {
		for _, j := range []string{"KR", "US-CA", "DE", "JP", "SG", ""} {
			for _, name := range []string{"", "홍길동", evil, "  a \t b  ", "O'Brien + Sons & \"Co\""} {
				for _, cats := range [][]breach.Category{nil, {breach.CategoryEmail}, breach.Categories()} {
					r := notice.Recipient{Name: name, Locale: l, Jurisdiction: j, Categories: cats}
					if !notice.FastPath(s, r) {
						t.Errorf("%s/%s: fast path disabled", l, j)
					}
					fast, err := s.Render(r)
					if err != nil {
						t.Fatal(err)
					}
					slow, err := notice.RenderSlow(s, r)
					if err != nil {
						t.Fatal(err)
					}
					if diff := cmp.Diff(slow, fast); diff != "" {
						t.Fatalf("%s/%s/%q: fast path differs (-templates +fast):\n%s", l, j, name, diff)
					}
				}
			}
		}
	}
}

// BenchmarkRender renders one personalised notice (HTML and text) per
// iteration, as the sender does per recipient.
func BenchmarkRender(b *testing.B) {
	s, err := notice.NewNoticeSet(facts())
	if err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct{ name, locale, jurisdiction string }{
		{"ko-KR", "ko", "KR"},
		{"en-US-CA", "en", "US-CA"},
	} {
		r := notice.Recipient{UserID: "u1", Name: "홍길동", Email: "p@example.com", Locale: tc.locale, Jurisdiction: tc.jurisdiction,
			Categories: []breach.Category{breach.CategoryPhone, breach.CategoryEmail, breach.CategoryCreditInfo}}
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Render(r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRenderTemplates is the same notice through html/template only
// (the reference the fast path is checked against), to compare the two in
// one run on a shared machine.
func BenchmarkRenderTemplates(b *testing.B) {
	s, err := notice.NewNoticeSet(facts())
	if err != nil {
		b.Fatal(err)
	}
	r := notice.Recipient{UserID: "u1", Name: "홍길동", Locale: "ko", Jurisdiction: "KR",
		Categories: []breach.Category{breach.CategoryPhone, breach.CategoryEmail, breach.CategoryCreditInfo}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := notice.RenderSlow(s, r); err != nil {
			b.Fatal(err)
		}
	}
}
