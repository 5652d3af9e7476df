package approval

import (
	"breachflow/internal/cases"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"breachflow/internal/audit"
)

// TaskSender is the part of the Step Functions client that answers a
// waiting task.
type TaskSender interface {
	SendTaskSuccess(ctx context.Context, params *sfn.SendTaskSuccessInput, optFns ...func(*sfn.Options)) (*sfn.SendTaskSuccessOutput, error)
	SendTaskFailure(ctx context.Context, params *sfn.SendTaskFailureInput, optFns ...func(*sfn.Options)) (*sfn.SendTaskFailureOutput, error)
}

// Mailer is the part of the SES v2 client that sends approval and
// escalation emails.
type Mailer interface {
	SendEmail(ctx context.Context, params *sesv2.SendEmailInput, optFns ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)
}

// Hashes are the current content hash of a case's drafts and the current
// hash of its recipient set.
type Hashes struct {
	Content      string
	RecipientSet string
	// Stage is the staged duty (obligation id) the hashes are of; empty
	// for the case's drafts. An approval counts only for what it asked.
	Stage string
}

// HashSource returns a case's current hashes (the lead wires draft.Load and
// scope.RecipientSetHash). An approval is void when they differ from what
// the request bound.
type HashSource func(ctx context.Context, caseID string) (Hashes, error)

// Error names sent with SendTaskFailure; the state machine's Catch matches
// them.
const (
	// ErrorRejected: an approver rejected the drafts. The state machine
	// routes it to the documented end (or back to drafting).
	ErrorRejected = "ApprovalRejected"
	// ErrorSuperseded: a newer approval request replaced this one.
	ErrorSuperseded = "ApprovalSuperseded"
	// ErrorAmended: the report was amended while the approvers were
	// asked (Withdraw); the state machine begins a pass on the new version
	// and asks them about that instead.
	ErrorAmended = "ReportAmended"
)

// Service applies the approval rules. Its fields are its dependencies;
// set them all (Now may be nil).
type Service struct {
	Config Config
	// Store keeps the approval records. Open, Decide and Escalate between
	// them use every role of it; DynamoStore is the real one.
	Store   Store
	Tasks   TaskSender
	Mail    Mailer
	Audit   audit.Appender
	Current HashSource
	// Rejections, when set, keeps a rejection's reason with the case
	// (cases.Store), where `breachflow status` and the console show it
	// while the case waits for an amendment or a re-draft.
	Rejections RejectionRecorder
	// Stages gives the hashes of staged duties' approval rounds; nil: the
	// service takes no stage requests.
	Stages StageSource
	// StageDeadlines lists staged duties coming due, which Escalate warns
	// of like pending approvals; nil: none.
	StageDeadlines StageDeadlines
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Log receives one line per operation, ids and counts only; nil means
	// slog.Default().
	Log *slog.Logger
	// Metrics receives a CloudWatch embedded-metric line (DeadlinesAtRisk)
	// whenever an escalation check finds approvals pending close to a
	// deadline: what the template's deadline alarm watches. nil: none.
	Metrics io.Writer
}

// Signer returns the signer of the service's links and CSRF tokens.
func (s *Service) Signer() Signer { return Signer{Key: s.Config.Key} }

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func (s *Service) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

