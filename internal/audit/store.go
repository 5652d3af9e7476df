package audit

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"breachflow/internal/casetable"
)

// DB is the part of the DynamoDB client the audit log needs.
type DB interface {
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

// maxAttempts bounds how often Append re-reads the head after losing a race.
// Each loss means another writer appended, so the chain still moves forward.
const maxAttempts = 20

// ErrContention says Append lost the race for the next sequence number too
// many times in a row.
var ErrContention = errors.New("audit: too many concurrent appends")

// Log appends to and reads the audit log in one case table.
type Log struct {
	DB    DB
	Table string
	// Now stamps entries; nil means time.Now.
	Now func() time.Time
}

// Append adds rec as the next entry of the case's chain and returns it.
func (l Log) Append(ctx context.Context, caseID string, rec Record) (Entry, error) {
	now := time.Now
	if l.Now != nil {
		now = l.Now
	}
	for range maxAttempts {
		head, err := l.head(ctx, caseID)
		if err != nil {
			return Entry{}, err
		}
		e := Entry{
			CaseID: caseID, Seq: head.Seq + 1, At: now().UTC(), Actor: rec.Actor,
			Action: rec.Action, Detail: rec.Detail, PrevHash: head.Hash,
		}
		if e.PrevHash == "" {
			e.PrevHash = Genesis
		}
		e.Hash = e.ComputeHash()
		item, err := attributevalue.MarshalMap(e)
		if err != nil {
			return Entry{}, fmt.Errorf("audit append: %w", err)
		}
		item[casetable.AttrPK] = &types.AttributeValueMemberS{Value: casetable.CasePK(caseID)}
		item[casetable.AttrSK] = &types.AttributeValueMemberS{Value: SortKey(e.Seq)}
		_, err = l.DB.PutItem(ctx, &dynamodb.PutItemInput{
			TableName:                aws.String(l.Table),
			Item:                     item,
			ConditionExpression:      aws.String("attribute_not_exists(#sk)"),
			ExpressionAttributeNames: map[string]string{"#sk": casetable.AttrSK},
		})
		var taken *types.ConditionalCheckFailedException
		if errors.As(err, &taken) {
			continue // another writer took this number: chain onto its entry
		}
		if err != nil {
			return Entry{}, fmt.Errorf("audit append %s #%d: %w", caseID, e.Seq, err)
		}
		return e, nil
	}
	return Entry{}, fmt.Errorf("audit append %s: %w", caseID, ErrContention)
}

// head returns the case's last entry, or a zero Entry when it has none.
func (l Log) head(ctx context.Context, caseID string) (Entry, error) {
	out, err := l.DB.Query(ctx, l.query(caseID, false, 1, nil))
	if err != nil {
		return Entry{}, fmt.Errorf("audit head %s: %w", caseID, err)
	}
	if len(out.Items) == 0 {
		return Entry{}, nil
	}
	var e Entry
	if err := attributevalue.UnmarshalMap(out.Items[0], &e); err != nil {
		return Entry{}, fmt.Errorf("audit head %s: %w", caseID, err)
	}
	return e, nil
}

// List returns the case's entries in order, oldest first.
func (l Log) List(ctx context.Context, caseID string) ([]Entry, error) {
	var entries []Entry
	var start map[string]types.AttributeValue
	for {
		out, err := l.DB.Query(ctx, l.query(caseID, true, 0, start))
		if err != nil {
			return nil, fmt.Errorf("audit list %s: %w", caseID, err)
		}
		page := make([]Entry, 0, len(out.Items))
		if err := attributevalue.UnmarshalListOfMaps(out.Items, &page); err != nil {
			return nil, fmt.Errorf("audit list %s: %w", caseID, err)
		}
		entries = append(entries, page...)
		if len(out.LastEvaluatedKey) == 0 {
			return entries, nil
		}
		start = out.LastEvaluatedKey
	}
}

// Verify reads the case's log and checks its chain (see the function Verify).
func (l Log) Verify(ctx context.Context, caseID string) ([]Entry, error) {
	entries, err := l.List(ctx, caseID)
	if err != nil {
		return nil, err
	}
	return entries, Verify(entries)
}

func (l Log) query(caseID string, forward bool, limit int32, start map[string]types.AttributeValue) *dynamodb.QueryInput {
	in := &dynamodb.QueryInput{
		TableName:              aws.String(l.Table),
		KeyConditionExpression: aws.String("#pk = :pk AND begins_with(#sk, :prefix)"),
		ExpressionAttributeNames: map[string]string{
			"#pk": casetable.AttrPK, "#sk": casetable.AttrSK,
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk":     &types.AttributeValueMemberS{Value: casetable.CasePK(caseID)},
			":prefix": &types.AttributeValueMemberS{Value: SortKeyPrefix},
		},
		ScanIndexForward:  aws.Bool(forward),
		ConsistentRead:    aws.Bool(true),
		ExclusiveStartKey: start,
	}
	if limit > 0 {
		in.Limit = aws.Int32(limit)
	}
	return in
}

// Append adds rec to the case's log in table; see Log.Append.
func Append(ctx context.Context, db DB, table, caseID string, rec Record) (Entry, error) {
	return Log{DB: db, Table: table}.Append(ctx, caseID, rec)
}

// List returns the case's log in table, oldest first; see Log.List.
func List(ctx context.Context, db DB, table, caseID string) ([]Entry, error) {
	return Log{DB: db, Table: table}.List(ctx, caseID)
}
