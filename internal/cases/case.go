package cases

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strings"
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
	// Channels counts the people in scope by channel plan: under a channel,
	// those it reaches first; under "<channel>_fallback", those it reaches
	// if an earlier channel fails; under "posted", those only the posted
	// notice reaches (scope.Totals.ByChannel).
	Channels map[string]int `dynamodbav:"channels,omitempty" json:"channels,omitempty"`
	// RecipientSetHash and ContentHash are what approval binds to.
	RecipientSetHash string `dynamodbav:"recipient_set_hash,omitempty" json:"recipient_set_hash,omitempty"`
	ContentHash      string `dynamodbav:"content_hash,omitempty" json:"content_hash,omitempty"`
	// Obligations counts the required notification duties found.
	Obligations int `dynamodbav:"obligations" json:"obligations"`
	// Delivery counts the case's people by delivery status, as the last
	// reconcile found them.
	Delivery map[string]int `dynamodbav:"delivery,omitempty" json:"delivery,omitempty"`
	// Reach counts the case's people by how they are accounted for, as the
	// last reconcile found them (reconcile.Reach: email, sms, email+sms,
	// postal, posted, shared_address, current, unreached).
	Reach map[string]int `dynamodbav:"reach,omitempty" json:"reach,omitempty"`
	// ChangedAfterClose names the shards, as ChangeKey(version, shard),
	// where the ledger filed a failure after the case closed: an e-mail
	// that bounced or a text reported undelivered once the count was made
	// (NoteChangeAfterClose). Reach is as counted at the close, so someone
	// there may be owed a notice it does not show; the evidence pack
	// recounts every person from the ledger. ChangedAt is when the last
	// such failure was filed, ChangedSince when the first still noted
	// was. A later close of the same version clears that version's
	// shards (and ChangedSince once none is left).
	ChangedAfterClose []string  `dynamodbav:"changed_after_close,stringset,omitempty" json:"changed_after_close,omitempty"`
	ChangedAt         time.Time `dynamodbav:"changed_at,omitempty" json:"changed_at,omitzero"`
	// A pointer, so an unset one is absent from the item (a zero time
	// would be stored, and NoteChangeAfterClose's if_not_exists keep it).
	ChangedSince *time.Time `dynamodbav:"changed_since,omitempty" json:"changed_since,omitempty"`
	// EarliestDue is the earliest deadline of a required obligation.
	EarliestDue time.Time `dynamodbav:"earliest_due,omitempty" json:"earliest_due,omitzero"`
	Version     int64     `dynamodbav:"version" json:"version"`

	// LatestVersion is the newest version of the report (1 until the case
	// is amended; 0 on a record that predates versions, read as 1).
	// ReportSHA256 is that version's hash.
	LatestVersion int `dynamodbav:"report_version,omitempty" json:"report_version,omitempty"`
	// WorkingVersion is the version the execution works on: what scope,
	// assess, draft, approval and send read. The execution moves it to
	// LatestVersion when it begins a pass (intake), never otherwise.
	WorkingVersion int `dynamodbav:"working_version,omitempty" json:"working_version,omitempty"`
	// Versions are the amendments, version 2 on, in order.
	Versions []VersionRef `dynamodbav:"versions,omitempty" json:"versions,omitempty"`
	// SentVersions are the versions whose notices and filings went out
	// (their pass reached the send stage), in order.
	SentVersions []int `dynamodbav:"sent_versions,omitempty" json:"sent_versions,omitempty"`
	// SentAt is when each sent version's sending finished (reconcile), by
	// version number ("2").
	SentAt map[string]time.Time `dynamodbav:"sent_at,omitempty" json:"sent_at,omitempty"`
	// Rejection is the last rejection of the drafts: the approver's reason
	// stays here, with the case, and never enters the execution history.
	Rejection *Rejection `dynamodbav:"rejection,omitempty" json:"rejection,omitempty"`
	// Waiting says what a paused execution waits for ("" when it does
	// not): WaitingRevision after a rejection. RevisionToken is the task
	// token that amend or redraft hands the revision back with.
	Waiting string `dynamodbav:"waiting,omitempty" json:"waiting,omitempty"`
	// PassBegan is when the execution last began a pass (BeginVersion).
	PassBegan     time.Time `dynamodbav:"pass_began,omitempty" json:"pass_began,omitzero"`
	RevisionToken string    `dynamodbav:"revision_token,omitempty" json:"-"`
}

