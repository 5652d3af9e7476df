package approval

import (
	"slices"
	"time"
)

// Status is where an approval request stands.
type Status string

// Request statuses. Only a pending request accepts votes.
const (
	StatusPending  Status = "pending"
	StatusApproved Status = "approved"
	StatusRejected Status = "rejected"
	// StatusSuperseded marks a request replaced by a newer one of the same
	// case (e.g. after a re-draft or a timed-out wait); its links are void.
	StatusSuperseded Status = "superseded"
)

// Deadline is one obligation's clock, as the approval request carries it:
// an obligation id and when it falls due. No personal data.
type Deadline struct {
	ID    string    `json:"id" dynamodbav:"id"`
	DueAt time.Time `json:"due_at" dynamodbav:"due_at"`
}

// Earliest returns the soonest deadline's time; ok is false when there is none.
func Earliest(ds []Deadline) (t time.Time, ok bool) {
	for _, d := range ds {
		if !ok || d.DueAt.Before(t) {
			t, ok = d.DueAt, true
		}
	}
	return t, ok
}

// Request is one approval round of a case: the task token it answers, what
// it binds (content and recipient-set hashes), whom it asked, and its state.
type Request struct {
	CaseID    string `dynamodbav:"case_id"`
	RequestID string `dynamodbav:"request_id"`
	TaskToken string `dynamodbav:"task_token"`
	// ContentHash is the drafts' content hash the approval binds to.
	ContentHash string `dynamodbav:"content_hash"`
	// RecipientSetHash is the recipient set's hash the approval binds to.
	RecipientSetHash string     `dynamodbav:"recipient_set_hash"`
	Deadlines        []Deadline `dynamodbav:"deadlines"`
	// SubmitterID is the approver id of whoever submitted the case.
	SubmitterID string `dynamodbav:"submitter_id"`
	// Approvers are the ids of the approvers asked.
	Approvers []string  `dynamodbav:"approvers"`
	Required  int       `dynamodbav:"required"`
	Status    Status    `dynamodbav:"status"`
	CreatedAt time.Time `dynamodbav:"created_at"`
	DecidedAt time.Time `dynamodbav:"decided_at,omitempty"`
	// TaskNotified is set once Step Functions accepted the decision.
	TaskNotified bool `dynamodbav:"task_notified,omitempty"`
	// Seal binds the fields above that decide a send (not Status) to the
	// approval service; see seal.go.
	Seal string `dynamodbav:"seal"`
	// Stage is the obligation id of a staged duty when the request asks
	// for the approval of that one filing (package stage), else empty: its
	// hashes are the stage's, not the case's drafts'.
	Stage string `dynamodbav:"stage,omitempty"`
	// Channels counts the people in scope by channel plan, as scoping
	// left them on the case: what the approvers' e-mail shows. It is not
	// sealed: the recipient-set hash already binds each person's plan.
	Channels map[string]int `dynamodbav:"channels,omitempty"`
}

// Earliest returns the request's soonest deadline.
func (r Request) Earliest() (time.Time, bool) { return Earliest(r.Deadlines) }

// Asked reports whether the approver id was asked in this request.
func (r Request) Asked(approverID string) bool { return slices.Contains(r.Approvers, approverID) }

// Vote is one approver's decision on one request.
type Vote struct {
	CaseID     string    `dynamodbav:"case_id"`
	RequestID  string    `dynamodbav:"request_id"`
	ApproverID string    `dynamodbav:"approver_id"`
	Approve    bool      `dynamodbav:"approve"`
	Comment    string    `dynamodbav:"comment,omitempty"`
	At         time.Time `dynamodbav:"at"`
	// Via is "link" or "cli".
	Via string `dynamodbav:"via"`
	// ContentHash and RecipientSetHash are what the vote was cast on.
	ContentHash      string `dynamodbav:"content_hash"`
	RecipientSetHash string `dynamodbav:"recipient_set_hash"`
	// Seal binds the vote to the approval service; see seal.go.
	Seal string `dynamodbav:"seal"`
}

// Link is the record of one issued approval link, consumed on first use.
type Link struct {
	CaseID     string    `dynamodbav:"case_id"`
	RequestID  string    `dynamodbav:"request_id"`
	Nonce      string    `dynamodbav:"nonce"`
	ApproverID string    `dynamodbav:"approver_id"`
	IssuedAt   time.Time `dynamodbav:"issued_at"`
	Expires    time.Time `dynamodbav:"expires"`
	ConsumedAt time.Time `dynamodbav:"consumed_at,omitempty"`
}

// Escalation records that one threshold fired for a case.
type Escalation struct {
	CaseID    string        `dynamodbav:"case_id"`
	RequestID string        `dynamodbav:"request_id"`
	Margin    time.Duration `dynamodbav:"margin"`
	DueAt     time.Time     `dynamodbav:"due_at"`
	At        time.Time     `dynamodbav:"at"`
	// Notified is how many contacts were emailed.
	Notified int `dynamodbav:"notified"`
	// Stage is the staged duty (obligation id) the escalation warns of,
	// empty for a pending approval: each staged duty has its own claims.
	Stage string `dynamodbav:"stage,omitempty"`
}

// Approval is one approver's sign-off as the task output carries it.
type Approval struct {
	ApproverID string    `json:"approver_id"`
	At         time.Time `json:"at"`
}

// Record is the output of the approval task (SendTaskSuccess): ids, hashes
// and timestamps only, since anyone who can read the execution history sees
// it.
type Record struct {
	CaseID           string     `json:"case_id"`
	RequestID        string     `json:"request_id"`
	Decision         string     `json:"decision"`
	ContentHash      string     `json:"content_hash"`
	RecipientSetHash string     `json:"recipient_set_hash"`
	Required         int        `json:"required"`
	Approvals        []Approval `json:"approvals"`
	DecidedAt        time.Time  `json:"decided_at"`
}
