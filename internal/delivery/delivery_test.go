package delivery

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
)

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want class
	}{
		{"per-second throttling", &types.TooManyRequestsException{Message: aws.String("Maximum sending rate exceeded.")}, classThrottle},
		{"daily quota", &types.TooManyRequestsException{Message: aws.String("Daily message quota exceeded.")}, classStopQuota},
		{"rejected", &types.MessageRejected{Message: aws.String("Email address is not verified.")}, classReject},
		{"bad request", &types.BadRequestException{Message: aws.String("Illegal address")}, classReject},
		{"paused", &types.SendingPausedException{}, classStopPause},
		{"suspended", &types.AccountSuspendedException{}, classStopPause},
		{"mail from", &types.MailFromDomainNotVerifiedException{}, classStopConf},
		{"configuration set missing", &types.NotFoundException{}, classStopConf},
		{"wrapped throttle", errors.Join(errors.New("op"), &types.TooManyRequestsException{}), classThrottle},
		{"network", errors.New("connection reset"), classRetry},
		{"server", &smithy.GenericAPIError{Code: "InternalFailure"}, classRetry},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := classify(tc.err); got != tc.want {
				t.Errorf("classify = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestDerivePacing(t *testing.T) {
	for _, tc := range []struct {
		name     string
		rate     float64
		parallel int
		latency  time.Duration
		want     Pacing
	}{
		{"fresh grant, one invocation", 14, 1, 60 * time.Millisecond, Pacing{Rate: 14, Workers: 3}},
		{"200/s over 4 invocations", 200, 4, 60 * time.Millisecond, Pacing{Rate: 50, Workers: 7}},
		{"capped", 10000, 1, 60 * time.Millisecond, Pacing{Rate: 10000, Workers: MaxWorkers}},
		{"unlimited", 0, 1, 0, Pacing{Rate: 0, Workers: 16}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, DerivePacing(tc.rate, tc.parallel, tc.latency)); diff != "" {
				t.Error(diff)
			}
		})
	}
}

func TestBackoffStaysUnderItsCeiling(t *testing.T) {
	b := Backoff{Base: 10 * time.Millisecond, Max: time.Second}
	for n := range 40 {
		ceil := min(b.Max, b.Base<<min(n, 29))
		for range 20 {
			if d := b.Delay(n); d < 0 || d >= ceil {
				t.Fatalf("Delay(%d) = %v, want in [0, %v)", n, d, ceil)
			}
		}
	}
}

func TestTagValueRoundTrip(t *testing.T) {
	for _, id := range []string{"u-0001", "USER_42", "kim@example.org", "사용자1", "b64_looks_encoded", "a b", ""} {
		v := TagValue(id)
		if strings.Trim(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != "" {
			t.Errorf("TagValue(%q) = %q: not a valid SES tag value", id, v)
		}
		got, err := ParseTagValue(v)
		if err != nil || got != id {
			t.Errorf("ParseTagValue(TagValue(%q)) = %q, %v", id, got, err)
		}
	}
}

func TestValidAddress(t *testing.T) {
	for addr, want := range map[string]bool{
		"kim.minji@example.org":         true,
		"a+tag@mail.example.co.kr":      true,
		"":                              false,
		"not an address":                false,
		"Kim <kim@example.org>":         false,
		"kim@localhost":                 false,
		"kim@example.org\r\nBcc: x@y.z": false,
		"@example.org":                  false,
		"kim@.example.org":              false,
	} {
		if got := validAddress(addr); got != want {
			t.Errorf("validAddress(%q) = %v, want %v", addr, got, want)
		}
	}
}

func TestOneLine(t *testing.T) {
	if got := oneLine("개인정보\r\nBcc: evil@example.com"); got != "개인정보 Bcc: evil@example.com" {
		t.Errorf("oneLine = %q", got)
	}
}

func TestBuildMIME(t *testing.T) {
	f := Filing{
		ObligationID: "kr-pipa-regulator", To: []string{"report@pipc.example.go.kr"},
		Subject: "개인정보 유출 신고 — 사례 1", Text: "신고서 본문", HTML: "<p>신고서</p>",
		AttachmentName: "신고서.html", AttachmentType: "text/html; charset=UTF-8", Attachment: []byte("<html>신고서</html>"),
	}
	raw, err := buildMIME("privacy@example.com", f.To, f, time.Date(2026, 11, 24, 1, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	dec := new(mime.WordDecoder)
	subj, err := dec.DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || subj != f.Subject {
		t.Errorf("subject = %q (%v), want %q", subj, err, f.Subject)
	}
	for _, line := range strings.Split(string(raw), "\r\n") {
		if len(line) > 998 {
			t.Fatalf("line of %d octets", len(line))
		}
	}
	_, params, _ := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	mr := multipart.NewReader(msg.Body, params["boundary"])
	var kinds []string
	var attachment []byte
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
		if p.FileName() == f.AttachmentName {
			b, _ := io.ReadAll(p) // multipart decodes base64 only for quoted-printable; decode here
			attachment = b
		}
	}
	if diff := cmp.Diff([]string{"multipart/alternative", "text/html"}, kinds); diff != "" {
		t.Errorf("parts (-want +got):\n%s", diff)
	}
	if len(attachment) == 0 {
		t.Error("no attachment named like the filing")
	}

	bad := f
	bad.Subject = "x\r\nBcc: evil@example.com"
	if _, err := buildMIME("privacy@example.com", f.To, bad, time.Now()); err == nil {
		t.Error("a subject with CR/LF was accepted")
	}
}

func TestLoadConfig(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	c, err := LoadConfig(env(map[string]string{"CASE_TABLE": "cases", "SENDER_ADDRESS": "privacy@example.com", "SES_MAX_SEND_RATE": "200", "SEND_PARALLELISM": "4"}))
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.Pacing(context.Background(), nil)
	if err != nil || p != (Pacing{Rate: 50, Workers: 7}) {
		t.Errorf("pacing = %+v, %v", p, err)
	}
	_, err = LoadConfig(env(map[string]string{"SES_MAX_SEND_RATE": "fast"}))
	for _, name := range []string{"CASE_TABLE", "SENDER_ADDRESS", "SES_MAX_SEND_RATE"} {
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("error %v does not name %s", err, name)
		}
	}
}
