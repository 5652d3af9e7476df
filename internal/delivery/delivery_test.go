package delivery

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"breachflow/internal/casetable"
	"breachflow/internal/email"
	"breachflow/internal/envconfig"
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

// Input puts the rendered subject in the header as it is (it was cleaned
// when rendered, and approved so), and cleans one that was not.
func TestInputCleansTheSubject(t *testing.T) {
	p := &Pipeline{From: "privacy@example.com"}
	s := &casetable.Subject{CaseID: "c1", UserID: "u1", Email: "kim@example.org"}
	for in, want := range map[string]string{
		"[카카오페이] 개인정보 유출 안내":            "[카카오페이] 개인정보 유출 안내",
		"개인정보\r\nBcc: evil@example.com": "개인정보 Bcc: evil@example.com",
		"\u202e유출\u200b 안내":             "유출 안내",
	} {
		got := aws.ToString(p.Input(s, email.Message{Subject: in, Text: "t"}).Content.Simple.Subject.Data)
		if got != want {
			t.Errorf("subject %q went out as %q, want %q", in, got, want)
		}
	}
}

func TestFilingAddresses(t *testing.T) {
	f := email.Filing{ID: "filing-kr-pipa", ObligationIDs: []string{"kr-pipa-34-regulator", "kr-ciupa-39-4-regulator"}, Regulator: "PIPC / KISA"}
	for _, tc := range []struct {
		name, json, want string
	}{
		{"obligation id first", `{"kr-ciupa-39-4-regulator":"fss@example.org","PIPC / KISA":"pipc@example.org","*":"x@example.org"}`, "fss@example.org"},
		{"then regulator name", `{"PIPC / KISA":"pipc@example.org","*":"x@example.org"}`, "pipc@example.org"},
		{"then the fallback with the id", `{"*":"filings+{id}@regulators.example.org"}`, "filings+filing-kr-pipa@regulators.example.org"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := ParseFilingAddresses(tc.json)
			if err != nil {
				t.Fatal(err)
			}
			got, err := a.For(f)
			if err != nil || got != tc.want {
				t.Errorf("For = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
	_, err := FilingAddresses{}.For(f)
	var bad *SendConfigInvalid
	if !errors.As(err, &bad) {
		t.Errorf("no address configured: got %v, want SendConfigInvalid so the filing is not dropped", err)
	}
	if _, err := ParseFilingAddresses("[1]"); err == nil {
		t.Error("accepted a JSON array")
	}
}

func TestLoadConfig(t *testing.T) {
	c, err := LoadConfig(envconfig.Map(map[string]string{"CASE_TABLE": "cases", "SENDER_ADDRESS": "privacy@example.com", "SES_MAX_SEND_RATE": "200", "SEND_PARALLELISM": "4"}))
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.Pacing(context.Background(), nil)
	if err != nil || p != (Pacing{Rate: 50, Workers: 7}) {
		t.Errorf("pacing = %+v, %v", p, err)
	}
	_, err = LoadConfig(envconfig.Map(map[string]string{"SES_MAX_SEND_RATE": "fast"}))
	for _, name := range []string{"CASE_TABLE", "SENDER_ADDRESS", "SES_MAX_SEND_RATE"} {
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("error %v does not name %s", err, name)
		}
	}
	_, err = LoadConfig(envconfig.Map(map[string]string{"CASE_TABLE": "cases", "SENDER_ADDRESS": "privacy@example.com", "SEND_PARALLELISM": "0"}))
	if err == nil || !strings.Contains(err.Error(), "SEND_PARALLELISM=0") {
		t.Errorf("no parallelism at all: %v", err)
	}
}
