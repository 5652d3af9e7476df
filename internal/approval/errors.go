package approval

import (
	"errors"
	"fmt"
)

// Rule errors: why a decision was refused. Decide returns them wrapped with
// context; match them with errors.Is. None of them carries personal data.
var (
	// ErrNotApprover: the person is not on the configured list, or was not
	// asked in this request, or the link belongs to someone else.
	ErrNotApprover = errors.New("not an approver of this request")
	// ErrSelfApproval: the submitter of a case cannot approve it.
	ErrSelfApproval = errors.New("the submitter cannot approve their own case")
	// ErrStale: the drafts or the recipient set changed after the request
	// (or link) was issued, so what was reviewed is not what would be sent.
	ErrStale = errors.New("drafts or recipient set changed since this approval was requested")
	// ErrClosed: the request is no longer pending (decided or superseded).
	ErrClosed = errors.New("approval request is closed")
	// ErrTaskGone: the decision is recorded but the workflow no longer
	// waits for it (its wait timed out or it was stopped).
	ErrTaskGone = errors.New("the workflow is no longer waiting for this approval")
)

// InvalidRequestError is returned unwrapped by the approval task for input
// it cannot use; the state machine sees its type name.
type InvalidRequestError struct {
	Field   string
	Problem string
}

func (e InvalidRequestError) Error() string {
	return fmt.Sprintf("approval request: %s: %s", e.Field, e.Problem)
}
