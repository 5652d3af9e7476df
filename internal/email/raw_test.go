package email_test

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"breachflow/internal/email"
)

func filing() email.Message {
	return email.Message{
		Subject: "개인정보 유출 신고 — 사례 1", Text: "신고서 본문", HTML: "<p>신고서</p>",
		Attachments: []email.Attachment{{Filename: "신고서.html", ContentType: "text/html; charset=utf-8", Data: []byte("<html>신고서</html>")}},
	}
}

func TestRaw(t *testing.T) {
	m := filing()
	raw, err := email.Raw("privacy@example.com", []string{"report@pipc.example.go.kr"}, m, time.Date(2026, 11, 24, 1, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	subj, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || subj != m.Subject {
		t.Errorf("subject = %q (%v), want %q", subj, err, m.Subject)
	}
	if !strings.HasPrefix(strings.ToLower(msg.Header.Get("Subject")), "=?utf-8?b?") {
		t.Errorf("a Korean subject should be RFC 2047 encoded: %q", msg.Header.Get("Subject"))
	}
	if d, err := msg.Header.Date(); err != nil || !d.Equal(time.Date(2026, 11, 24, 1, 0, 0, 0, time.UTC)) {
		t.Errorf("Date = %v, %v", d, err)
	}
	for _, line := range strings.Split(string(raw), "\r\n") {
		if len(line) > 998 {
			t.Fatalf("line of %d octets", len(line))
		}
	}
	_, params, _ := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	mr := multipart.NewReader(msg.Body, params["boundary"])
	var kinds []string
	var attachment string
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		kinds = append(kinds, ct)
		if p.FileName() == "신고서.html" {
			b, _ := io.ReadAll(p)
			attachment = string(b)
		}
	}
	if diff := cmp.Diff([]string{"multipart/alternative", "text/html"}, kinds); diff != "" {
		t.Errorf("parts (-want +got):\n%s", diff)
	}
	if attachment == "" {
		t.Error("no attachment with the filing's name")
	}
}

// No CR or LF from a subject or a file name reaches a header, and an
// address with one is refused.
func TestRawHeadersNeverCarryLineBreaks(t *testing.T) {
	m := filing()
	m.Subject = "Filing\r\nBcc: all@example.com\n<script>"
	m.Attachments[0].Filename = "a\r\nContent-Type: text/evil"
	m.Attachments[0].ContentType = "text/html\r\nX-Evil: 1"
	raw, err := email.Raw("privacy@example.com", []string{"report@example.org"}, m, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(raw), "\r\n") {
		l := strings.ToLower(line)
		if strings.HasPrefix(l, "bcc:") || strings.HasPrefix(l, "x-evil:") || strings.HasPrefix(l, "content-type: text/evil") || strings.ContainsAny(line, "\r\n") {
			t.Errorf("header injection: %q", line)
		}
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if subj, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); subj != "Filing Bcc: all@example.com <script>" {
		t.Errorf("subject = %q", subj)
	}
	for _, addrs := range [][]string{{"privacy@example.com\r\nBcc: x@example.org", "report@example.org"}, {"privacy@example.com", "report@example.org\nBcc: x@example.org"}} {
		if _, err := email.Raw(addrs[0], addrs[1:], m, time.Now()); err == nil || strings.Contains(err.Error(), "x@example.org") {
			t.Errorf("addresses %q: error %v, want a refusal that does not repeat them", addrs, err)
		}
	}
}
