package approval

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
)

// OpenInput is the approval task's input (the state machine passes the task
// token as $$.Task.Token). It holds ids, hashes and staff ids only.
type OpenInput struct {
	CaseID           string     `json:"case_id"`
	TaskToken        string     `json:"task_token"`
	ContentHash      string     `json:"content_hash"`
	RecipientSetHash string     `json:"recipient_set_hash"`
	Deadlines        []Deadline `json:"deadlines"`
	// Approvers optionally narrows the configured list (ids or emails);
	// empty means every configured approver.
	Approvers []string `json:"approvers,omitempty"`
	// Submitter is the approver id (preferred, keeps emails out of the
	// execution history) or the staff email of whoever submitted the case.
	Submitter string `json:"submitter"`
	// Required overrides the configured quorum when larger; 0 keeps it.
	Required int `json:"required,omitempty"`
	// Stage is the obligation id of a staged duty whose filing this round
	// approves (package stage); empty for the case's drafts.
	Stage string `json:"stage,omitempty"`
	// Channels counts the people in scope by channel plan (cases.Case's
	// Channels): counts only, shown to the approvers in their e-mail.
	Channels map[string]int `json:"channels,omitempty"`
}

// OpenOutput is what Open reports (the waiting task ignores it; it goes to
// the log).
type OpenOutput struct {
	CaseID      string `json:"case_id"`
	RequestID   string `json:"request_id"`
	LinksIssued int    `json:"links_issued"`
}

// RequestID derives the request id from the task token, so a retried
// invocation of the approval task finds the request it already made.
func RequestID(taskToken string) string {
	sum := sha256.Sum256([]byte(taskToken))
	return "r" + hex.EncodeToString(sum[:10])
}

// Open records an approval request for a waiting task and emails each
// approver a link. A retry with the same token re-issues links (each is
// single-use and votes count once per approver, so duplicates are harmless)
// rather than risk an approver who never got one.
func (s *Service) Open(ctx context.Context, in OpenInput) (OpenOutput, error) {
	req, err := s.newRequest(in)
	if err != nil {
		return OpenOutput{}, err
	}
	switch err := s.Store.CreateRequest(ctx, req); {
	case errors.Is(err, ErrExists):
		if req, err = s.Store.Request(ctx, req.CaseID, req.RequestID); err != nil {
			return OpenOutput{}, err
		}
		if req.Status != StatusPending {
			return OpenOutput{CaseID: req.CaseID, RequestID: req.RequestID}, nil
		}
	case err != nil:
		return OpenOutput{}, fmt.Errorf("open approval %s: %w", in.CaseID, err)
	default:
		due, _ := req.Earliest()
		if err := s.audit(ctx, req.CaseID, "approval-request", "approval.requested", map[string]string{
			"request_id": req.RequestID, "content_hash": req.ContentHash, "recipient_set_hash": req.RecipientSetHash,
			"required": strconv.Itoa(req.Required), "approvers": strings.Join(req.Approvers, ","),
			"submitter_id": req.SubmitterID, "earliest_due_at": formatTime(due),
		}); err != nil {
			return OpenOutput{}, err
		}
	}
	if err := s.supersede(ctx, req); err != nil {
		return OpenOutput{}, err
	}
	issued := 0
	for _, id := range req.Approvers {
		if err := s.issueLink(ctx, req, id); err != nil {
			return OpenOutput{}, err
		}
		issued++
	}
	s.log().InfoContext(ctx, "approval requested", "case_id", req.CaseID, "request_id", req.RequestID, "links", issued, "required", req.Required)
	return OpenOutput{CaseID: req.CaseID, RequestID: req.RequestID, LinksIssued: issued}, nil
}

