package approval

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
)

// Decision is one approver's approve or reject.
type Decision struct {
	// Token is the link token when the decision comes through the
	// console; it fixes the case, request and approver.
	Token string
	// CaseID and Approver (email or id) identify a decision without a link
	// (the CLI); the case's pending request is decided.
	CaseID   string
	Approver string
	Approve  bool
	// Comment is the approver's reason; required to reject.
	Comment string
}

// Outcome is what a decision led to.
type Outcome struct {
	Request   Request
	Approvals []Approval
	// Decided is true when this decision closed the request (quorum
	// reached or rejected).
	Decided bool
}

// LinkState is a checked link: its claims and the request it belongs to.
type LinkState struct {
	Claims  Claims
	Request Request
}

// VerifyLink checks a link token's signature and expiry on the service's
// clock; see Signer.Verify.
func (s *Service) VerifyLink(token string) (Claims, error) {
	return s.Signer().Verify(token, s.now())
}

// CheckLink verifies a link token for display: signature, expiry, not yet
// used, request still pending, and drafts and recipients unchanged. It
// decides nothing. The error says why the link is void.
func (s *Service) CheckLink(ctx context.Context, token string) (LinkState, error) {
	c, err := s.Signer().Verify(token, s.now())
	if err != nil {
		return LinkState{}, err
	}
	l, err := s.Store.Link(ctx, c.CaseID, c.Nonce)
	if err != nil {
		return LinkState{}, fmt.Errorf("link of case %s: %w", c.CaseID, err)
	}
	if !l.ConsumedAt.IsZero() {
		return LinkState{}, ErrLinkUsed
	}
	r, err := s.Store.Request(ctx, c.CaseID, c.RequestID)
	if err != nil {
		return LinkState{}, err
	}
	if err := s.bound(ctx, r, &c); err != nil {
		return LinkState{Claims: c, Request: r}, err
	}
	return LinkState{Claims: c, Request: r}, nil
}

// bound checks that the request is open and still binds what would be sent
// now, and that the link (if any) binds the same.
func (s *Service) bound(ctx context.Context, r Request, c *Claims) error {
	if r.Status != StatusPending {
		return fmt.Errorf("request %s is %s: %w", r.RequestID, r.Status, ErrClosed)
	}
	if c != nil && (c.ContentHash != r.ContentHash || c.RecipientSetHash != r.RecipientSetHash) {
		return ErrStale
	}
	cur, err := s.current(ctx, r)
	if err != nil {
		return fmt.Errorf("current hashes of %s: %w", r.CaseID, err)
	}
	if cur.Content != r.ContentHash || cur.RecipientSet != r.RecipientSetHash {
		return ErrStale
	}
	return nil
}

// Decide applies one decision under the rules in the package comment. A GET
// must never reach it: the console calls it only for a POST with a valid
// CSRF token. Refusals of a known request are audited too ("approval.refused"),
// since replays and self-approvals are what an investigator looks for.
func (s *Service) Decide(ctx context.Context, d Decision) (Outcome, error) {
	r, claims, who, err := s.resolve(ctx, d)
	if err != nil {
		return Outcome{}, err
	}
	via := "cli"
	if claims != nil {
		via = "link"
	}
	v, err := s.admit(ctx, r, claims, who, via, d)
	if err != nil {
		s.refused(ctx, r, who, via, err)
		return Outcome{}, err
	}
	if !d.Approve {
		return s.reject(ctx, r, v)
	}
	return s.approve(ctx, r, v)
}

// resolve finds the request a decision is about and who claims to decide.
func (s *Service) resolve(ctx context.Context, d Decision) (Request, *Claims, string, error) {
	if d.Token == "" {
		r, err := s.pending(ctx, d.CaseID)
		return r, nil, d.Approver, err
	}
	c, err := s.Signer().Verify(d.Token, s.now())
	if err != nil {
		return Request{}, nil, "", err
	}
	r, err := s.Store.Request(ctx, c.CaseID, c.RequestID)
	if err != nil {
		return Request{}, nil, "", err
	}
	return r, &c, c.ApproverID, nil
}

