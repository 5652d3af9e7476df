package casetable

// Status is where a subject stands in delivery.
type Status string

// Subject delivery states. A subject stays pending when its notice is sent:
// the send is recorded apart, in the shard's send partition (SendPK), and
// readers that go through the ledger see such a subject as sent. SES events
// then move it to delivered, bounced or complained; failed and no_contact
// subjects go to the fallback (substitute notice) list. Claimed and sent are
// the states of claim-and-complete records (regulator filings).
const (
	StatusPending    Status = "pending"
	StatusClaimed    Status = "claimed"
	StatusSent       Status = "sent"
	StatusDelivered  Status = "delivered"
	StatusBounced    Status = "bounced"
	StatusComplained Status = "complained"
	StatusFailed     Status = "failed"
	StatusNoContact  Status = "no_contact"
	// StatusDuplicate marks a user whose address another subject of the case
	// already holds: the notice to that address covers them.
	StatusDuplicate Status = "duplicate"
	// StatusCurrent marks, in a later version's subject set, a person whose
	// last notice (of an earlier version) already says all this version
	// would tell them: they get nothing (package delta).
	StatusCurrent Status = "current"
)

// NoticeUpdate is Subject.NoticeKind of a person who gets an update of an
// earlier notice.
const NoticeUpdate = "update"

// Subject is one affected person in a case, as scoping writes it and sending
// reads it. It holds personal data and so lives only in the (encrypted) case
// table: never in a state payload, a log line or an error.
type Subject struct {
	PK     string `dynamodbav:"pk"`
	SK     string `dynamodbav:"sk"`
	CaseID string `dynamodbav:"case_id"`
	UserID string `dynamodbav:"user_id"`
	Shard  int    `dynamodbav:"shard"`
	Name   string `dynamodbav:"name,omitempty"`
	Email  string `dynamodbav:"email,omitempty"` // trimmed, lower-cased
	Phone  string `dynamodbav:"phone,omitempty"`
	// Postal is the postal address, lines separated by newlines.
	Postal       string   `dynamodbav:"postal,omitempty"`
	Locale       string   `dynamodbav:"locale"`                         // BCP 47, e.g. "ko", "en-US"
	Jurisdiction string   `dynamodbav:"jurisdiction"`                   // breach.Jurisdiction, e.g. "KR", "US-CA"
	Categories   []string `dynamodbav:"categories,stringset,omitempty"` // exposed data of this person (breach.Category)
	Status       Status   `dynamodbav:"status"`
	// Plan is the person's channel plan in its stored form (package
	// channelplan: "email>sms>postal"): channel names only, fixed at
	// scoping, before approval. "posted": no channel reaches the person
	// and the posted notice covers them; empty: scoped before plans.
	Plan string `dynamodbav:"plan,omitempty"`
	// DuplicateOf is the user id of the subject whose notice covers this one.
	DuplicateOf string `dynamodbav:"duplicate_of,omitempty"`
	// LeaseUntil is when a claim expires (Unix milliseconds); a claimed
	// record whose lease has passed may be claimed again. Filings only.
	LeaseUntil int64  `dynamodbav:"lease_until,omitempty"`
	Attempts   int    `dynamodbav:"attempts,omitempty"`
	MessageID  string `dynamodbav:"message_id,omitempty"`
	SentAt     string `dynamodbav:"sent_at,omitempty"` // RFC 3339
	Reason     string `dynamodbav:"reason,omitempty"`  // why failed / fallback, no personal data
	ScopedAt   string `dynamodbav:"scoped_at,omitempty"`
	UpdatedAt  string `dynamodbav:"updated_at,omitempty"`
	// EventAt is when the last SES event (delivery, bounce, complaint)
	// applied to this subject happened (RFC 3339). Appended by the send stage.
	EventAt string `dynamodbav:"event_at,omitempty"`
	// HolderJurisdictions and HolderCategories are the stored form of
	// package sharedaddr's data, which reads and writes them (the fold adds
	// them, sharedaddr.Holders reads them for the notice). Only the holder
	// of a shared address has them. HolderJurisdictions are the
	// jurisdictions of everyone who shares this subject's address: the
	// subject's own and those of every subject marked duplicate of it
	// (breach.Jurisdiction codes). Empty: the address is not shared.
	HolderJurisdictions []string `dynamodbav:"holder_jurisdictions,stringset,omitempty"`
	// HolderCategories are the exposed data (breach.Category) of everyone
	// who shares this subject's address, its own included; set with
	// HolderJurisdictions, so the one notice says what was exposed for
	// every holder.
	HolderCategories []string `dynamodbav:"holder_categories,stringset,omitempty"`
	// NoticeKind is NoticeUpdate when a later version sends this person an
	// update of an earlier notice, empty for a first notice. UpdateOf is
	// when that earlier notice was sent (RFC 3339) and PriorVersion its
	// version. Set by package delta.
	NoticeKind   string `dynamodbav:"notice_kind,omitempty"`
	UpdateOf     string `dynamodbav:"update_of,omitempty"`
	PriorVersion int    `dynamodbav:"prior_version,omitempty"`
	// FailedOn lists the channels other than e-mail that have failed for
	// the person ("sms": refused at send or reported undeliverable), as
	// the send stage read them from their send partitions for this page;
	// never stored. E-mail's own failure is Status.
	FailedOn []string `dynamodbav:"-" json:"-"`
}
