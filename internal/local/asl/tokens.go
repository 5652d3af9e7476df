package asl

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strings"
	"sync"
)

// Token errors returned by TaskTokens.
var (
	// ErrTokenUnknown: no task is waiting on the token (never issued, or
	// already completed).
	ErrTokenUnknown = errors.New("task token does not exist")
	// ErrTokenInvalid: the text is not a task token at all.
	ErrTokenInvalid = errors.New("invalid task token")
	// ErrTokenTimedOut: the task waiting on the token timed out.
	ErrTokenTimedOut = errors.New("task timed out")
)

const tokenPrefix = "AQ"

// NewTaskToken returns a fresh opaque task token.
func NewTaskToken() string {
	var b [48]byte
	_, _ = rand.Read(b[:])
	return tokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
}

// ValidTaskToken reports whether s has the shape of a token from
// NewTaskToken.
func ValidTaskToken(s string) bool {
	if !strings.HasPrefix(s, tokenPrefix) || len(s) > 2048 {
		return false
	}
	b, err := base64.RawURLEncoding.DecodeString(s[len(tokenPrefix):])
	return err == nil && len(b) == 48
}

// TaskTokens tracks tasks waiting on a token (.waitForTaskToken). One
// registry serves every execution of a service.
type TaskTokens struct {
	mu       sync.Mutex
	pending  map[string]*tokenWait
	timedOut map[string]bool
}

type tokenWait struct {
	done      chan tokenResult // buffered 1
	beats     chan struct{}    // buffered 1
	completed bool             // a result is in done, not yet taken by the task
}

type tokenResult struct {
	output string
	err    *ExecError
}

// NewTaskTokens returns an empty registry.
func NewTaskTokens() *TaskTokens {
	return &TaskTokens{pending: map[string]*tokenWait{}, timedOut: map[string]bool{}}
}

// Expect registers a token before its task waits on it, so that a
// completion arriving first (e.g. right after a restart) is kept.
func (t *TaskTokens) Expect(token string) { t.get(token, true) }

func (t *TaskTokens) get(token string, create bool) *tokenWait {
	t.mu.Lock()
	defer t.mu.Unlock()
	w := t.pending[token]
	if w == nil && create {
		w = &tokenWait{done: make(chan tokenResult, 1), beats: make(chan struct{}, 1)}
		t.pending[token] = w
	}
	return w
}

func (t *TaskTokens) finish(token string, r tokenResult) error {
	if !ValidTaskToken(token) {
		return ErrTokenInvalid
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	w := t.pending[token]
	if w == nil || w.completed {
		if t.timedOut[token] {
			return ErrTokenTimedOut
		}
		return ErrTokenUnknown
	}
	// The entry stays until the task takes the result (Forget), so that a
	// completion that arrives before a resumed task waits again is kept.
	w.completed = true
	w.done <- r
	return nil
}

// Succeed completes the task with output (JSON text).
func (t *TaskTokens) Succeed(token, output string) error {
	return t.finish(token, tokenResult{output: output})
}

// Fail fails the task with an error name and cause.
func (t *TaskTokens) Fail(token, errName, cause string) error {
	return t.finish(token, tokenResult{err: &ExecError{Name: errName, Cause: cause}})
}

// Heartbeat records a heartbeat for the task.
func (t *TaskTokens) Heartbeat(token string) error {
	if !ValidTaskToken(token) {
		return ErrTokenInvalid
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	w := t.pending[token]
	if w == nil || w.completed {
		if t.timedOut[token] {
			return ErrTokenTimedOut
		}
		return ErrTokenUnknown
	}
	select {
	case w.beats <- struct{}{}:
	default:
	}
	return nil
}

// Forget drops a token whose task no longer waits (failed, aborted).
func (t *TaskTokens) Forget(token string) {
	t.mu.Lock()
	delete(t.pending, token)
	t.mu.Unlock()
}

func (t *TaskTokens) expire(token string) {
	t.mu.Lock()
	delete(t.pending, token)
	t.timedOut[token] = true
	t.mu.Unlock()
}

// Journal lets an execution survive a restart: the engine records task
// results, issued task tokens, Wait deadlines and random draws under keys
// that are deterministic for a given path through the definition, and on a
// re-run it takes recorded values instead of redoing the work.
type Journal interface {
	Get(key string) (Record, bool)
	Put(rec Record)
}

// Record is one journal entry.
type Record struct {
	Key   string `json:"k"`
	Kind  string `json:"t"` // result, error, caught, token, submitted, wait, random
	Value string `json:"v,omitempty"`
	Error string `json:"e,omitempty"`
	Cause string `json:"c,omitempty"`
	Time  int64  `json:"at,omitempty"` // unix nanoseconds
}