func (s *Service) audit(ctx context.Context, caseID, actor, action string, detail map[string]string) error {
	if _, err := s.Audit.Append(ctx, caseID, audit.Record{Actor: actor, Action: action, Detail: detail}); err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// StageSource gives the hashes a staged duty's approval binds (its one
// drafted filing and its one recipient) and its due date (stage.Store).
type StageSource interface {
	StageHashes(ctx context.Context, caseID, obligationID string) (Hashes, time.Time, error)
}

// current is what request r must still bind: the case's hashes, or for a
// stage request the stage's.
func (s *Service) current(ctx context.Context, r Request) (Hashes, error) {
	if r.Stage == "" {
		return s.Current(ctx, r.CaseID)
	}
	if s.Stages == nil {
		return Hashes{}, fmt.Errorf("request %s is for stage %s, and no stage source is configured", r.RequestID, r.Stage)
	}
	h, _, err := s.Stages.StageHashes(ctx, r.CaseID, r.Stage)
	return h, err
}

// State is what the console shows of a case's approval.
type State struct {
	// Request is the case's latest request; nil when none was made.
	Request     *Request
	Votes       []Vote
	Escalations []Escalation
	// Approvals counts the distinct approvers who approved Request.
	Approvals int
	Required  int
}

// CaseState returns the approval state of a case.
func (s *Service) CaseState(ctx context.Context, caseID string) (State, error) {
	return ReadState(ctx, s.Store, s.Config, caseID)
}

// StateReader is what ReadState reads: a case's requests, the latest one's
// votes and the case's escalations.
type StateReader interface {
	RecordReader
	Escalations(ctx context.Context, caseID string) ([]Escalation, error)
}

// ReadState returns the approval state of a case from its records; c gives
// the quorum of a case with no request yet. It reads only, so `breachflow
// status` calls it without a Service.
func ReadState(ctx context.Context, rd StateReader, c Config, caseID string) (State, error) {
	reqs, err := rd.Requests(ctx, caseID)
	if err != nil {
		return State{}, fmt.Errorf("approval state %s: %w", caseID, err)
	}
	st := State{Required: c.required()}
	if len(reqs) > 0 {
		r := reqs[len(reqs)-1]
		st.Request, st.Required = &r, r.Required
		if st.Votes, err = rd.Votes(ctx, caseID, r.RequestID); err != nil {
			return State{}, fmt.Errorf("approval state %s: %w", caseID, err)
		}
		st.Approvals = len(approvals(r, st.Votes))
	}
	if st.Escalations, err = rd.Escalations(ctx, caseID); err != nil {
		return State{}, fmt.Errorf("approval state %s: %w", caseID, err)
	}
	return st, nil
}

// pending returns the case's current pending request.
func (s *Service) pending(ctx context.Context, caseID string) (Request, error) {
	reqs, err := s.Store.Requests(ctx, caseID)
	if err != nil {
		return Request{}, err
	}
	for i := len(reqs) - 1; i >= 0; i-- {
		if reqs[i].Status == StatusPending {
			return reqs[i], nil
		}
	}
	if len(reqs) > 0 {
		return Request{}, fmt.Errorf("case %s: latest request is %s: %w", caseID, reqs[len(reqs)-1].Status, ErrClosed)
	}
	return Request{}, fmt.Errorf("approval request for case %s: %w", caseID, ErrNotFound)
}

// approvals returns the approving votes that count toward quorum: from
// approvers the request asked, never the submitter, one per approver.
func approvals(r Request, votes []Vote) []Approval {
	var out []Approval
	seen := map[string]bool{}
	for _, v := range votes {
		if v.Approve && r.Asked(v.ApproverID) && v.ApproverID != r.SubmitterID && !seen[v.ApproverID] {
			seen[v.ApproverID] = true
			out = append(out, Approval{ApproverID: v.ApproverID, At: v.At})
		}
	}
	return out
}

// ignoreTaskGone treats "the task is no longer waiting" as done: the
// decision is recorded either way, and there is nobody left to tell.
func ignoreTaskGone(err error) error {
	var apiErr interface{ ErrorCode() string }
	if errors.As(err, &apiErr) {
		switch apiErr.ErrorCode() {
		case "TaskTimedOut", "TaskDoesNotExist", "InvalidToken":
			return nil
		}
	}
	return err
}

// RejectionRecorder keeps the reason of a rejection on the case record.
type RejectionRecorder interface {
	RecordRejection(ctx context.Context, caseID, by, reason string, at time.Time) (cases.Case, error)
}
