package notice_test

import (
	"bytes"
	"mime"
	"net/mail"
	"strings"
	"testing"
	"time"

	"breachflow/internal/breach"
	"breachflow/internal/email"
	"breachflow/internal/notice"
)

const evil = "<script>alert(1)</script>"

func TestRenderEscapesTheName(t *testing.T) {
	s, err := notice.NewNoticeSet(facts())
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{evil, "Mallory\r\nBcc: victim@example.com", `"><img src=x onerror=alert(1)>`, "Kim\u2028Subject: x"} {
		for _, l := range notice.Locales {
			t.Run(l+"/"+name, func(t *testing.T) {
				m, err := s.Render(notice.Recipient{Name: name, Locale: l, Jurisdiction: "KR", Categories: []breach.Category{breach.CategoryEmail}})
				if err != nil {
					t.Fatal(err)
				}
				if strings.Contains(m.HTML, "<script") || strings.Contains(m.HTML, "<img") {
					t.Errorf("HTML carries the name's markup unescaped")
				}
				if strings.ContainsAny(m.Subject, "\r\n") {
					t.Errorf("subject has CR or LF: %q", m.Subject)
				}
				if strings.Contains(m.Text, "\r") || strings.Contains(m.Text, "\nBcc:") {
					t.Errorf("text part lets a name forge a line: %q", m.Text)
				}
			})
		}
	}
}

func TestSubjectAndHeadersNeverCarryLineBreaks(t *testing.T) {
	f := facts()
	f.Org.Name = "Evil Corp\r\nBcc: all@example.com\n" + evil
	s, err := notice.NewNoticeSet(f)
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.Render(notice.Recipient{Locale: "ko", Jurisdiction: "KR"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(m.Subject, "\r\n") {
		t.Fatalf("subject has a line break: %q", m.Subject)
	}
	if strings.Contains(m.HTML, "<script") {
		t.Errorf("organisation name unescaped in HTML")
	}
	raw, err := email.Raw("notices@example.com", []string{"person@example.com"}, m, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	head, _, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
	for _, line := range strings.Split(string(head), "\r\n") {
		if strings.HasPrefix(strings.ToLower(line), "bcc:") || strings.ContainsAny(line, "\n\r") {
			t.Errorf("header injection: %q", line)
		}
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	subj, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || subj != m.Subject {
		t.Errorf("subject round trip = %q, %v; want %q: a rendered subject is already clean", subj, err, m.Subject)
	}
}

// Issue 22: a name's bidi controls and zero-width characters never reach
// the notice, and a name is cut at email.MaxName runes, on both paths.
func TestRenderCleansTheName(t *testing.T) {
	s, err := notice.NewNoticeSet(facts())
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("김", 5000)
	for _, tc := range []struct{ name, want string }{
		{"Ali\u202eecilA\u200b Kim\u2066\ufeff", "AliecilA Kim"},
		{long, strings.Repeat("김", email.MaxName)},
	} {
		r := notice.Recipient{Name: tc.name, Locale: "en", Jurisdiction: "KR", Categories: []breach.Category{breach.CategoryEmail}}
		fast, err := s.Render(r)
		if err != nil {
			t.Fatal(err)
		}
		slow, err := notice.RenderSlow(s, r)
		if err != nil {
			t.Fatal(err)
		}
		for path, m := range map[string]email.Message{"fast": fast, "templates": slow} {
			for _, body := range []string{m.HTML, m.Text} {
				if strings.ContainsAny(body, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u200b\u200c\u200d\u2060\ufeff") {
					t.Errorf("%s: a bidi or zero-width character reached the notice", path)
				}
				if !strings.Contains(body, tc.want) || strings.Contains(body, tc.want+"김") {
					t.Errorf("%s: the notice does not greet %.20q... cut at %d runes", path, tc.want, email.MaxName)
				}
			}
		}
	}
}

func TestHTMLToText(t *testing.T) {
	in := `<!DOCTYPE html><html><head><title>T</title><style>p{x:1}</style></head><body>
<h1>Title</h1><p>One   two
three &lt;b&gt; &amp; <strong>bold</strong>.</p><ul><li>a</li><li> b </li></ul><p>x<br>y</p></body></html>`
	want := "Title\n\nOne two three <b> & bold.\n\n- a\n- b\n\nx\ny\n"
	if got := notice.HTMLToText(in); got != want {
		t.Errorf("HTMLToText =\n%q\nwant\n%q", got, want)
	}
}
