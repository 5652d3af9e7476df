package ledger

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"breachflow/internal/casetable"
)

// Outcome is what applying an SES event did to a subject.
type Outcome string

// Outcomes of ApplyEvent.
const (
	// Applied: the subject moved to the event's state.
	Applied Outcome = "applied"
	// Stale: the subject is already at or past the event's state (events
	// arrive out of order and more than once), or does not exist; nothing
	// changed.
	Stale Outcome = "stale"
)

// from lists the states each event may move a subject out of. A notice's
// subject stays pending after the send (the send is recorded apart, in the
// shard's send partition), so events start from pending; claimed and sent
// are the states of a claim-and-complete record (a regulator filing).
// Delivered never follows bounced or complained, and nothing moves back, so
// a late or repeated event cannot regress a state.
var from = map[casetable.Status][]casetable.Status{
	casetable.StatusDelivered:  {casetable.StatusPending, casetable.StatusClaimed, casetable.StatusSent},
	casetable.StatusBounced:    {casetable.StatusPending, casetable.StatusClaimed, casetable.StatusSent, casetable.StatusDelivered},
	casetable.StatusComplained: {casetable.StatusPending, casetable.StatusClaimed, casetable.StatusSent, casetable.StatusDelivered},
}

// ApplyEvent moves the subject at k to status to (delivered, bounced or
// complained) with a conditional write, recording reason (a short code such
// as "bounce:Permanent/General"), the event time and the event's message id
// (kept if the subject already has one).
func (l *Ledger) ApplyEvent(ctx context.Context, k Key, to casetable.Status, messageID, reason string, at time.Time) (Outcome, error) {
	prev, ok := from[to]
	if !ok {
		return "", fmt.Errorf("apply event %s: no transition to %q", k.SK, to)
	}
	vals := map[string]types.AttributeValue{
		":to": str(string(to)), ":at": str(at.UTC().Format(time.RFC3339Nano)), ":m": str(messageID),
	}
	cond := "#s IN ("
	for i, s := range prev {
		name := fmt.Sprintf(":f%d", i)
		vals[name] = str(string(s))
		if i > 0 {
			cond += ", "
		}
		cond += name
	}
	cond += ")"
	update := "SET #s = :to, event_at = :at, updated_at = :at, message_id = if_not_exists(message_id, :m)"
	if reason != "" {
		update += ", reason = :r"
		vals[":r"] = str(reason)
	}
	_, err := l.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(l.Table),
		Key:                       k.av(),
		UpdateExpression:          aws.String(update),
		ConditionExpression:       aws.String(cond),
		ExpressionAttributeNames:  map[string]string{"#s": "status"},
		ExpressionAttributeValues: vals,
	})
	var ccf *types.ConditionalCheckFailedException
	switch {
	case err == nil:
		return Applied, nil
	case errors.As(err, &ccf):
		return Stale, nil
	default:
		return "", fmt.Errorf("apply event %s: %w", k.SK, err)
	}
}
