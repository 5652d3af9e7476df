package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Genesis is the previous hash of a case's first entry.
var Genesis = strings.Repeat("0", 64)

// Record is what a caller appends: who did what, with which details. Detail
// values must be ids, hashes, counts or staff identities; never personal data
// of affected people.
type Record struct {
	// Actor is who acted: a staff email, an approver id, or a system name
	// such as "approval-request".
	Actor string
	// Action names the event, e.g. "approval.link_issued".
	Action string
	// Detail holds the event's facts as strings.
	Detail map[string]string
}

// Entry is one link of a case's audit chain as stored.
type Entry struct {
	CaseID   string            `dynamodbav:"case_id" json:"case_id"`
	Seq      int64             `dynamodbav:"seq" json:"seq"`
	At       time.Time         `dynamodbav:"at" json:"at"`
	Actor    string            `dynamodbav:"actor" json:"actor"`
	Action   string            `dynamodbav:"action" json:"action"`
	Detail   map[string]string `dynamodbav:"detail,omitempty" json:"detail,omitempty"`
	PrevHash string            `dynamodbav:"prev_hash" json:"prev_hash"`
	Hash     string            `dynamodbav:"hash" json:"hash"`
	// KeyID is the audit key (KMS key ARN) that signed the entry, and Sig
	// its ECDSA signature (base64 DER) of the entry's statement: the entry
	// is keyed, so one written into the table by anyone without kms:Sign
	// on that key shows as unsigned.
	KeyID string `dynamodbav:"key_id,omitempty" json:"key_id"`
	Sig   string `dynamodbav:"sig,omitempty" json:"sig"`
}

// canonical is the hashed form of an entry. Its field order is fixed by the
// struct, encoding/json writes map keys sorted, and the time is written in
// UTC with nanoseconds, so the same entry always gives the same bytes.
type canonical struct {
	V        int               `json:"v"`
	CaseID   string            `json:"case_id"`
	Seq      int64             `json:"seq"`
	At       string            `json:"at"`
	Actor    string            `json:"actor"`
	Action   string            `json:"action"`
	Detail   map[string]string `json:"detail"`
	PrevHash string            `json:"prev_hash"`
}

// ComputeHash returns the SHA-256 (hex) of the entry's canonical JSON: every
// field except Hash itself, with version 1 of the encoding.
func (e Entry) ComputeHash() string {
	d := e.Detail
	if d == nil {
		d = map[string]string{}
	}
	b, err := json.Marshal(canonical{
		V: 1, CaseID: e.CaseID, Seq: e.Seq, At: e.At.UTC().Format(time.RFC3339Nano),
		Actor: e.Actor, Action: e.Action, Detail: d, PrevHash: e.PrevHash,
	})
	if err != nil { // a struct of strings and ints always marshals
		panic(fmt.Sprintf("audit: canonical json: %v", err))
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// SortKey is the sort key of the entry with sequence number seq.
func SortKey(seq int64) string { return fmt.Sprintf("%s%012d", SortKeyPrefix, seq) }

// SortKeyPrefix starts the sort key of every audit entry.
const SortKeyPrefix = "AUDIT#"

// BreakError says where a chain stops being trustworthy.
type BreakError struct {
	CaseID string
	// Seq is the sequence number of the first entry that does not fit (for
	// a bad head, the count it claims).
	Seq int64
	// Head is true when the signed head itself is at fault (missing, not
	// signed by the audit key, for another case), not an entry.
	Head   bool
	Reason string
}

func (e *BreakError) Error() string {
	if e.Head {
		return fmt.Sprintf("audit chain of case %s: %s", e.CaseID, e.Reason)
	}
	return fmt.Sprintf("audit chain of case %s breaks at entry %d: %s", e.CaseID, e.Seq, e.Reason)
}

// verifyLinks checks a case's entries in order: sequence numbers run 1, 2,
// 3... without gaps, each entry's PrevHash is the Hash of the one before
// (Genesis for the first), and each Hash matches the entry's content. The
// first entry that fails is reported as a *BreakError.
func verifyLinks(entries []Entry) error {
	prev := Genesis
	for i, e := range entries {
		want := int64(i + 1)
		switch {
		case e.Seq != want:
			return &BreakError{CaseID: e.CaseID, Seq: want, Reason: fmt.Sprintf("found sequence %d where %d belongs (entry missing or moved)", e.Seq, want)}
		case e.PrevHash != prev:
			return &BreakError{CaseID: e.CaseID, Seq: e.Seq, Reason: "previous hash does not match the entry before"}
		case e.ComputeHash() != e.Hash:
			return &BreakError{CaseID: e.CaseID, Seq: e.Seq, Reason: "content does not match its hash (entry altered)"}
		}
		prev = e.Hash
	}
	return nil
}
