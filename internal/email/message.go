package email

import "breachflow/internal/casetable"

// Message is one message breachflow sends: a customer notice or a
// regulator filing.
type Message struct {
	// Subject is one line, cleaned by Header; it is encoded (RFC 2047)
	// only when a raw message is written.
	Subject string
	// HTML and Text are the two bodies of a multipart/alternative message,
	// saying the same thing (notice.HTMLToText derives one from the other).
	HTML string
	Text string
	// Attachments follow the bodies (multipart/mixed); a regulator filing
	// carries its document as an HTML file. Nil for customer notices.
	Attachments []Attachment
}

// Attachment is a file attached to a message.
type Attachment struct {
	Filename    string
	ContentType string // e.g. "text/html; charset=utf-8"
	Data        []byte
}

// Filing is a regulator filing of a case's approved document set: the
// drafted document and what says where it goes. The send stage addresses
// it (delivery.FilingAddresses) and sends it once, recorded under ID.
type Filing struct {
	// ID is the draft's id ("filing-kr-pipa-34-regulator"): the filing's
	// key in the ledger and its SES tag.
	ID string
	// ObligationIDs are the obligations the filing meets and Regulator the
	// regulator's name, as the rulebook gives them.
	ObligationIDs []string
	Regulator     string
	Message       Message
	// FollowsUp is the id of the filing this one follows up (a staged
	// duty's first stage) and FollowsUpRef the message id it went out
	// under; the ledger records both with this filing. Empty for a first
	// filing.
	FollowsUp, FollowsUpRef string
}

// Renderer writes the approved customer notice of one person of a case.
// It is called once per person on the send stage's hot path, so it should
// cost microseconds; it must be safe for concurrent use.
type Renderer func(s *casetable.Subject) (Message, error)
