package approval

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"breachflow/internal/casetable"
)

// DB is the part of the DynamoDB client DynamoStore needs.
type DB interface {
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

// Sort keys of approval items under casetable.CasePK(caseID), and the index
// partition that lists pending requests by earliest deadline.
const (
	skRequest    = "APPROVAL#REQ#"  // + request id
	skLink       = "APPROVAL#LINK#" // + nonce
	skVote       = "APPROVAL#VOTE#" // + request id + "#" + approver id
	skEscalation = "APPROVAL#ESC#"  // + margin in seconds, zero-padded
	// PendingIndexPK is the gsi1 partition of pending approval requests;
	// gsi1sk is the earliest deadline (UTC, fixed width) + "#case#request".
	PendingIndexPK = "APPROVALS#PENDING"
)

// DynamoStore is the Store in the case table.
type DynamoStore struct {
	DB    DB
	Table string
}

func marshal(v any, pk, sk string) (map[string]types.AttributeValue, error) {
	item, err := attributevalue.MarshalMapWithOptions(v, func(o *attributevalue.EncoderOptions) { o.OmitEmptyTime = true })
	if err != nil {
		return nil, err
	}
	item[casetable.AttrPK] = &types.AttributeValueMemberS{Value: pk}
	item[casetable.AttrSK] = &types.AttributeValueMemberS{Value: sk}
	return item, nil
}

func str(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }

func itemKey(caseID, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{casetable.AttrPK: str(casetable.CasePK(caseID)), casetable.AttrSK: str(sk)}
}

func conditionFailed(err error) bool {
	var ccf *types.ConditionalCheckFailedException
	return errors.As(err, &ccf)
}

// putNew writes an item that must not exist yet; exists is returned if it does.
func (d DynamoStore) putNew(ctx context.Context, item map[string]types.AttributeValue, exists error) error {
	_, err := d.DB.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(d.Table), Item: item,
		ConditionExpression:      aws.String("attribute_not_exists(#sk)"),
		ExpressionAttributeNames: map[string]string{"#sk": casetable.AttrSK},
	})
	if conditionFailed(err) {
		return exists
	}
	return err
}

func pendingSK(r Request) string {
	due := "0000-00-00T00:00:00Z" // no deadline: listed first, never escalated
	if t, ok := r.Earliest(); ok {
		due = t.UTC().Format("2006-01-02T15:04:05Z")
	}
	return due + "#" + r.CaseID + "#" + r.RequestID
}

// CreateRequest implements Store.
func (d DynamoStore) CreateRequest(ctx context.Context, r Request) error {
	item, err := marshal(r, casetable.CasePK(r.CaseID), skRequest+r.RequestID)
	if err != nil {
		return fmt.Errorf("create request: %w", err)
	}
	if r.Status == StatusPending {
		item[casetable.AttrGSI1PK] = str(PendingIndexPK)
		item[casetable.AttrGSI1SK] = str(pendingSK(r))
	}
	return d.putNew(ctx, item, ErrExists)
}

func (d DynamoStore) get(ctx context.Context, caseID, sk string, v any) error {
	out, err := d.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(d.Table), Key: itemKey(caseID, sk), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return err
	}
	if out.Item == nil {
		return ErrNotFound
	}
	return attributevalue.UnmarshalMap(out.Item, v)
}

// Request implements Store.
func (d DynamoStore) Request(ctx context.Context, caseID, requestID string) (Request, error) {
	var r Request
	if err := d.get(ctx, caseID, skRequest+requestID, &r); err != nil {
		return Request{}, fmt.Errorf("approval request %s/%s: %w", caseID, requestID, err)
	}
	return r, nil
}

// query returns every item of the case whose sort key starts with prefix.
func (d DynamoStore) query(ctx context.Context, caseID, prefix string, out any) error {
	var items []map[string]types.AttributeValue
	p := dynamodb.NewQueryPaginator(d.DB, &dynamodb.QueryInput{
		TableName:                aws.String(d.Table),
		KeyConditionExpression:   aws.String("#pk = :pk AND begins_with(#sk, :p)"),
		ExpressionAttributeNames: map[string]string{"#pk": casetable.AttrPK, "#sk": casetable.AttrSK},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": str(casetable.CasePK(caseID)), ":p": str(prefix),
		},
		ConsistentRead: aws.Bool(true),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		items = append(items, page.Items...)
	}
	return attributevalue.UnmarshalListOfMaps(items, out)
}

// Requests implements Store.
func (d DynamoStore) Requests(ctx context.Context, caseID string) ([]Request, error) {
	var rs []Request
	if err := d.query(ctx, caseID, skRequest, &rs); err != nil {
		return nil, fmt.Errorf("approval requests %s: %w", caseID, err)
	}
	slices.SortFunc(rs, func(a, b Request) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return rs, nil
}

// Pending implements Store. The index is eventually consistent, which suits
// its one caller, the escalation check.
func (d DynamoStore) Pending(ctx context.Context, before time.Time) ([]Request, error) {
	var items []map[string]types.AttributeValue
	p := dynamodb.NewQueryPaginator(d.DB, &dynamodb.QueryInput{
		TableName:                aws.String(d.Table),
		IndexName:                aws.String(casetable.IndexGSI1),
		KeyConditionExpression:   aws.String("#pk = :pk AND #sk < :before"),
		ExpressionAttributeNames: map[string]string{"#pk": casetable.AttrGSI1PK, "#sk": casetable.AttrGSI1SK},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": str(PendingIndexPK), ":before": str(before.UTC().Format("2006-01-02T15:04:05Z")),
		},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("pending approvals: %w", err)
		}
		items = append(items, page.Items...)
	}
	var rs []Request
	if err := attributevalue.UnmarshalListOfMaps(items, &rs); err != nil {
		return nil, fmt.Errorf("pending approvals: %w", err)
	}
	return slices.DeleteFunc(rs, func(r Request) bool { return r.Status != StatusPending }), nil
}

