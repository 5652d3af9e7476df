package ledger

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"breachflow/internal/casetable"
)

// FilingRecord is where one regulator filing stands in the ledger: ids,
// status and times, no content.
type FilingRecord struct {
	// ObligationID is the filing's draft id (the obligation it meets).
	ObligationID string
	Status       string
	MessageID    string
	// SentAt is when SES accepted the filing; zero while it has not.
	SentAt time.Time
	// FollowsUp is the filing this one follows up (a staged duty's first
	// stage) and FollowsUpRef the message id that one went out under.
	FollowsUp, FollowsUpRef string
}

// LinkFollowUp records on a sent filing's record which filing it follows
// up, and that filing's message id: the ledger's reference from a second
// stage to the first.
func (l *Ledger) LinkFollowUp(ctx context.Context, k Key, firstID, firstRef string) error {
	_, err := l.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:           aws.String(l.Table),
		Key:                 k.av(),
		UpdateExpression:    aws.String("SET follows_up = :f, follows_up_ref = :r"),
		ConditionExpression: aws.String("attribute_exists(pk)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":f": str(firstID), ":r": str(firstRef),
		},
	})
	return wrap(err, "link follow-up "+k.SK)
}

// Filings lists a case's filing records (FILING#<id> under the case), sent
// or not, in key order: what the console's timeline and status read.
func Filings(ctx context.Context, db Querier, table, caseID string) ([]FilingRecord, error) {
	var out []FilingRecord
	in := &dynamodb.QueryInput{
		TableName:              aws.String(table),
		KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :f)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": str(casetable.CasePK(caseID)), ":f": str("FILING#"),
		},
		ProjectionExpression:     aws.String("sk, #s, message_id, sent_at, follows_up, follows_up_ref"),
		ExpressionAttributeNames: map[string]string{"#s": "status"},
		ConsistentRead:           aws.Bool(true),
	}
	for {
		page, err := db.Query(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("filings of %s: %w", caseID, err)
		}
		for _, item := range page.Items {
			var rec struct {
				SK        string `dynamodbav:"sk"`
				Status    string `dynamodbav:"status"`
				MessageID string `dynamodbav:"message_id"`
				SentAt    string `dynamodbav:"sent_at"`
				FollowsUp string `dynamodbav:"follows_up"`
				Ref       string `dynamodbav:"follows_up_ref"`
			}
			if err := attributevalue.UnmarshalMap(item, &rec); err != nil {
				return nil, fmt.Errorf("filings of %s: %w", caseID, err)
			}
			f := FilingRecord{ObligationID: strings.TrimPrefix(rec.SK, "FILING#"), Status: rec.Status, MessageID: rec.MessageID,
				FollowsUp: rec.FollowsUp, FollowsUpRef: rec.Ref}
			if rec.SentAt != "" {
				f.SentAt, _ = time.Parse(time.RFC3339Nano, rec.SentAt)
			}
			out = append(out, f)
		}
		if len(page.LastEvaluatedKey) == 0 {
			return out, nil
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
	}
}
