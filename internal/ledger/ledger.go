package ledger

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"breachflow/internal/casetable"
)

// DB is the part of the DynamoDB client the ledger uses.
type DB interface {
	Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
}

// ErrNotClaimable means the record is not pending and holds no expired
// lease: it was sent already, failed, is held by a live claim, or does not
// exist.
var ErrNotClaimable = errors.New("ledger: not claimable")

// ErrLeaseLost means a claim's fencing token no longer matches: its lease
// expired and someone else claimed the record. The caller's outcome was not
// recorded.
var ErrLeaseLost = errors.New("ledger: lease lost")

// Key addresses one ledger record: a subject or a regulator filing.
type Key struct {
	PK string `dynamodbav:"pk"`
	SK string `dynamodbav:"sk"`
}

// SubjectKey is the key of a case's subject.
func SubjectKey(caseID string, shard int, userID string) Key {
	return Key{PK: casetable.SubjectPK(caseID, shard), SK: casetable.SubjectSK(userID)}
}

// FilingKey is the key of a case's filing to one obligation's regulator.
func FilingKey(caseID, obligationID string) Key {
	return Key{PK: casetable.CasePK(caseID), SK: "FILING#" + obligationID}
}

// Ledger claims and records sends in the case table.
type Ledger struct {
	DB    DB
	Table string
	// Page is how many subjects make one page of a shard (default
	// DefaultPage). Send records are filed by page, so every reader and
	// writer of a case must use the same size: only tests change it.
	Page int
}

// DefaultPage is the size of a shard's pages.
const DefaultPage = 500

func (l *Ledger) page() int {
	if l.Page > 0 {
		return l.Page
	}
	return DefaultPage
}

// claimUpdate takes the lease and counts the attempt; ADD creates attempts
// on a first claim.
const claimUpdate = "SET #s = :c, lease_until = :l ADD attempts :o"

// ClaimFiling takes a lease on the filing record at k until leaseUntil,
// creating it on first use, if it is pending or its previous lease ended
// before now, and returns the claim's fencing token (the new attempts
// count).
func (l *Ledger) ClaimFiling(ctx context.Context, k Key, now, leaseUntil time.Time) (attempt int, err error) {
	out, err := l.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(l.Table),
		Key:                      k.av(),
		UpdateExpression:         aws.String(claimUpdate),
		ConditionExpression:      aws.String("attribute_not_exists(pk) OR #s = :p OR (#s = :c AND lease_until < :n)"),
		ExpressionAttributeNames: map[string]string{"#s": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":c": str(string(casetable.StatusClaimed)),
			":p": str(string(casetable.StatusPending)),
			":l": num(leaseUntil.UnixMilli()),
			":n": num(now.UnixMilli()),
			":o": num(1),
		},
		ReturnValues: types.ReturnValueUpdatedNew,
	})
	if err != nil {
		return 0, conditional(err, ErrNotClaimable, "claim "+k.SK)
	}
	return attempts(out.Attributes, k)
}

func attempts(attrs map[string]types.AttributeValue, k Key) (int, error) {
	var rec struct {
		Attempts int `dynamodbav:"attempts"`
	}
	if err := attributevalue.UnmarshalMap(attrs, &rec); err != nil || rec.Attempts < 1 {
		return 0, fmt.Errorf("claim %s: no attempts count returned (%v)", k.SK, err)
	}
	return rec.Attempts, nil
}

// Complete records that the claim with fencing token attempt was sent as
// messageID. If an SES event for the message got there first (the subject is
// already delivered, bounced or complained under the same claim), it keeps
// that state and only adds the message id and send time.
func (l *Ledger) Complete(ctx context.Context, k Key, attempt int, messageID string, now time.Time) error {
	ts := str(now.UTC().Format(time.RFC3339Nano))
	_, err := l.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(l.Table),
		Key:                      k.av(),
		UpdateExpression:         aws.String("SET #s = :s, message_id = :m, sent_at = :t"),
		ConditionExpression:      aws.String("#s = :c AND attempts = :a"),
		ExpressionAttributeNames: map[string]string{"#s": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":s": str(string(casetable.StatusSent)), ":c": str(string(casetable.StatusClaimed)),
			":a": num(int64(attempt)), ":m": str(messageID), ":t": ts,
		},
	})
	if err == nil || !isConditional(err) {
		return wrap(err, "complete "+k.SK)
	}
	// The rare race: the event beat the complete. Record the send without
	// touching the state the event set.
	_, err = l.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(l.Table),
		Key:                      k.av(),
		UpdateExpression:         aws.String("SET message_id = if_not_exists(message_id, :m), sent_at = :now, updated_at = :now"),
		ConditionExpression:      aws.String("attempts = :a AND #s IN (:d, :b, :c)"),
		ExpressionAttributeNames: map[string]string{"#s": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":a": num(int64(attempt)), ":m": str(messageID), ":now": ts,
			":d": str(string(casetable.StatusDelivered)), ":b": str(string(casetable.StatusBounced)), ":c": str(string(casetable.StatusComplained)),
		},
	})
	return conditional(err, ErrLeaseLost, "complete "+k.SK)
}

