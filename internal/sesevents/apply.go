package sesevents

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	"breachflow/internal/casetable"
	"breachflow/internal/ledger"
)

// Ignored is the outcome for an event that changes no subject: a transient
// bounce, an event type not tracked, or mail without breachflow's tags.
const Ignored ledger.Outcome = "ignored"

// Closed is the part of the case store that hears of a failure filed
// after the case closed (cases.Store's NoteChangeAfterClose).
type Closed interface {
	NoteChangeAfterClose(ctx context.Context, set string, shard int) (bool, error)
}

// Applier applies events to the ledger.
type Applier struct {
	Ledger *ledger.Ledger
	// Cases, when set, hears of every permanent bounce, so a closed case
	// notes the shard whose count it may have changed (status then says
	// so). Bounces filed again are noted again, which changes nothing.
	Cases Closed
	// Shards is the case's shard count, used when an event has no shard tag
	// (default casetable.DefaultShards).
	Shards int
}

// Apply applies one event.
func (a *Applier) Apply(ctx context.Context, ev Event) (ledger.Outcome, error) {
	if ev.CaseID == "" || (ev.UserID == "" && ev.ObligationID == "") {
		return Ignored, nil
	}
	var (
		to     casetable.Status
		reason string
	)
	switch ev.Type {
	case TypeDelivery:
		to = casetable.StatusDelivered
	case TypeBounce:
		if ev.BounceType != "Permanent" {
			return Ignored, nil
		}
		to, reason = casetable.StatusBounced, "bounce:"+ev.BounceType+"/"+ev.BounceSubType
	case TypeComplaint:
		to, reason = casetable.StatusComplained, "complaint"
		if ev.FeedbackType != "" {
			reason += ":" + ev.FeedbackType
		}
	default:
		return Ignored, nil
	}
	var key ledger.Key
	shard := ev.Shard
	if ev.UserID == "" {
		// A regulator filing: its record shows delivery too.
		key = ledger.FilingKey(ev.CaseID, ev.ObligationID)
	} else {
		if shard < 0 {
			n := a.Shards
			if n <= 0 {
				n = casetable.DefaultShards
			}
			shard = casetable.Shard(ev.UserID, n)
		}
		key = ledger.SubjectKey(ev.CaseID, shard, ev.UserID)
	}
	out, err := a.Ledger.ApplyEvent(ctx, key, to, ev.MessageID, reason, ev.At)
	if err != nil {
		return "", fmt.Errorf("apply %s %s: %w", ev.Type, ev.MessageID, err)
	}
	if a.Cases != nil && ev.UserID != "" && to == casetable.StatusBounced {
		// Stale too: the first try may have filed the bounce and then
		// failed before this note.
		if _, err := a.Cases.NoteChangeAfterClose(ctx, ev.CaseID, shard); err != nil {
			return "", fmt.Errorf("apply %s %s: %w", ev.Type, ev.MessageID, err)
		}
	}
	return out, nil
}

// Summary counts what one invocation did.
type Summary struct {
	Applied int `json:"applied"`
	Stale   int `json:"stale"`
	Ignored int `json:"ignored"`
}

// Handler is the sesevents Lambda: it takes the raw event (SNS, SQS or
// EventBridge) and applies every SES event in it. A failed write fails the
// invocation so the event source retries; applying an event twice is
// harmless.
type Handler struct {
	Applier *Applier
	Log     *slog.Logger
}

// Handle applies the events in payload.
func (h *Handler) Handle(ctx context.Context, payload json.RawMessage) (Summary, error) {
	log := h.Log
	if log == nil {
		log = slog.Default()
	}
	evs, err := Parse(payload)
	if err != nil {
		return Summary{}, err
	}
	var s Summary
	for _, ev := range evs {
		out, err := h.Applier.Apply(ctx, ev)
		if err != nil {
			return s, err
		}
		switch out {
		case ledger.Applied:
			s.Applied++
		case ledger.Stale:
			s.Stale++
		default:
			s.Ignored++
		}
		log.Info("ses event", "case_id", ev.CaseID, "user_id", ev.UserID, "obligation_id", ev.ObligationID, "type", ev.Type, "message_id", ev.MessageID, "outcome", out)
	}
	return s, nil
}
