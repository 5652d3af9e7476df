package cases

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"time"

	"breachflow/internal/breach"
)

// Status is where a case stands.
type Status string

// Case statuses, in the order a case normally passes through them.
const (
	StatusOpen             Status = "open"
	StatusScoped           Status = "scoped"
	StatusAssessed         Status = "assessed"
	StatusNoNotification   Status = "no_notification_required"
	StatusDrafted          Status = "drafted"
	StatusAwaitingApproval Status = "awaiting_approval"
	StatusApproved         Status = "approved"
	StatusRejected         Status = "rejected"
	StatusSending          Status = "sending"
	StatusSent             Status = "sent"
	StatusClosed           Status = "closed"
	StatusFailed           Status = "failed"
)

// Case is the case record. It holds ids, counts, hashes and staff-facing
// facts only; the affected people live in the subject set.
type Case struct {
	CaseID       string    `dynamodbav:"case_id" json:"case_id"`
	ReportID     string    `dynamodbav:"report_id" json:"report_id"`
	ReportSHA256 string    `dynamodbav:"report_sha256" json:"report_sha256"`
	Title        string    `dynamodbav:"title,omitempty" json:"title,omitempty"`
	Organisation string    `dynamodbav:"organisation" json:"organisation"`
	Status       Status    `dynamodbav:"status" json:"status"`
	OpenedAt     time.Time `dynamodbav:"opened_at" json:"opened_at"`
	UpdatedAt    time.Time `dynamodbav:"updated_at" json:"updated_at"`
	ExecutionArn string    `dynamodbav:"execution_arn,omitempty" json:"execution_arn,omitempty"`
	// Submitter is who submitted the case: the authenticated principal's
	// email in AWS, the report's "submitter" where identities are asserted.
	Submitter string `dynamodbav:"submitter,omitempty" json:"submitter,omitempty"`
	// Shards is how many partitions the case's subjects spread over.
	Shards int `dynamodbav:"shards" json:"shards"`
	// Subjects counts the people in scope, by jurisdiction.
	Subjects map[breach.Jurisdiction]int `dynamodbav:"subjects,omitempty" json:"subjects,omitempty"`
	// RecipientSetHash and ContentHash are what approval binds to.
	RecipientSetHash string `dynamodbav:"recipient_set_hash,omitempty" json:"recipient_set_hash,omitempty"`
	ContentHash      string `dynamodbav:"content_hash,omitempty" json:"content_hash,omitempty"`
	// Obligations counts the required notification duties found.
	Obligations int `dynamodbav:"obligations" json:"obligations"`
	// Delivery counts the case's people by delivery status, as the last
	// reconcile found them.
	Delivery map[string]int `dynamodbav:"delivery,omitempty" json:"delivery,omitempty"`
	// EarliestDue is the earliest deadline of a required obligation.
	EarliestDue time.Time `dynamodbav:"earliest_due,omitempty" json:"earliest_due,omitzero"`
	Version     int64     `dynamodbav:"version" json:"version"`
}

var safeID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// CaseID derives the case id from a report id. An id made of letters,
// digits, '-' and '_' (up to 64) is used as it is, so responders recognise
// their own numbering; anything else is hashed, so that any report id maps
// to a valid key and execution name.
func CaseID(reportID string) string {
	if safeID.MatchString(reportID) {
		return reportID
	}
	sum := sha256.Sum256([]byte(reportID))
	return "r-" + hex.EncodeToString(sum[:12])
}

// ExecutionName is the Step Functions execution name of a case: stable, so
// starting the same report twice finds the same execution.
func ExecutionName(caseID string) string { return "case-" + caseID }

// NotFoundError says a case or its report does not exist.
type NotFoundError struct{ CaseID, What string }

func (e *NotFoundError) Error() string { return fmt.Sprintf("case %s: %s not found", e.CaseID, e.What) }

// ReportConflictError says a different report was already stored under the
// same report id. The stored one is kept.
type ReportConflictError struct {
	CaseID          string
	Stored, Offered string // SHA-256 of each
}

func (e *ReportConflictError) Error() string {
	return fmt.Sprintf("case %s: a different report (sha256 %s) is already stored under this report_id; give the new report its own report_id", e.CaseID, e.Stored[:12])
}

// ConflictError says the case changed between read and write too often for
// Update to succeed.
type ConflictError struct{ CaseID string }

func (e *ConflictError) Error() string {
	return fmt.Sprintf("case %s: concurrent updates, try again", e.CaseID)
}
