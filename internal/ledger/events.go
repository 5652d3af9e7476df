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

// from lists the states each event may move a subject out of. Delivered
// never follows bounced or complained, and nothing moves back to sent, so a
// late or repeated event cannot regress a state. A subject may still be
// claimed when its event arrives (the event beat the complete write).
var from = map[casetable.Status][]casetable.Status{
	casetable.StatusDelivered:  {casetable.StatusClaimed, casetable.StatusSent},
	casetable.StatusBounced:    {casetable.StatusClaimed, casetable.StatusSent, casetable.StatusDelivered},
	casetable.StatusComplained: {casetable.StatusClaimed, casetable.StatusSent, casetable.StatusDelivered},
}

// ApplyEvent moves the subject at k to status to (delivered, bounced or
// complained) with a conditional write, recording reason (a short code such
// as "bounce:Permanent/General") and the event time. It keeps the message id
// the send recorded and fills it in when the event beat the complete.
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