// Fail marks a claimed record failed for reason (a short code, never
// personal data), which puts a subject on the fallback list.
func (l *Ledger) Fail(ctx context.Context, k Key, attempt int, reason string, now time.Time) error {
	return l.fromClaimed(ctx, k, attempt, "fail", "SET #s = :to, reason = :r, updated_at = :now REMOVE lease_until", map[string]types.AttributeValue{
		":to": str(string(casetable.StatusFailed)), ":r": str(reason), ":now": str(now.UTC().Format(time.RFC3339Nano)),
	})
}

// Release gives a claim back unsent (pending again, no lease), so the next
// run takes the person at once instead of waiting for the lease to expire.
// With refund the claim does not count as an attempt: the run stopped before
// trying (deadline, stop error), which must not use up the person's
// attempts. The holder must not write again after a release: a refunded
// fencing token is handed out again.
func (l *Ledger) Release(ctx context.Context, k Key, attempt int, refund bool, now time.Time) error {
	update := "SET #s = :to, updated_at = :now REMOVE lease_until"
	vals := map[string]types.AttributeValue{":to": str(string(casetable.StatusPending)), ":now": str(now.UTC().Format(time.RFC3339Nano))}
	if refund {
		update = "SET #s = :to, updated_at = :now, attempts = attempts - :one REMOVE lease_until"
		vals[":one"] = num(1)
	}
	return l.fromClaimed(ctx, k, attempt, "release", update, vals)
}

func (l *Ledger) fromClaimed(ctx context.Context, k Key, attempt int, op, update string, vals map[string]types.AttributeValue) error {
	vals[":claimed"] = str(string(casetable.StatusClaimed))
	vals[":a"] = num(int64(attempt))
	_, err := l.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(l.Table),
		Key:                       k.av(),
		UpdateExpression:          aws.String(update),
		ConditionExpression:       aws.String("#s = :claimed AND attempts = :a"),
		ExpressionAttributeNames:  map[string]string{"#s": "status"},
		ExpressionAttributeValues: vals,
	})
	return conditional(err, ErrLeaseLost, op+" "+k.SK)
}

func query(ctx context.Context, db Querier, in *dynamodb.QueryInput, cursor string) (Page, error) {
	pk := in.ExpressionAttributeValues[":pk"].(*types.AttributeValueMemberS).Value
	if cursor != "" {
		in.ExclusiveStartKey = Key{PK: pk, SK: casetable.SubjectSK(cursor)}.av()
	}
	out, err := db.Query(ctx, in)
	if err != nil {
		return Page{}, fmt.Errorf("query %s: %w", pk, err)
	}
	var p Page
	if err := attributevalue.UnmarshalListOfMaps(out.Items, &p.Subjects); err != nil {
		return Page{}, fmt.Errorf("query %s: decode: %w", pk, err)
	}
	if sk, ok := out.LastEvaluatedKey[casetable.AttrSK].(*types.AttributeValueMemberS); ok {
		p.Next = strings.TrimPrefix(sk.Value, "USER#")
	}
	return p, nil
}

func (k Key) av() map[string]types.AttributeValue {
	return map[string]types.AttributeValue{casetable.AttrPK: str(k.PK), casetable.AttrSK: str(k.SK)}
}

func str(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }

func num(n int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

func isConditional(err error) bool {
	var ccf *types.ConditionalCheckFailedException
	return errors.As(err, &ccf)
}

// conditional turns a failed condition into sentinel and wraps anything else.
func conditional(err, sentinel error, op string) error {
	if err != nil && isConditional(err) {
		return fmt.Errorf("%s: %w", op, sentinel)
	}
	return wrap(err, op)
}

func wrap(err error, op string) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", op, err)
}