// VersionRef names one amendment of the report.
type VersionRef struct {
	Version    int       `dynamodbav:"version" json:"version"`
	SHA256     string    `dynamodbav:"sha256" json:"sha256"`
	RecordedAt time.Time `dynamodbav:"recorded_at" json:"recorded_at"`
	// By is the authenticated principal that amended (AWS), or empty.
	By string `dynamodbav:"by,omitempty" json:"by,omitempty"`
}

// Rejection is why the approvers sent the drafts back.
type Rejection struct {
	Version int       `dynamodbav:"version" json:"version"`
	By      string    `dynamodbav:"by" json:"by"`
	Reason  string    `dynamodbav:"reason" json:"reason"`
	At      time.Time `dynamodbav:"at" json:"at"`
}

// WaitingRevision is Case.Waiting while a rejected case waits for an
// amendment or a re-draft.
const WaitingRevision = "revision"

// Latest is the newest version of the report.
func (c Case) Latest() int { return max(c.LatestVersion, 1) }

// Working is the version the execution works on.
func (c Case) Working() int { return max(c.WorkingVersion, 1) }

// Sent reports whether version v's notices went out.
func (c Case) Sent(v int) bool { return slices.Contains(c.SentVersions, v) }

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

// RevisionPending says the approvers rejected this pass's drafts but the
// execution has not begun to wait for a revision yet (the moment between
// the rejection and AwaitRevision): whoever amends should wait for it.
func (c Case) RevisionPending() bool {
	return c.Waiting == "" && c.Rejection != nil && c.Rejection.At.After(c.PassBegan)
}

// ChangeKey names a shard of a version's subject set in ChangedAfterClose.
func ChangeKey(version, shard int) string { return fmt.Sprintf("%ss%d", changePrefix(version), shard) }

// ChangedShards counts version's shards in ChangedAfterClose.
func (c Case) ChangedShards(version int) int {
	n := 0
	for _, k := range c.ChangedAfterClose {
		if strings.HasPrefix(k, changePrefix(version)) {
			n++
		}
	}
	return n
}

// ClearChanges forgets the failures noted after a close in version's
// shards: a close of that version has just counted them.
func (c *Case) ClearChanges(version int) {
	c.ChangedAfterClose = slices.DeleteFunc(c.ChangedAfterClose, func(k string) bool { return strings.HasPrefix(k, changePrefix(version)) })
	if len(c.ChangedAfterClose) == 0 {
		// nil, not empty: an empty set is stored as NULL, which the
		// next note's ADD cannot add to.
		c.ChangedAfterClose, c.ChangedSince = nil, nil
	}
}

// LateRoundName is the execution name of the late round for the failures
// noted on c since its close: named after the first of them
// (ChangedSince), which stays until the close of that round clears it, so
// every starter that asks for the round (a resume, a sweep, again before
// the first has begun) asks for one execution, and the next failures after
// that close get a round of their own. It keeps to Step Functions' 80
// characters (a case id may take 64 of them). c must have ChangedSince.
func LateRoundName(c Case) string {
	name := fmt.Sprintf("%s-v%d-l%d", ExecutionName(c.CaseID), c.Working(), c.ChangedSince.Unix())
	if len(name) > 80 {
		sum := sha256.Sum256([]byte(name))
		name = "late-" + hex.EncodeToString(sum[:16])
	}
	return name
}

func changePrefix(version int) string { return fmt.Sprintf("v%d/", version) }
