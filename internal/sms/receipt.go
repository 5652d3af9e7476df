package sms

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"breachflow/internal/casetable"
	"breachflow/internal/delivery"
	"breachflow/internal/ledger"
)

// Event is what the ledger needs from one text message event of a
// configuration set's event destination: ids and outcome. The event also
// names the destination number; it is never read, so it never reaches a
// log or the ledger.
type Event struct {
	Type      string // TEXT_DELIVERED, TEXT_CARRIER_UNREACHABLE, ...
	MessageID string
	At        time.Time
	Final     bool
	CaseID    string
	UserID    string
	Shard     int
}

// smsEvent is the part of the event JSON that is read (End User Messaging
// user guide, "Messaging Events", SMS example log).
type smsEvent struct {
	EventType      string            `json:"eventType"`
	EventTimestamp int64             `json:"eventTimestamp"`
	IsFinal        bool              `json:"isFinal"`
	MessageID      string            `json:"messageId"`
	Context        map[string]string `json:"context"`
}

// envelope is how events reach the function: SNS records (the event
// destination's topic), EventBridge ("detail"), or the bare event (the
// local endpoint).
type envelope struct {
	Records []struct {
		SNS *struct {
			Message string `json:"Message"`
		} `json:"Sns"`
	} `json:"Records"`
	Detail json.RawMessage `json:"detail"`
}

// ParseEvents reads the text message events in payload. Events of texts
// breachflow did not send (no case or user in their context) are returned
// with empty ids and ignored by the handler.
func ParseEvents(payload []byte) ([]Event, error) {
	var env envelope
	if err := json.Unmarshal(payload, &env); err != nil {
		return nil, fmt.Errorf("sms event: %w", err)
	}
	var bodies [][]byte
	switch {
	case len(env.Records) > 0:
		for i, r := range env.Records {
			if r.SNS == nil {
				return nil, fmt.Errorf("sms event: record %d is not SNS", i)
			}
			bodies = append(bodies, []byte(r.SNS.Message))
		}
	case len(env.Detail) > 0:
		bodies = [][]byte{env.Detail}
	default:
		bodies = [][]byte{payload}
	}
	out := make([]Event, 0, len(bodies))
	for i, b := range bodies {
		var e smsEvent
		if err := json.Unmarshal(b, &e); err != nil {
			return nil, fmt.Errorf("sms event %d: %w", i, err)
		}
		if !strings.HasPrefix(e.EventType, "TEXT_") || e.MessageID == "" {
			return nil, fmt.Errorf("sms event %d: not a text message event", i)
		}
		ev := Event{Type: e.EventType, MessageID: e.MessageID, At: time.UnixMilli(e.EventTimestamp).UTC(), Final: e.IsFinal, Shard: -1}
		var err error
		if ev.CaseID, err = delivery.ParseTagValue(e.Context[ContextCase]); err != nil {
			return nil, fmt.Errorf("sms event %d: %s: %w", i, ContextCase, err)
		}
		if ev.UserID, err = delivery.ParseTagValue(e.Context[ContextUser]); err != nil {
			return nil, fmt.Errorf("sms event %d: %s: %w", i, ContextUser, err)
		}
		if v, ok := e.Context[ContextShard]; ok {
			if ev.Shard, err = strconv.Atoi(v); err != nil || ev.Shard < 0 {
				return nil, fmt.Errorf("sms event %d: shard %q", i, v)
			}
		}
		out = append(out, ev)
	}
	return out, nil
}

// Status is the ledger's word for an event type: "delivered",
// "successful" (handed to the carrier, which reports nothing further),
// "pending" (queued or pending at the carrier), or "undelivered:<TYPE>"
// (blocked, unreachable, invalid, expired, spam, opted out, unknown): a
// person whose text is undelivered falls back to the next channel of their
// plan.
func (e Event) Status() string {
	switch e.Type {
	case "TEXT_DELIVERED":
		return "delivered"
	case "TEXT_SUCCESSFUL":
		return "successful"
	case "TEXT_QUEUED", "TEXT_PENDING":
		return "pending"
	}
	return "undelivered:" + e.Type
}

// Failed reports whether the event says the text did not reach its
// person (the undelivered statuses of Status).
func (e Event) Failed() bool { return strings.HasPrefix(e.Status(), "undelivered:") }

// Summary counts what one invocation did.
type Summary struct {
	Applied int `json:"applied"`
	Stale   int `json:"stale"`
	Ignored int `json:"ignored"`
}

// ReceiptHandler is the smsevents Lambda: it files every text message
// event of breachflow's texts as a receipt in the SMS channel's ledger. A
// failed write fails the invocation so the event source retries; filing an
// event twice is harmless.
type ReceiptHandler struct {
	Ledger *ledger.Ledger
	// Cases, when set, hears of every receipt that says a text failed, so
	// a closed case notes the shard whose count it may have changed
	// (status then says so). Receipts filed again are noted again, which
	// changes nothing.
	Cases Closed
	Log   *slog.Logger
}

// Closed is the part of the case store that hears of a failure filed
// after the case closed (cases.Store's NoteChangeAfterClose).
type Closed interface {
	NoteChangeAfterClose(ctx context.Context, set string, shard int) (bool, error)
}

// Handle files the events in payload.
func (h *ReceiptHandler) Handle(ctx context.Context, payload json.RawMessage) (Summary, error) {
	log := h.Log
	if log == nil {
		log = slog.Default()
	}
	evs, err := ParseEvents(payload)
	if err != nil {
		return Summary{}, err
	}
	var s Summary
	for _, ev := range evs {
		if ev.CaseID == "" || ev.UserID == "" || ev.Shard < 0 {
			s.Ignored++
			continue
		}
		out, err := h.Ledger.ApplyReceipt(ctx, ev.CaseID, ev.Shard, casetable.ChannelSMS, ledger.Receipt{
			UserID: ev.UserID, MessageID: ev.MessageID, Status: ev.Status(), Final: ev.Final, At: ev.At,
		})
		if err != nil {
			return s, err
		}
		if h.Cases != nil && ev.Failed() {
			// Stale too: the first try may have filed the receipt and
			// then failed before this note.
			if _, err := h.Cases.NoteChangeAfterClose(ctx, ev.CaseID, ev.Shard); err != nil {
				return s, err
			}
		}
		if out == ledger.Applied {
			s.Applied++
		} else {
			s.Stale++
		}
		log.Info("sms event", "case_id", ev.CaseID, "user_id", ev.UserID, "shard", ev.Shard, "type", ev.Type, "message_id", ev.MessageID, "outcome", out)
	}
	return s, nil
}
