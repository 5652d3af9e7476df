// Package approvaltest holds the approval service's test double: MemStore,
// an approval.Store in memory with the same once-only semantics as
// approval.DynamoStore, for unit tests, the console's browser test and
// other packages' tests, as net/http/httptest serves net/http's. No
// production code imports it.
package approvaltest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"breachflow/internal/approval"
)

// MemStore is an approval.Store (every role) in memory, with the same
// once-only semantics as DynamoStore. It serves unit tests, the browser
// test and demos.
type MemStore struct {
	mu          sync.Mutex
	requests    map[string]approval.Request // case/request
	links       map[string]approval.Link    // case/nonce
	votes       map[string]approval.Vote    // case/request/approver
	escalations map[string]approval.Escalation
}

// NewMemStore returns an empty MemStore.
func NewMemStore() *MemStore {
	return &MemStore{
		requests: map[string]approval.Request{}, links: map[string]approval.Link{},
		votes: map[string]approval.Vote{}, escalations: map[string]approval.Escalation{},
	}
}

func key(parts ...string) string { return fmt.Sprint(parts) }

// CreateRequest implements approval.RequestStore.
func (m *MemStore) CreateRequest(_ context.Context, r approval.Request) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := key(r.CaseID, r.RequestID)
	if _, ok := m.requests[k]; ok {
		return approval.ErrExists
	}
	m.requests[k] = cloneRequest(r)
	return nil
}

// Request implements approval.RequestStore.
func (m *MemStore) Request(_ context.Context, caseID, requestID string) (approval.Request, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.requests[key(caseID, requestID)]
	if !ok {
		return approval.Request{}, fmt.Errorf("approval request %s/%s: %w", caseID, requestID, approval.ErrNotFound)
	}
	return cloneRequest(r), nil
}

// Requests implements approval.RequestStore.
func (m *MemStore) Requests(_ context.Context, caseID string) ([]approval.Request, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []approval.Request
	for _, r := range m.requests {
		if r.CaseID == caseID {
			out = append(out, cloneRequest(r))
		}
	}
	slices.SortFunc(out, func(a, b approval.Request) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return out, nil
}

// Pending implements approval.EscalationStore.
func (m *MemStore) Pending(_ context.Context, before time.Time) ([]approval.Request, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []approval.Request
	for _, r := range m.requests {
		if r.Status != approval.StatusPending {
			continue
		}
		if t, ok := r.Earliest(); !ok || t.Before(before) {
			out = append(out, cloneRequest(r))
		}
	}
	slices.SortFunc(out, func(a, b approval.Request) int {
		ta, _ := a.Earliest()
		tb, _ := b.Earliest()
		return ta.Compare(tb)
	})
	return out, nil
}

// SetStatus implements approval.StatusStore.
func (m *MemStore) SetStatus(_ context.Context, caseID, requestID string, from, to approval.Status, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := key(caseID, requestID)
	r, ok := m.requests[k]
	if !ok {
		return fmt.Errorf("approval request %s/%s: %w", caseID, requestID, approval.ErrNotFound)
	}
	if r.Status != from {
		return approval.ErrConflict
	}
	r.Status, r.DecidedAt = to, at
	m.requests[k] = r
	return nil
}

// MarkNotified implements approval.StatusStore.
func (m *MemStore) MarkNotified(_ context.Context, caseID, requestID string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := key(caseID, requestID)
	r, ok := m.requests[k]
	if !ok {
		return approval.ErrNotFound
	}
	r.TaskNotified = true
	m.requests[k] = r
	return nil
}

// PutLink implements approval.LinkStore.
func (m *MemStore) PutLink(_ context.Context, l approval.Link) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := key(l.CaseID, l.Nonce)
	if _, ok := m.links[k]; ok {
		return approval.ErrExists
	}
	m.links[k] = l
	return nil
}

// Link implements approval.LinkStore.
func (m *MemStore) Link(_ context.Context, caseID, nonce string) (approval.Link, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	l, ok := m.links[key(caseID, nonce)]
	if !ok {
		return approval.Link{}, approval.ErrNotFound
	}
	return l, nil
}

// ConsumeLink implements approval.LinkStore.
func (m *MemStore) ConsumeLink(_ context.Context, caseID, nonce string, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := key(caseID, nonce)
	l, ok := m.links[k]
	switch {
	case !ok:
		return approval.ErrNotFound
	case !l.ConsumedAt.IsZero():
		return approval.ErrLinkUsed
	}
	l.ConsumedAt = at
	m.links[k] = l
	return nil
}

// AddVote implements approval.VoteStore.
func (m *MemStore) AddVote(_ context.Context, v approval.Vote) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := key(v.CaseID, v.RequestID, v.ApproverID)
	if _, ok := m.votes[k]; ok {
		return approval.ErrAlreadyVoted
	}
	m.votes[k] = v
	return nil
}

// Votes implements approval.VoteStore.
func (m *MemStore) Votes(_ context.Context, caseID, requestID string) ([]approval.Vote, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []approval.Vote
	for _, v := range m.votes {
		if v.CaseID == caseID && v.RequestID == requestID {
			out = append(out, v)
		}
	}
	slices.SortFunc(out, func(a, b approval.Vote) int { return a.At.Compare(b.At) })
	return out, nil
}

// ClaimEscalation implements approval.EscalationStore.
func (m *MemStore) ClaimEscalation(_ context.Context, e approval.Escalation) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := key(e.CaseID, e.Stage, e.Margin.String())
	if _, ok := m.escalations[k]; ok {
		return approval.ErrAlreadyEscalated
	}
	m.escalations[k] = e
	return nil
}

// Escalations implements approval.EscalationStore.
func (m *MemStore) Escalations(_ context.Context, caseID string) ([]approval.Escalation, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []approval.Escalation
	for _, e := range m.escalations {
		if e.CaseID == caseID {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b approval.Escalation) int { return a.At.Compare(b.At) })
	return out, nil
}

func cloneRequest(r approval.Request) approval.Request {
	r.Deadlines = slices.Clone(r.Deadlines)
	r.Approvers = slices.Clone(r.Approvers)
	return r
}

var _ approval.Store = (*MemStore)(nil)