// admit applies the rules and records the vote, consuming the link first.
func (s *Service) admit(ctx context.Context, r Request, claims *Claims, who, via string, d Decision) (Vote, error) {
	_, id, ok := s.Config.approver(who)
	switch {
	case !ok:
		return Vote{}, fmt.Errorf("case %s: %w", r.CaseID, ErrNotApprover)
	case d.Approve && id == r.SubmitterID:
		return Vote{}, fmt.Errorf("case %s: %w", r.CaseID, ErrSelfApproval)
	case !r.Asked(id):
		return Vote{}, fmt.Errorf("case %s: %w", r.CaseID, ErrNotApprover)
	case !d.Approve && d.Comment == "":
		return Vote{}, InvalidRequestError{"comment", "a rejection needs a reason"}
	}
	if err := s.bound(ctx, r, claims); err != nil {
		return Vote{}, err
	}
	now := s.now()
	if claims != nil {
		if err := s.Store.ConsumeLink(ctx, r.CaseID, claims.Nonce, now); err != nil {
			return Vote{}, fmt.Errorf("case %s: %w", r.CaseID, err)
		}
	}
	v := Vote{
		CaseID: r.CaseID, RequestID: r.RequestID, ApproverID: id, Approve: d.Approve, Comment: d.Comment, At: now, Via: via,
		ContentHash: r.ContentHash, RecipientSetHash: r.RecipientSetHash,
	}
	v.Seal = s.Config.voteSeal(v)
	if err := s.Store.AddVote(ctx, v); err != nil {
		return Vote{}, fmt.Errorf("case %s: %w", r.CaseID, err)
	}
	return v, nil
}

// refusals name the rule errors in the audit log.
var refusals = []struct {
	err  error
	name string
}{
	{ErrNotApprover, "not_approver"}, {ErrSelfApproval, "self_approval"}, {ErrStale, "stale"},
	{ErrClosed, "closed"}, {ErrLinkUsed, "link_used"}, {ErrAlreadyVoted, "already_voted"},
}

// refused audits a refused decision. Who is recorded by approver id; an
// identity that is not configured is recorded as "unconfigured", since the
// input could be anything.
func (s *Service) refused(ctx context.Context, r Request, who, via string, err error) {
	for _, rf := range refusals {
		if !errors.Is(err, rf.err) {
			continue
		}
		actor := "unconfigured"
		if _, id, ok := s.Config.approver(who); ok {
			actor = id
		}
		if aerr := s.audit(ctx, r.CaseID, actor, "approval.refused", map[string]string{
			"request_id": r.RequestID, "via": via, "reason": rf.name,
		}); aerr != nil {
			s.log().ErrorContext(ctx, "audit refusal", "case_id", r.CaseID, "err", aerr)
		}
		return
	}
}

func (s *Service) reject(ctx context.Context, r Request, v Vote) (Outcome, error) {
	if err := s.audit(ctx, r.CaseID, v.ApproverID, "approval.rejected", map[string]string{
		"request_id": r.RequestID, "via": v.Via, "comment": v.Comment,
	}); err != nil {
		return Outcome{}, err
	}
	if err := s.Store.SetStatus(ctx, r.CaseID, r.RequestID, StatusPending, StatusRejected, v.At); err != nil {
		return Outcome{}, fmt.Errorf("reject %s: %w", r.RequestID, errors.Join(ErrClosed, err))
	}
	r.Status, r.DecidedAt = StatusRejected, v.At
	if s.Rejections != nil {
		// Before the task fails: the execution then waits for a revision,
		// and whoever revises reads why from the case.
		// The decision stands without it (the audit log has the comment):
		// failing here would leave the execution waiting on a request
		// that is already rejected.
		if _, err := s.Rejections.RecordRejection(ctx, r.CaseID, v.ApproverID, v.Comment, v.At); err != nil {
			s.log().ErrorContext(ctx, "rejection reason not kept on the case", "case_id", r.CaseID, "request_id", r.RequestID, "err", err)
		}
	}
	// The comment stays in the case record: the history gets ids only.
	cause, _ := json.Marshal(map[string]string{"case_id": r.CaseID, "request_id": r.RequestID, "approver_id": v.ApproverID, "at": formatTime(v.At)})
	_, err := s.Tasks.SendTaskFailure(ctx, &sfn.SendTaskFailureInput{
		TaskToken: aws.String(r.TaskToken), Error: aws.String(ErrorRejected), Cause: aws.String(string(cause)),
	})
	if err := s.notified(ctx, r, err); err != nil {
		return Outcome{Request: r, Decided: true}, err
	}
	s.log().InfoContext(ctx, "approval rejected", "case_id", r.CaseID, "request_id", r.RequestID, "approver_id", v.ApproverID)
	return Outcome{Request: r, Decided: true}, nil
}

