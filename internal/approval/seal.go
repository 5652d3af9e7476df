package approval

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// Seals bind the approval records to the approval service. The request and
// every vote carry an HMAC-SHA256 over the fields that decide whether a case
// may be sent, keyed by a key derived from the approval signing key. Only
// the approval functions and the send function read that key (the secret's
// IAM in template.yaml), so a request or vote written straight into the
// case table by anyone else, or edited there, fails VerifyApproval.
//
// A keyed seal rather than IAM on the items: DynamoDB's fine-grained access
// conditions reach only the partition key, and approval items share the
// case's partition with records several functions write.

// sealVersion is the seal's domain label, so a seal can never be mistaken
// for a link signature made with the same key.
const sealVersion = "breachflow/approval-record/v1"

func (c Config) sealKey() []byte {
	m := hmac.New(sha256.New, c.Key)
	m.Write([]byte(sealVersion))
	return m.Sum(nil)
}

// seal is the hex HMAC of the fields, joined with a separator no field
// holds (ids, hashes, statuses and times).
func (c Config) seal(kind string, fields ...string) string {
	m := hmac.New(sha256.New, c.sealKey())
	m.Write([]byte(kind))
	for _, f := range fields {
		m.Write([]byte{0x1f})
		m.Write([]byte(f))
	}
	return hex.EncodeToString(m.Sum(nil))
}

func sealTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func (c Config) requestSeal(r Request) string {
	fields := []string{r.CaseID, r.RequestID, r.ContentHash, r.RecipientSetHash, r.SubmitterID,
		strings.Join(r.Approvers, ","), strconv.Itoa(r.Required), sealTime(r.CreatedAt)}
	if r.Stage != "" {
		// Only stage requests carry it, so the seals of every request
		// made before stages existed still verify.
		fields = append(fields, "stage="+r.Stage)
	}
	return c.seal("request", fields...)
}

func (c Config) voteSeal(v Vote) string {
	return c.seal("vote", v.CaseID, v.RequestID, v.ApproverID, strconv.FormatBool(v.Approve),
		v.ContentHash, v.RecipientSetHash, sealTime(v.At), v.Via)
}

func (c Config) sealedRequest(r Request) bool {
	return r.Seal != "" && hmac.Equal([]byte(r.Seal), []byte(c.requestSeal(r)))
}

func (c Config) sealedVote(v Vote) bool {
	return v.Seal != "" && hmac.Equal([]byte(v.Seal), []byte(c.voteSeal(v)))
}
