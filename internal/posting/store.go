package posting

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

// DB is the part of the DynamoDB client the package uses.
type DB interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

// Sort keys under the case's partition: one item per posted page and one
// summary of the case's posting (what the link pages read).
const (
	skSummary  = "POSTING"
	pagePrefix = "POSTING#"
)

// ErrNotPublished says a case has no posted notice yet.
var ErrNotPublished = errors.New("no posted notice")

// Page is one posted page as recorded: where it is, what it holds (the
// SHA-256 of the bytes served and of the approved draft), when it went up
// and when it may come down.
type Page struct {
	PK          string    `dynamodbav:"pk" json:"-"`
	SK          string    `dynamodbav:"sk" json:"-"`
	CaseID      string    `dynamodbav:"case_id" json:"case_id"`
	DraftID     string    `dynamodbav:"draft_id" json:"draft_id"`
	Locale      string    `dynamodbav:"locale" json:"locale"`
	Key         string    `dynamodbav:"key" json:"key"`
	URL         string    `dynamodbav:"url" json:"url"`
	SHA256      string    `dynamodbav:"sha256" json:"sha256"`
	DraftSHA256 string    `dynamodbav:"draft_sha256" json:"draft_sha256"`
	VersionID   string    `dynamodbav:"version_id,omitempty" json:"version_id,omitempty"`
	ContentHash string    `dynamodbav:"content_hash" json:"content_hash"`
	PostedAt    time.Time `dynamodbav:"posted_at" json:"posted_at"`
	Until       time.Time `dynamodbav:"until" json:"until"`
	Period      Period    `dynamodbav:"period" json:"period"`
}

// Summary is the case's posting: the approved content hash it was
// published under and the period every page keeps. Links expire at Until.
type Summary struct {
	PK          string    `dynamodbav:"pk"`
	SK          string    `dynamodbav:"sk"`
	CaseID      string    `dynamodbav:"case_id"`
	ContentHash string    `dynamodbav:"content_hash"`
	PostedAt    time.Time `dynamodbav:"posted_at"`
	Until       time.Time `dynamodbav:"until"`
	Days        int       `dynamodbav:"days"`
	Pages       int       `dynamodbav:"pages"`
}

// Store reads and writes the posting records in the case table.
type Store struct {
	DB    DB
	Table string
}

func (s Store) key(caseID, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		casetable.AttrPK: &types.AttributeValueMemberS{Value: casetable.CasePK(caseID)},
		casetable.AttrSK: &types.AttributeValueMemberS{Value: sk},
	}
}

// Pages returns the case's posted pages, by draft id.
func (s Store) Pages(ctx context.Context, caseID string) ([]Page, error) {
	var out []Page
	var start map[string]types.AttributeValue
	for {
		res, err := s.DB.Query(ctx, &dynamodb.QueryInput{
			TableName:              aws.String(s.Table),
			KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :p)"),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":pk": &types.AttributeValueMemberS{Value: casetable.CasePK(caseID)},
				":p":  &types.AttributeValueMemberS{Value: pagePrefix},
			},
			ConsistentRead:    aws.Bool(true),
			ExclusiveStartKey: start,
		})
		if err != nil {
			return nil, fmt.Errorf("posted pages of %s: %w", caseID, err)
		}
		var page []Page
		if err := attributevalue.UnmarshalListOfMaps(res.Items, &page); err != nil {
			return nil, fmt.Errorf("posted pages of %s: %w", caseID, err)
		}
		out = append(out, page...)
		if start = res.LastEvaluatedKey; len(start) == 0 {
			return out, nil
		}
	}
}

// Summary returns the case's posting summary, or ErrNotPublished.
func (s Store) Summary(ctx context.Context, caseID string) (Summary, error) {
	res, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.Table), Key: s.key(caseID, skSummary), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return Summary{}, fmt.Errorf("posting of %s: %w", caseID, err)
	}
	if len(res.Item) == 0 {
		return Summary{}, fmt.Errorf("case %s: %w", caseID, ErrNotPublished)
	}
	var sum Summary
	if err := attributevalue.UnmarshalMap(res.Item, &sum); err != nil {
		return Summary{}, fmt.Errorf("posting of %s: %w", caseID, err)
	}
	return sum, nil
}

func (s Store) put(ctx context.Context, item any) error {
	av, err := attributevalue.MarshalMap(item)
	if err != nil {
		return err
	}
	_, err = s.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.Table), Item: av})
	return err
}
