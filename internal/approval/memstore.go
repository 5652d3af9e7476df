package approval

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// MemStore is a Store in memory, with the same once-only semantics as
// DynamoStore. It serves unit tests, the browser test and demos.
type MemStore struct {
	mu          sync.Mutex
	requests    map[string]Request // case/request
	links       map[string]Link    // case/nonce
	votes       map[string]Vote    // case/request/approver
	escalations map[string]Escalation
}

// NewMemStore returns an empty MemStore.
func NewMemStore() *MemStore {
	return &MemStore{
		requests: map[string]Request{}, links: map[string]Link{},
		votes: map[string]Vote{}, escalations: map[string]Escalation{},
	}
}

func key(parts ...string) string { return fmt.Sprint(parts) }

// CreateRequest implements Store.
func (m *MemStore) CreateRequest(_ context.Context, r Request) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := key(r.CaseID, r.RequestID)
	if _, ok := m.requests[k]; ok {
		return ErrExists
	}
	m.requests[k] = cloneRequest(r)
	return nil
}

// Request implements Store.
func (m *MemStore) Request(_ context.Context, caseID, requestID string) (Request, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.requests[key(caseID, requestID)]
	if !ok {
		return Request{}, fmt.Errorf("approval request %s/%s: %w", caseID, requestID, ErrNotFound)
	}
	return cloneRequest(r), nil
}

// Requests implements Store.
func (m *MemStore) Requests(_ context.Context, caseID string) ([]Request, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Request
	for _, r := range m.requests {
		if r.CaseID == caseID {
			out = append(out, cloneRequest(r))
		}
	}
	slices.SortFunc(out, func(a, b Request) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return out, nil
}

// Pending implements Store.
func (m *MemStore) Pending(_ context.Context, before time.Time) ([]Request, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Request
	for _, r := range m.requests {
		if r.Status != StatusPending {
			continue
		}
		if t, ok := r.Earliest(); !ok || t.Before(before) {
			out = append(out, cloneRequest(r))
		}
	}
	slices.SortFunc(out, func(a, b Request) int {
		ta, _ := a.Earliest()
		tb, _ := b.Earliest()
		return ta.Compare(tb)
	})
	return out, nil
}

// SetStatus implements Store.
func (m *MemStore) SetStatus(_ context.Context, caseID, requestID string, from, to Status, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := key(caseID, requestID)
	r, ok := m.requests[k]
	if !ok {
		return fmt.Errorf("approval request %s/%s: %w", caseID, requestID, ErrNotFound)
	}
	if r.Status != from {
		return ErrConflict
	}
	r.Status, r.DecidedAt = to, at
	m.requests[k] = r
	return nil
}

// MarkNotified implements Store.
func (m *MemStore) MarkNotified(_ context.Context, caseID, requestID string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := key(caseID, requestID)
	r, ok := m.requests[k]
	if !ok {
		return ErrNotFound
	}
	r.TaskNotified = true
	m.requests[k] = r
	return nil
}

// PutLink implements Store.
func (m *MemStore) PutLink(_ context.Context, l Link) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := key(l.CaseID, l.Nonce)
	if _, ok := m.links[k]; ok {
		return ErrExists
	}
	m.links[k] = l
	return nil
}

// Link implements Store.
func (m *MemStore) Link(_ context.Context, caseID, nonce string) (Link, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	l, ok := m.links[key(caseID, nonce)]
	if !ok {
		return Link{}, ErrNotFound
	}
	return l, nil
}

// ConsumeLink implements Store.
func (m *MemStore) ConsumeLink(_ context.Context, caseID, nonce string, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := key(caseID, nonce)
	l, ok := m.links[k]
	switch {
	case !ok:
		return ErrNotFound
	case !l.ConsumedAt.IsZero():
		return ErrLinkUsed
	}
	l.ConsumedAt = at
	m.links[k] = l
	return nil
}

// AddVote implements Store.
func (m *MemStore) AddVote(_ context.Context, v Vote) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := key(v.CaseID, v.RequestID, v.ApproverID)
	if _, ok := m.votes[k]; ok {
		return ErrAlreadyVoted
	}
	m.votes[k] = v
	return nil
}

// Votes implements Store.
func (m *MemStore) Votes(_ context.Context, caseID, requestID string) ([]Vote, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Vote
	for _, v := range m.votes {
		if v.CaseID == caseID && v.RequestID == requestID {
			out = append(out, v)
		}
	}
	slices.SortFunc(out, func(a, b Vote) int { return a.At.Compare(b.At) })
	return out, nil
}

// ClaimEscalation implements Store.
func (m *MemStore) ClaimEscalation(_ context.Context, e Escalation) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := key(e.CaseID, e.Margin.String())
	if _, ok := m.escalations[k]; ok {
		return ErrAlreadyEscalated
	}
	m.escalations[k] = e
	return nil
}

// Escalations implements Store.
func (m *MemStore) Escalations(_ context.Context, caseID string) ([]Escalation, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Escalation
	for _, e := range m.escalations {
		if e.CaseID == caseID {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b Escalation) int { return a.At.Compare(b.At) })
	return out, nil
}

func cloneRequest(r Request) Request {
	r.Deadlines = slices.Clone(r.Deadlines)
	r.Approvers = slices.Clone(r.Approvers)
	return r
}
