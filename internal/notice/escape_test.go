package notice_test

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"testing"

	"breachflow/internal/breach"
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
	raw, err := notice.MIME(mail.Address{Name: "Evil\r\nBcc: x@example.com", Address: "notices@example.com"},
		mail.Address{Name: "홍길동\n" + evil, Address: "person@example.com"}, m)
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
	dec := new(mime.WordDecoder)
	subj, err := dec.DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || subj != m.Subject {
		t.Errorf("subject round trip = %q, %v; want %q", subj, err, m.Subject)
	}
	if !strings.HasPrefix(msg.Header.Get("Subject"), "=?utf-8?b?") {
		t.Errorf("a Korean subject should be RFC 2047 encoded: %q", msg.Header.Get("Subject"))
	}
	to, err := mail.ParseAddress(msg.Header.Get("To"))
	if err != nil || to.Address != "person@example.com" || strings.ContainsAny(to.Name, "\r\n") {
		t.Errorf("To = %+v, %v", to, err)
	}
}

func TestMIMEStructure(t *testing.T) {
	f := facts()
	filing, err := notice.Filing(f, f.Duties[1])
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		msg   notice.Message
		parts []string
	}{
		{"notice", notice.Message{Subject: "Notice of Data Breach", HTML: "<p>Hi</p>", Text: "Hi\n"}, []string{"text/plain; charset=utf-8", "text/html; charset=utf-8"}},
		{"filing with attachment", filing, []string{"multipart/alternative", "text/html; charset=utf-8"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw, err := notice.MIME(mail.Address{Address: "a@example.com"}, mail.Address{Name: "PIPC", Address: "b@example.com"}, tc.msg)
			if err != nil {
				t.Fatal(err)
			}
			msg, err := mail.ReadMessage(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
			if err != nil || !strings.HasPrefix(mt, "multipart/") {
				t.Fatalf("Content-Type %q: %v", mt, err)
			}
			r := multipart.NewReader(msg.Body, params["boundary"])
			var got []string
			for {
				p, err := r.NextPart()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				ct := p.Header.Get("Content-Type")
				if i := strings.Index(ct, ";"); strings.HasPrefix(ct, "multipart/") && i > 0 {
					ct = ct[:i]
				}
				got = append(got, ct)
				body, _ := io.ReadAll(p) // quoted-printable is decoded by the reader
				if ct == "text/html; charset=utf-8" && len(tc.msg.Attachments) == 0 && string(body) != tc.msg.HTML {
					t.Errorf("html body round trip failed: %q", body)
				}
			}
			if strings.Join(got, ",") != strings.Join(tc.parts, ",") {
				t.Errorf("parts = %v, want %v", got, tc.parts)
			}
		})
	}
	if _, err := notice.MIME(mail.Address{Address: "a@example.com\r\nBcc: x@y"}, mail.Address{Address: "b@example.com"}, notice.Message{}); err == nil {
		t.Error("an address with CR/LF was accepted")
	}
}

func TestSanitizeHeader(t *testing.T) {
	for in, want := range map[string]string{
		"plain":                  "plain",
		"a\r\nb":                 "a b",
		"  lead\ttab  ":          "lead tab",
		"x\u2028y\u0085z":        "x y z",
		"[카카오] 개인정보\n유출":         "[카카오] 개인정보 유출",
		"bad\xffutf8":            "badutf8",
		strings.Repeat("가", 300): strings.Repeat("가", 200),
	} {
		if got := notice.SanitizeHeader(in); got != want {
			t.Errorf("SanitizeHeader(%q) = %q, want %q", in, got, want)
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
