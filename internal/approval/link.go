package approval

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Claims are what an approval link asserts, signed with the configured key.
type Claims struct {
	Version     int    `json:"v"`
	CaseID      string `json:"c"`
	ApproverID  string `json:"a"`
	RequestID   string `json:"r"`
	Nonce       string `json:"n"`
	ContentHash string `json:"h"`
	// RecipientSetHash is the hash of the recipient set the link binds.
	RecipientSetHash string `json:"s"`
	// Expires is Unix seconds.
	Expires int64 `json:"e"`
}

// Link errors, as the console shows them.
var (
	ErrMalformedLink = errors.New("approval link is malformed")
	ErrBadSignature  = errors.New("approval link signature is not valid")
	ErrLinkExpired   = errors.New("approval link has expired")
)

// Signer makes and checks link tokens and CSRF tokens with one key.
type Signer struct {
	Key []byte
}

// Sign returns the link token for c: base64url(JSON) "." base64url(HMAC).
// The MAC covers the exact bytes sent, so there is no canonical form to get
// wrong: a changed byte anywhere fails Verify.
func (s Signer) Sign(c Claims) string {
	c.Version = 1
	body, err := json.Marshal(c)
	if err != nil { // strings and ints always marshal
		panic(fmt.Sprintf("approval: marshal claims: %v", err))
	}
	enc := base64.RawURLEncoding.EncodeToString(body)
	return enc + "." + base64.RawURLEncoding.EncodeToString(s.mac("link", []byte(enc)))
}

// Verify checks token's signature (in constant time) and expiry and returns
// its claims. It does not check single use or hashes: Service.Decide does.
func (s Signer) Verify(token string, now time.Time) (Claims, error) {
	enc, sig, ok := strings.Cut(token, ".")
	if !ok {
		return Claims{}, ErrMalformedLink
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil {
		return Claims{}, ErrMalformedLink
	}
	if !hmac.Equal(got, s.mac("link", []byte(enc))) {
		return Claims{}, ErrBadSignature
	}
	body, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil {
		return Claims{}, ErrMalformedLink
	}
	var c Claims
	if err := json.Unmarshal(body, &c); err != nil || c.Version != 1 || c.CaseID == "" || c.Nonce == "" {
		return Claims{}, ErrMalformedLink
	}
	if !now.Before(time.Unix(c.Expires, 0)) {
		return c, ErrLinkExpired
	}
	return c, nil
}

// CSRF returns the anti-forgery token of the decision form reached through
// the link with this nonce. It is bound to the link: a token of one link is
// worthless for another.
func (s Signer) CSRF(nonce string) string {
	return base64.RawURLEncoding.EncodeToString(s.mac("csrf", []byte(nonce)))
}

// CheckCSRF reports whether token is the CSRF token of nonce, in constant time.
func (s Signer) CheckCSRF(nonce, token string) bool {
	got, err := base64.RawURLEncoding.DecodeString(token)
	return err == nil && token != "" && hmac.Equal(got, s.mac("csrf", []byte(nonce)))
}

// mac separates purposes with a label so a link MAC is never a valid CSRF
// token or the other way round.
func (s Signer) mac(purpose string, b []byte) []byte {
	m := hmac.New(sha256.New, s.Key)
	m.Write([]byte("breachflow/approval/" + purpose + "\x00"))
	m.Write(b)
	return m.Sum(nil)
}

// newNonce returns 16 random bytes as hex.
func newNonce() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("approval: random nonce: %v", err)) // crypto/rand does not fail on Linux
	}
	return hex.EncodeToString(b[:])
}