// SetStatus implements Store. Leaving pending also leaves the pending index.
func (d DynamoStore) SetStatus(ctx context.Context, caseID, requestID string, from, to Status, at time.Time) error {
	at = at.UTC()
	_, err := d.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(d.Table),
		Key:                      itemKey(caseID, skRequest+requestID),
		UpdateExpression:         aws.String("SET #st = :to, decided_at = :at REMOVE #g1pk, #g1sk"),
		ConditionExpression:      aws.String("#st = :from"),
		ExpressionAttributeNames: map[string]string{"#st": "status", "#g1pk": casetable.AttrGSI1PK, "#g1sk": casetable.AttrGSI1SK},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":to": str(string(to)), ":from": str(string(from)), ":at": str(at.Format(time.RFC3339Nano)),
		},
	})
	if conditionFailed(err) {
		return ErrConflict
	}
	if err != nil {
		return fmt.Errorf("set status %s/%s: %w", caseID, requestID, err)
	}
	return nil
}

// MarkNotified implements Store.
func (d DynamoStore) MarkNotified(ctx context.Context, caseID, requestID string) error {
	_, err := d.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(d.Table),
		Key:                       itemKey(caseID, skRequest+requestID),
		UpdateExpression:          aws.String("SET task_notified = :t"),
		ConditionExpression:       aws.String("attribute_exists(#sk)"),
		ExpressionAttributeNames:  map[string]string{"#sk": casetable.AttrSK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":t": &types.AttributeValueMemberBOOL{Value: true}},
	})
	if conditionFailed(err) {
		return ErrNotFound
	}
	return err
}

// PutLink implements Store.
func (d DynamoStore) PutLink(ctx context.Context, l Link) error {
	item, err := marshal(l, casetable.CasePK(l.CaseID), skLink+l.Nonce)
	if err != nil {
		return fmt.Errorf("put link: %w", err)
	}
	return d.putNew(ctx, item, ErrExists)
}

// Link implements Store.
func (d DynamoStore) Link(ctx context.Context, caseID, nonce string) (Link, error) {
	var l Link
	if err := d.get(ctx, caseID, skLink+nonce, &l); err != nil {
		return Link{}, err
	}
	return l, nil
}

// ConsumeLink implements Store: the conditional update lets exactly one
// use through.
func (d DynamoStore) ConsumeLink(ctx context.Context, caseID, nonce string, at time.Time) error {
	_, err := d.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(d.Table),
		Key:                       itemKey(caseID, skLink+nonce),
		UpdateExpression:          aws.String("SET consumed_at = :at"),
		ConditionExpression:       aws.String("attribute_exists(#sk) AND attribute_not_exists(consumed_at)"),
		ExpressionAttributeNames:  map[string]string{"#sk": casetable.AttrSK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":at": str(at.UTC().Format(time.RFC3339Nano))},
	})
	if conditionFailed(err) {
		if _, err := d.Link(ctx, caseID, nonce); err != nil {
			return err
		}
		return ErrLinkUsed
	}
	if err != nil {
		return fmt.Errorf("consume link: %w", err)
	}
	return nil
}

// AddVote implements Store.
func (d DynamoStore) AddVote(ctx context.Context, v Vote) error {
	item, err := marshal(v, casetable.CasePK(v.CaseID), skVote+v.RequestID+"#"+v.ApproverID)
	if err != nil {
		return fmt.Errorf("add vote: %w", err)
	}
	return d.putNew(ctx, item, ErrAlreadyVoted)
}

// Votes implements Store.
func (d DynamoStore) Votes(ctx context.Context, caseID, requestID string) ([]Vote, error) {
	var vs []Vote
	if err := d.query(ctx, caseID, skVote+requestID+"#", &vs); err != nil {
		return nil, fmt.Errorf("votes %s/%s: %w", caseID, requestID, err)
	}
	slices.SortFunc(vs, func(a, b Vote) int { return a.At.Compare(b.At) })
	return vs, nil
}

// ClaimEscalation implements Store.
func (d DynamoStore) ClaimEscalation(ctx context.Context, e Escalation) error {
	sk := fmt.Sprintf("%s%010d", skEscalation, int64(e.Margin/time.Second))
	if e.Stage != "" {
		sk = fmt.Sprintf("%sSTAGE#%s#%010d", skEscalation, e.Stage, int64(e.Margin/time.Second))
	}
	item, err := marshal(e, casetable.CasePK(e.CaseID), sk)
	if err != nil {
		return fmt.Errorf("claim escalation: %w", err)
	}
	return d.putNew(ctx, item, ErrAlreadyEscalated)
}

// Escalations implements Store.
func (d DynamoStore) Escalations(ctx context.Context, caseID string) ([]Escalation, error) {
	var es []Escalation
	if err := d.query(ctx, caseID, skEscalation, &es); err != nil {
		return nil, fmt.Errorf("escalations %s: %w", caseID, err)
	}
	slices.SortFunc(es, func(a, b Escalation) int { return a.At.Compare(b.At) })
	return es, nil
}

var _ Store = DynamoStore{}
