package approval

import (
	"context"
	"fmt"
)

// NotApproved is the send stage's refusal: the approval records do not show
// a quorum for what would be sent. It is returned unwrapped, so Lambda
// reports its type name and the state machine's Catch routes on it; nothing
// is sent. Reason names what is missing, with ids and counts only.
type NotApproved struct {
	CaseID string
	Reason string
}

func (e *NotApproved) Error() string {
	return fmt.Sprintf("case %s is not approved for sending: %s", e.CaseID, e.Reason)
}

// RecordReader is what VerifyApproval reads: a case's requests and a
// request's votes (DynamoStore is one).
type RecordReader interface {
	Requests(ctx context.Context, caseID string) ([]Request, error)
	Votes(ctx context.Context, caseID, requestID string) ([]Vote, error)
}

// ForVerification is the part of c that VerifyApproval reads: the
// approvers, the quorum and the key. The send function keeps only that.
func (c Config) ForVerification() Config {
	return Config{Approvers: c.Approvers, Required: c.Required, Key: c.Key}
}

// Verified is the approval a send may rely on.
type Verified struct {
	RequestID        string
	ContentHash      string
	RecipientSetHash string
	// Approvers are the ids of the approvers whose votes make the quorum.
	Approvers []string
}

// VerifyApproval is the send stage's own check that a case was approved,
// made from the records the approval service wrote rather than from the
// workflow's payload, which anyone allowed to call SendTaskSuccess with the
// task token could forge. It holds when the case's latest request
//   - carries the approval service's seal and is approved;
//   - bound the case's current content and recipient-set hashes (cur);
//   - has sealed votes, cast on those hashes, from at least the required
//     number of distinct configured approvers who were asked, none of them
//     the submitter, and no sealed rejection.
//
// claimed, if not empty, is the content hash the workflow carries
// ($.approval.content_hash); it must be the verified one.
func VerifyApproval(ctx context.Context, c Config, st RecordReader, caseID, claimed string, cur Hashes) (Verified, error) {
	refuse := func(format string, args ...any) (Verified, error) {
		return Verified{}, &NotApproved{CaseID: caseID, Reason: fmt.Sprintf(format, args...)}
	}
	reqs, err := st.Requests(ctx, caseID)
	if err != nil {
		return Verified{}, fmt.Errorf("approval records of %s: %w", caseID, err)
	}
	if len(reqs) == 0 {
		return refuse("no approval request is recorded")
	}
	r := reqs[len(reqs)-1]
	switch {
	case !c.sealedRequest(r):
		return refuse("approval request %s does not carry the approval service's seal", r.RequestID)
	case r.Status != StatusApproved:
		return refuse("approval request %s is %s", r.RequestID, r.Status)
	case r.Stage != cur.Stage:
		return refuse("approval request %s is for stage %q, not %q", r.RequestID, r.Stage, cur.Stage)
	case r.ContentHash != cur.Content:
		return refuse("drafts hash %.12s but request %s approved %.12s", cur.Content, r.RequestID, r.ContentHash)
	case r.RecipientSetHash != cur.RecipientSet:
		return refuse("recipient set hash %.12s but request %s approved %.12s", cur.RecipientSet, r.RequestID, r.RecipientSetHash)
	case claimed != "" && claimed != r.ContentHash:
		return refuse("the workflow carries content hash %.12s but request %s approved %.12s", claimed, r.RequestID, r.ContentHash)
	}
	votes, err := st.Votes(ctx, caseID, r.RequestID)
	if err != nil {
		return Verified{}, fmt.Errorf("votes of %s/%s: %w", caseID, r.RequestID, err)
	}
	out := Verified{RequestID: r.RequestID, ContentHash: r.ContentHash, RecipientSetHash: r.RecipientSetHash}
	seen := map[string]bool{}
	for _, v := range votes {
		switch {
		case v.CaseID != caseID || v.RequestID != r.RequestID || !c.sealedVote(v):
			return refuse("a vote on request %s does not carry the approval service's seal", r.RequestID)
		case v.ContentHash != r.ContentHash || v.RecipientSetHash != r.RecipientSetHash:
			return refuse("vote of %s on request %s was cast on other hashes", v.ApproverID, r.RequestID)
		case !v.Approve:
			return refuse("request %s was rejected by %s", r.RequestID, v.ApproverID)
		}
		if _, id, ok := c.approver(v.ApproverID); !ok || id != v.ApproverID || !r.Asked(id) || id == r.SubmitterID || seen[id] {
			continue
		}
		seen[v.ApproverID] = true
		out.Approvers = append(out.Approvers, v.ApproverID)
	}
	if need := max(c.required(), r.Required); len(out.Approvers) < need {
		return refuse("request %s has %d of %d required approvals from distinct configured approvers", r.RequestID, len(out.Approvers), need)
	}
	return out, nil
}