func (s *Service) newRequest(in OpenInput) (Request, error) {
	switch {
	case in.CaseID == "":
		return Request{}, InvalidRequestError{"case_id", "is empty"}
	case in.TaskToken == "":
		return Request{}, InvalidRequestError{"task_token", "is empty"}
	case in.ContentHash == "":
		return Request{}, InvalidRequestError{"content_hash", "is empty"}
	case in.RecipientSetHash == "":
		return Request{}, InvalidRequestError{"recipient_set_hash", "is empty"}
	case in.Submitter == "":
		return Request{}, InvalidRequestError{"submitter", "is empty"}
	}
	for i, d := range in.Deadlines {
		if d.DueAt.IsZero() {
			return Request{}, InvalidRequestError{fmt.Sprintf("deadlines[%d].due_at", i), "is missing"}
		}
	}
	submitter := in.Submitter
	if !strings.HasPrefix(submitter, "ap-") {
		submitter = ApproverID(submitter)
	}
	pool := in.Approvers
	if len(pool) == 0 {
		pool = s.Config.Approvers
	}
	var ids []string
	for i, a := range pool {
		_, id, ok := s.Config.approver(a)
		if !ok {
			return Request{}, InvalidRequestError{fmt.Sprintf("approvers[%d]", i), "is not a configured approver"}
		}
		if id != submitter && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	required := max(s.Config.required(), in.Required)
	if len(ids) < required {
		return Request{}, InvalidRequestError{"approvers", fmt.Sprintf("%d eligible approvers (the submitter excluded), %d required", len(ids), required)}
	}
	r := Request{
		CaseID: in.CaseID, RequestID: RequestID(in.TaskToken), TaskToken: in.TaskToken,
		ContentHash: in.ContentHash, RecipientSetHash: in.RecipientSetHash, Deadlines: in.Deadlines,
		SubmitterID: submitter, Approvers: ids, Required: required,
		Status: StatusPending, CreatedAt: s.now(), Stage: in.Stage, Channels: in.Channels,
	}
	r.Seal = s.Config.requestSeal(r)
	return r, nil
}

// supersede closes the case's older pending requests: only one round is
// open at a time, and links of an old round must not count toward a new one.
func (s *Service) supersede(ctx context.Context, cur Request) error {
	reqs, err := s.Store.Requests(ctx, cur.CaseID)
	if err != nil {
		return fmt.Errorf("supersede %s: %w", cur.CaseID, err)
	}
	for _, r := range reqs {
		if r.RequestID == cur.RequestID || r.Status != StatusPending {
			continue
		}
		if err := s.Store.SetStatus(ctx, r.CaseID, r.RequestID, StatusPending, StatusSuperseded, s.now()); err != nil && !errors.Is(err, ErrConflict) {
			return fmt.Errorf("supersede %s/%s: %w", r.CaseID, r.RequestID, err)
		}
		_, err := s.Tasks.SendTaskFailure(ctx, &sfn.SendTaskFailureInput{
			TaskToken: aws.String(r.TaskToken), Error: aws.String(ErrorSuperseded),
			Cause: aws.String(fmt.Sprintf(`{"case_id":%q,"request_id":%q,"superseded_by":%q}`, r.CaseID, r.RequestID, cur.RequestID)),
		})
		if err := ignoreTaskGone(err); err != nil {
			return fmt.Errorf("supersede %s/%s: %w", r.CaseID, r.RequestID, err)
		}
		if err := s.audit(ctx, r.CaseID, "approval-request", "approval.superseded", map[string]string{
			"request_id": r.RequestID, "superseded_by": cur.RequestID,
		}); err != nil {
			return err
		}
	}
	return nil
}

// issueLink records and emails one approver's link.
func (s *Service) issueLink(ctx context.Context, r Request, approverID string) error {
	now := s.now()
	l := Link{
		CaseID: r.CaseID, RequestID: r.RequestID, Nonce: newNonce(), ApproverID: approverID,
		IssuedAt: now, Expires: now.Add(s.Config.linkTTL()).Truncate(time.Second),
	}
	token := s.Signer().Sign(Claims{
		CaseID: r.CaseID, ApproverID: approverID, RequestID: r.RequestID, Nonce: l.Nonce,
		ContentHash: r.ContentHash, RecipientSetHash: r.RecipientSetHash, Expires: l.Expires.Unix(),
	})
	if err := s.Store.PutLink(ctx, l); err != nil {
		return fmt.Errorf("issue link %s/%s: %w", r.CaseID, approverID, err)
	}
	email := s.Config.ApproverEmail(approverID)
	if err := s.send(ctx, []string{email}, approverMail(s.Config, r, LinkURL(s.Config.ConsoleURL, token), l.Expires)); err != nil {
		return fmt.Errorf("email link %s/%s: %w", r.CaseID, approverID, err)
	}
	return s.audit(ctx, r.CaseID, "approval-request", "approval.link_issued", map[string]string{
		"request_id": r.RequestID, "approver_id": approverID, "nonce": l.Nonce, "expires": formatTime(l.Expires),
	})
}

// LinkURL is the console address of a link token.
func LinkURL(consoleURL, token string) string {
	return strings.TrimRight(consoleURL, "/") + "/a/" + token
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