func (s *Service) approve(ctx context.Context, r Request, v Vote) (Outcome, error) {
	if err := s.audit(ctx, r.CaseID, v.ApproverID, "approval.approved", map[string]string{
		"request_id": r.RequestID, "via": v.Via, "content_hash": r.ContentHash, "recipient_set_hash": r.RecipientSetHash, "comment": v.Comment,
	}); err != nil {
		return Outcome{}, err
	}
	votes, err := s.Store.Votes(ctx, r.CaseID, r.RequestID)
	if err != nil {
		return Outcome{}, fmt.Errorf("votes %s: %w", r.RequestID, err)
	}
	got := approvals(r, votes)
	out := Outcome{Request: r, Approvals: got}
	if len(got) < r.Required {
		s.log().InfoContext(ctx, "approval recorded", "case_id", r.CaseID, "request_id", r.RequestID, "approvals", len(got), "required", r.Required)
		return out, nil
	}
	// Two last approvers may both see a quorum; the status change lets
	// exactly one of them answer the task.
	if err := s.Store.SetStatus(ctx, r.CaseID, r.RequestID, StatusPending, StatusApproved, v.At); errors.Is(err, ErrConflict) {
		// Another approver's decision closed it a moment ago: report
		// the request as it now stands.
		if cur, err := s.Store.Request(ctx, r.CaseID, r.RequestID); err == nil {
			out.Request = cur
		}
		return out, nil
	} else if err != nil {
		return out, fmt.Errorf("approve %s: %w", r.RequestID, err)
	}
	r.Status, r.DecidedAt = StatusApproved, v.At
	out.Request, out.Decided = r, true
	ids := make([]string, len(got))
	for i, a := range got {
		ids[i] = a.ApproverID
	}
	if err := s.audit(ctx, r.CaseID, "approval", "approval.quorum", map[string]string{
		"request_id": r.RequestID, "approvers": fmt.Sprint(ids), "required": strconv.Itoa(r.Required),
		"content_hash": r.ContentHash, "recipient_set_hash": r.RecipientSetHash,
	}); err != nil {
		return out, err
	}
	rec, _ := json.Marshal(Record{
		CaseID: r.CaseID, RequestID: r.RequestID, Decision: string(StatusApproved), ContentHash: r.ContentHash,
		RecipientSetHash: r.RecipientSetHash, Required: r.Required, Approvals: got, DecidedAt: v.At,
	})
	_, err = s.Tasks.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(r.TaskToken), Output: aws.String(string(rec))})
	if err := s.notified(ctx, r, err); err != nil {
		return out, err
	}
	s.log().InfoContext(ctx, "approval quorum", "case_id", r.CaseID, "request_id", r.RequestID, "approvals", len(got))
	return out, nil
}

// notified records the outcome of answering the task.
func (s *Service) notified(ctx context.Context, r Request, sendErr error) error {
	if sendErr != nil {
		if ignoreTaskGone(sendErr) == nil {
			_ = s.audit(ctx, r.CaseID, "approval", "approval.task_gone", map[string]string{"request_id": r.RequestID})
			return fmt.Errorf("case %s: %w", r.CaseID, ErrTaskGone)
		}
		return fmt.Errorf("answer task of %s: %w", r.RequestID, sendErr)
	}
	if err := s.Store.MarkNotified(ctx, r.CaseID, r.RequestID); err != nil {
		return fmt.Errorf("mark notified %s: %w", r.RequestID, err)
	}
	return nil
}
