package approval

import (
	"context"
	"errors"
	"time"
)

// Store errors. Implementations return them (possibly wrapped) so the rules
// can tell a lost race from a failure.
var (
	ErrNotFound         = errors.New("not found")
	ErrExists           = errors.New("already exists")
	ErrConflict         = errors.New("state changed meanwhile")
	ErrLinkUsed         = errors.New("approval link was already used")
	ErrAlreadyVoted     = errors.New("this approver has already decided")
	ErrAlreadyEscalated = errors.New("escalation already sent")
)

// The store's roles, each the records of one kind, declared by how the
// rules use them. DynamoStore and approvaltest.MemStore implement them all.

// RequestStore keeps approval requests: Open creates one (and reads it back
// on a retried task); CheckLink and Decide look them up.
type RequestStore interface {
	// CreateRequest stores a new request; ErrExists if its id is taken.
	CreateRequest(ctx context.Context, r Request) error
	// Request returns one request; ErrNotFound if absent.
	Request(ctx context.Context, caseID, requestID string) (Request, error)
	// Requests returns a case's requests, oldest first.
	Requests(ctx context.Context, caseID string) ([]Request, error)
}

// StatusStore closes requests: Decide on a quorum or a rejection, Open when
// a new request supersedes an old one.
type StatusStore interface {
	// SetStatus moves a request from one status to another; ErrConflict if
	// it is no longer in from.
	SetStatus(ctx context.Context, caseID, requestID string, from, to Status, at time.Time) error
	// MarkNotified records that Step Functions accepted the decision.
	MarkNotified(ctx context.Context, caseID, requestID string) error
}

// LinkStore keeps issued links: Open issues them, CheckLink reads them,
// Decide consumes them.
type LinkStore interface {
	// PutLink records an issued link.
	PutLink(ctx context.Context, l Link) error
	// Link returns an issued link; ErrNotFound if absent.
	Link(ctx context.Context, caseID, nonce string) (Link, error)
	// ConsumeLink marks a link used; ErrLinkUsed if it was, ErrNotFound
	// if it was never issued.
	ConsumeLink(ctx context.Context, caseID, nonce string, at time.Time) error
}

// VoteStore keeps votes: Decide adds them and counts the quorum; Escalate
// and CaseState count them.
type VoteStore interface {
	// AddVote records a vote; ErrAlreadyVoted if the approver voted on
	// this request before.
	AddVote(ctx context.Context, v Vote) error
	// Votes returns a request's votes, in time order.
	Votes(ctx context.Context, caseID, requestID string) ([]Vote, error)
}

// EscalationStore is what Escalate runs on: the requests still pending near
// a deadline and the once-per-margin claims (CaseState lists the claims).
type EscalationStore interface {
	// Pending returns pending requests whose earliest deadline is before
	// (or which have no deadline), soonest first.
	Pending(ctx context.Context, before time.Time) ([]Request, error)
	// ClaimEscalation records an escalation; ErrAlreadyEscalated if this
	// case's threshold fired before.
	ClaimEscalation(ctx context.Context, e Escalation) error
	// Escalations returns a case's escalations.
	Escalations(ctx context.Context, caseID string) ([]Escalation, error)
}

// Store is every role together: what Service holds, since its operations
// between them keep the whole life of a request (each names above the roles
// it uses), and what the store contract test checks. Every "once" in the
// rules is a conditional single-item write here. A consumer that needs less
// takes a role (VerifyApproval takes a RecordReader).
type Store interface {
	RequestStore
	StatusStore
	LinkStore
	VoteStore
	EscalationStore
}
