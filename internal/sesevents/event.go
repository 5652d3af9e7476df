package sesevents

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"breachflow/internal/delivery"
)

// Type is an SES event type.
type Type string

// The event types this package applies; others are ignored.
const (
	TypeDelivery  Type = "Delivery"
	TypeBounce    Type = "Bounce"
	TypeComplaint Type = "Complaint"
)

// Event is what the ledger needs from one SES event: ids and outcome, no
// address.
type Event struct {
	Type      Type
	MessageID string
	At        time.Time
	CaseID    string
	UserID    string
	// ObligationID is set instead of UserID on a regulator filing.
	ObligationID string
	// Shard is the subject's shard from the shard tag; -1 when absent.
	Shard int
	// BounceType is Permanent, Transient or Undetermined; BounceSubType
	// SES's subtype (General, NoEmail, Suppressed, MailboxFull, ...).
	BounceType, BounceSubType string
	// FeedbackType is a complaint's feedback type (abuse, ...), if given.
	FeedbackType string
}

// sesEvent is the part of SES's event JSON that is read.
type sesEvent struct {
	EventType        Type `json:"eventType"`
	NotificationType Type `json:"notificationType"`
	Mail             struct {
		MessageID string              `json:"messageId"`
		Timestamp time.Time           `json:"timestamp"`
		Tags      map[string][]string `json:"tags"`
	} `json:"mail"`
	Delivery *struct {
		Timestamp time.Time `json:"timestamp"`
	} `json:"delivery"`
	Bounce *struct {
		BounceType    string    `json:"bounceType"`
		BounceSubType string    `json:"bounceSubType"`
		Timestamp     time.Time `json:"timestamp"`
	} `json:"bounce"`
	Complaint *struct {
		FeedbackType string    `json:"complaintFeedbackType"`
		Timestamp    time.Time `json:"timestamp"`
	} `json:"complaint"`
}

// envelope covers the wrappers: SNS and SQS records, and EventBridge.
type envelope struct {
	Records []struct {
		SNS *struct {
			Message string `json:"Message"`
		} `json:"Sns"`
		Body *string `json:"body"`
	} `json:"Records"`
	Source string          `json:"source"`
	Detail json.RawMessage `json:"detail"`
}

// Parse reads the SES events in payload, whatever the wrapper.
func Parse(payload []byte) ([]Event, error) {
	var env envelope
	if err := json.Unmarshal(payload, &env); err != nil {
		return nil, fmt.Errorf("ses event: %w", err)
	}
	switch {
	case len(env.Records) > 0:
		var out []Event
		for i, r := range env.Records {
			var body string
			switch {
			case r.SNS != nil:
				body = r.SNS.Message
			case r.Body != nil:
				body = *r.Body
			default:
				return nil, fmt.Errorf("ses event: record %d is neither SNS nor SQS", i)
			}
			ev, err := parseSES([]byte(body))
			if err != nil {
				return nil, fmt.Errorf("record %d: %w", i, err)
			}
			out = append(out, ev)
		}
		return out, nil
	case len(env.Detail) > 0:
		ev, err := parseSES(env.Detail)
		if err != nil {
			return nil, err
		}
		return []Event{ev}, nil
	}
	ev, err := parseSES(payload)
	if err != nil {
		return nil, err
	}
	return []Event{ev}, nil
}

func parseSES(b []byte) (Event, error) {
	var e sesEvent
	if err := json.Unmarshal(b, &e); err != nil {
		return Event{}, fmt.Errorf("ses event: %w", err)
	}
	ev := Event{Type: e.EventType, MessageID: e.Mail.MessageID, At: e.Mail.Timestamp, Shard: -1}
	if ev.Type == "" {
		ev.Type = e.NotificationType
	}
	if ev.Type == "" || ev.MessageID == "" {
		return Event{}, errors.New("ses event: no eventType or mail.messageId")
	}
	var err error
	if ev.CaseID, err = tag(e.Mail.Tags, delivery.TagCase); err != nil {
		return Event{}, err
	}
	if ev.UserID, err = tag(e.Mail.Tags, delivery.TagUser); err != nil {
		return Event{}, err
	}
	if ev.ObligationID, err = tag(e.Mail.Tags, delivery.TagObligation); err != nil {
		return Event{}, err
	}
	if v := first(e.Mail.Tags, delivery.TagShard); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return Event{}, fmt.Errorf("ses event %s: shard tag %q", ev.MessageID, v)
		}
		ev.Shard = n
	}
	switch {
	case e.Delivery != nil:
		ev.At = later(ev.At, e.Delivery.Timestamp)
	case e.Bounce != nil:
		ev.BounceType, ev.BounceSubType = e.Bounce.BounceType, e.Bounce.BounceSubType
		ev.At = later(ev.At, e.Bounce.Timestamp)
	case e.Complaint != nil:
		ev.FeedbackType = e.Complaint.FeedbackType
		ev.At = later(ev.At, e.Complaint.Timestamp)
	}
	return ev, nil
}

func tag(tags map[string][]string, name string) (string, error) {
	v := first(tags, name)
	if v == "" {
		return "", nil
	}
	return delivery.ParseTagValue(v)
}

func first(tags map[string][]string, name string) string {
	if vs := tags[name]; len(vs) > 0 {
		return vs[0]
	}
	return ""
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
