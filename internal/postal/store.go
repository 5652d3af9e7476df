package postal

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"breachflow/internal/audit"
	"breachflow/internal/casetable"
)

// DB is the part of the DynamoDB client the export record uses.
type DB interface {
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

// ActionExported is the audit action of a postal export.
const ActionExported = "postal.exported"

const exportPrefix = "POSTAL#"

type item struct {
	PK string `dynamodbav:"pk"`
	SK string `dynamodbav:"sk"`
	Result
}

// Store keeps each export's counts and hashes in the case table
// ("POSTAL#<time>"), for the evidence pack: never an address.
type Store struct {
	DB    DB
	Table string
	Audit audit.Appender
}

// Record stores res and appends it to the case's audit chain.
func (s Store) Record(ctx context.Context, actor string, res Result) error {
	av, err := attributevalue.MarshalMap(item{PK: casetable.CasePK(res.CaseID), SK: exportPrefix + res.At.Format(time.RFC3339Nano), Result: res})
	if err != nil {
		return err
	}
	if _, err := s.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.Table), Item: av}); err != nil {
		return fmt.Errorf("record postal export: %w", err)
	}
	if s.Audit == nil {
		return nil
	}
	detail := map[string]string{"letters": strconv.Itoa(res.Letters), "content_hash": res.ContentHash}
	for _, f := range res.Files {
		detail[f.Name+"_sha256"] = f.SHA256
	}
	if _, err := s.Audit.Append(ctx, res.CaseID, audit.Record{Actor: actor, Action: ActionExported, Detail: detail}); err != nil {
		return fmt.Errorf("audit postal export: %w", err)
	}
	return nil
}

// List returns the case's postal exports, oldest first.
func (s Store) List(ctx context.Context, caseID string) ([]Result, error) {
	res, err := s.DB.Query(ctx, &dynamodb.QueryInput{
		TableName:              aws.String(s.Table),
		KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :p)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": &types.AttributeValueMemberS{Value: casetable.CasePK(caseID)},
			":p":  &types.AttributeValueMemberS{Value: exportPrefix},
		},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, fmt.Errorf("postal exports of %s: %w", caseID, err)
	}
	var items []item
	if err := attributevalue.UnmarshalListOfMaps(res.Items, &items); err != nil {
		return nil, err
	}
	out := make([]Result, len(items))
	for i, it := range items {
		out[i] = it.Result
	}
	return out, nil
}
