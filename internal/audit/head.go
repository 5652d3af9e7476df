package audit

import (
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Head is the signed statement of a case's chain: how many entries it has
// and the hash of the last. The appender that writes entry n signs the head
// (n, hash of n) with the audit key; a chain that has fewer entries than its
// head (cut short), other entries (rewritten) or more (entries slipped in
// after the last signature) does not match it.
type Head struct {
	CaseID   string    `dynamodbav:"case_id" json:"case_id"`
	Count    int64     `dynamodbav:"count" json:"count"`
	Hash     string    `dynamodbav:"hash" json:"hash"`
	SignedAt time.Time `dynamodbav:"signed_at" json:"signed_at"`
	// KeyID is the ARN of the KMS key that signed; Sig the ECDSA P-256
	// signature (base64 DER) of the head's statement.
	KeyID string `dynamodbav:"key_id" json:"key_id"`
	Sig   string `dynamodbav:"sig" json:"sig"`
}

// Domain labels keep an entry's signature from ever passing for a head's,
// and the other way round: otherwise the signature stored on entry 7 would
// be a valid head for a chain cut back to 7.
const (
	entryDomain = "breachflow/audit-entry/v1"
	headDomain  = "breachflow/audit-head/v1"
)

func statement(domain string, fields ...string) []byte {
	h := sha256.New()
	h.Write([]byte(domain))
	for _, f := range fields {
		h.Write([]byte{0x1f}) // no field holds a unit separator
		h.Write([]byte(f))
	}
	return h.Sum(nil)
}

// EntryDigest is the SHA-256 digest an entry's signature signs.
func EntryDigest(caseID string, seq int64, hash string) []byte {
	return statement(entryDomain, caseID, strconv.FormatInt(seq, 10), hash)
}

// Digest is the SHA-256 digest the head's signature signs.
func (h Head) Digest() []byte {
	return statement(headDomain, h.CaseID, strconv.FormatInt(h.Count, 10), h.Hash, h.SignedAt.UTC().Format(time.RFC3339Nano))
}

// Keys are the audit keys' public keys by key ARN: from KMS GetPublicKey
// online, from the evidence pack offline.
type Keys map[string]*ecdsa.PublicKey

// ParsePublicKey reads a public key as KMS GetPublicKey returns it (DER
// SubjectPublicKeyInfo) and accepts ECDSA P-256 only.
func ParsePublicKey(der []byte) (*ecdsa.PublicKey, error) {
	k, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, fmt.Errorf("audit public key: %w", err)
	}
	ek, ok := k.(*ecdsa.PublicKey)
	if !ok || ek.Curve.Params().Name != "P-256" {
		return nil, errors.New("audit public key: not an ECDSA P-256 key")
	}
	return ek, nil
}

// Fingerprint is the SHA-256 (hex) of a public key's DER form: what a
// verifier compares with the fingerprint the stack publishes, so a pack
// re-signed under another key is told apart.
func Fingerprint(k *ecdsa.PublicKey) string {
	der, err := x509.MarshalPKIXPublicKey(k)
	if err != nil { // a parsed P-256 key always marshals
		panic(fmt.Sprintf("audit: marshal public key: %v", err))
	}
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:])
}

func (k Keys) verify(keyID, sig string, digest []byte) bool {
	pub, ok := k[keyID]
	if !ok || pub == nil {
		return false
	}
	der, err := base64.StdEncoding.DecodeString(sig)
	return err == nil && ecdsa.VerifyASN1(pub, digest, der)
}

// Verify checks a case's chain against its signed head with the given
// keys, and names the first thing that does not hold as a *BreakError:
//   - an entry missing, moved or altered (the hash links);
//   - an entry not signed by an audit key (written outside breachflow);
//   - a head not signed by an audit key, or for another case;
//   - entries the head counts but the chain lacks (cut short), entries
//     after the head (not yet, or never, anchored), or a last entry other
//     than the one the head signed (rewritten).
//
// A case with no entries verifies with no head, or with the head of no
// entries that starts every chain.
func Verify(entries []Entry, head *Head, keys Keys) error {
	caseID := ""
	if len(entries) > 0 {
		caseID = entries[0].CaseID
	} else if head != nil {
		caseID = head.CaseID
	}
	brk := func(seq int64, format string, args ...any) error {
		return &BreakError{CaseID: caseID, Seq: seq, Reason: fmt.Sprintf(format, args...)}
	}
	badHead := func(format string, args ...any) error {
		return &BreakError{CaseID: caseID, Seq: n(head), Head: true, Reason: fmt.Sprintf(format, args...)}
	}
	if err := verifyLinks(entries); err != nil {
		return err
	}
	for _, e := range entries {
		if e.CaseID != caseID {
			return brk(e.Seq, "entry belongs to case %s", e.CaseID)
		}
		if !keys.verify(e.KeyID, e.Sig, EntryDigest(e.CaseID, e.Seq, e.Hash)) {
			return brk(e.Seq, "entry is not signed by the audit key (written or rewritten outside breachflow)")
		}
	}
	n := int64(len(entries))
	switch {
	case head == nil && n == 0:
		return nil
	case head == nil:
		return badHead("the chain has no signed head")
	case head.CaseID != caseID:
		return badHead("the signed head is for case %s", head.CaseID)
	case !keys.verify(head.KeyID, head.Sig, head.Digest()):
		return badHead("the head is not signed by the audit key")
	case head.Count > n:
		return brk(n+1, "entries %d to %d of the %d the signed head counts are missing (chain cut short)", n+1, head.Count, head.Count)
	case head.Count < 0:
		return badHead("the signed head counts %d entries", head.Count)
	case head.Count == 0 && head.Hash != Genesis, head.Count > 0 && entries[head.Count-1].Hash != head.Hash:
		return brk(max(head.Count, 1), "entry differs from the one the signed head names (chain rewritten)")
	case head.Count < n:
		return brk(head.Count+1, "entries %d to %d come after the signed head (%d entries): appended without a signature", head.Count+1, n, head.Count)
	}
	return nil
}

func n(h *Head) int64 {
	if h == nil {
		return 0
	}
	return h.Count
}
