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

// Store keeps requests, links, votes and escalations. Every "once" in the
// rules is a conditional single-item write here.
type Store interface {
	// CreateRequest stores a new request; ErrExists if its id is taken.
	CreateRequest(ctx context.Context, r Request) error
	// Request returns one request; ErrNotFound if absent.
	Request(ctx context.Context, caseID, requestID string) (Request, error)
	// Requests returns a case's requests, oldest first.
	Requests(ctx context.Context, caseID string) ([]Request, error)
	// Pending returns pending requests whose earliest deadline is before
	// (or which have no deadline), soonest first.
	Pending(ctx context.Context, before time.Time) ([]Request, error)
	// SetStatus moves a request from one status to another; ErrConflict if
	// it is no longer in from.
	SetStatus(ctx context.Context, caseID, requestID string, from, to Status, at time.Time) error
	// MarkNotified records that Step Functions accepted the decision.
	MarkNotified(ctx context.Context, caseID, requestID string) error
	// PutLink records an issued link.
	PutLink(ctx context.Context, l Link) error
	// Link returns an issued link; ErrNotFound if absent.
	Link(ctx context.Context, caseID, nonce string) (Link, error)
	// ConsumeLink marks a link used; ErrLinkUsed if it was, ErrNotFound
	// if it was never issued.
	ConsumeLink(ctx context.Context, caseID, nonce string, at time.Time) error
	// AddVote records a vote; ErrAlreadyVoted if the approver voted on
	// this request before.
	AddVote(ctx context.Context, v Vote) error
	// Votes returns a request's votes, in time order.
	Votes(ctx context.Context, caseID, requestID string) ([]Vote, error)
	// ClaimEscalation records an escalation; ErrAlreadyEscalated if this
	// case's threshold fired before.
	ClaimEscalation(ctx context.Context, e Escalation) error
	// Escalations returns a case's escalations.
	Escalations(ctx context.Context, caseID string) ([]Escalation, error)
}
