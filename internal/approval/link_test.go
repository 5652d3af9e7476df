package approval_test

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"breachflow/internal/approval"
)

func TestSignAndVerify(t *testing.T) {
	s := approval.Signer{Key: []byte("0123456789abcdef0123456789abcdef")}
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	c := approval.Claims{CaseID: "c1", ApproverID: "ap-1", RequestID: "r1", Nonce: "n1",
		ContentHash: "h", RecipientSetHash: "s", Expires: now.Add(time.Hour).Unix()}
	token := s.Sign(c)

	got, err := s.Verify(token, now)
	if err != nil {
		t.Fatal(err)
	}
	c.Version = 1
	if diff := cmp.Diff(c, got); diff != "" {
		t.Errorf("claims (-want +got):\n%s", diff)
	}

	body, sig, _ := strings.Cut(token, ".")
	forged := c
	forged.ApproverID = "ap-2"
	forgedBody, _, _ := strings.Cut(s.Sign(forged), ".")
	tests := []struct {
		name  string
		token string
		key   string
		at    time.Time
		want  error
	}{
		{"expired", token, "", now.Add(time.Hour), approval.ErrLinkExpired},
		{"just before expiry", token, "", now.Add(time.Hour - time.Second), nil},
		{"claims swapped under the old signature", forgedBody + "." + sig, "", now, approval.ErrBadSignature},
		{"other key", token, "another key of thirty-two bytes!", now, approval.ErrBadSignature},
		{"signature cut", body + "." + sig[:10], "", now, approval.ErrBadSignature},
		{"no signature", body, "", now, approval.ErrMalformedLink},
		{"signature not base64", body + ".!!", "", now, approval.ErrMalformedLink},
		{"csrf token as signature", body + "." + s.CSRF("n1"), "", now, approval.ErrBadSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := s
			if tt.key != "" {
				v = approval.Signer{Key: []byte(tt.key)}
			}
			if _, err := v.Verify(tt.token, tt.at); !errors.Is(err, tt.want) {
				t.Errorf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestVerifyRejectsUnsignedGarbage(t *testing.T) {
	s := approval.Signer{Key: []byte("0123456789abcdef0123456789abcdef")}
	body := base64.RawURLEncoding.EncodeToString([]byte(`{"v":1,"c":"c1","n":"x","e":9999999999}`))
	if _, err := s.Verify(body+"."+base64.RawURLEncoding.EncodeToString([]byte("sig")), time.Now()); !errors.Is(err, approval.ErrBadSignature) {
		t.Errorf("Verify = %v, want ErrBadSignature", err)
	}
}

func TestCSRFBoundToLink(t *testing.T) {
	s := approval.Signer{Key: []byte("0123456789abcdef0123456789abcdef")}
	tok := s.CSRF("nonce-a")
	tests := []struct {
		nonce, token string
		want         bool
	}{
		{"nonce-a", tok, true},
		{"nonce-b", tok, false},
		{"nonce-a", "", false},
		{"nonce-a", tok[:len(tok)-2], false},
	}
	for _, tt := range tests {
		if got := s.CheckCSRF(tt.nonce, tt.token); got != tt.want {
			t.Errorf("CheckCSRF(%q, %q) = %v, want %v", tt.nonce, tt.token, got, tt.want)
		}
	}
}
