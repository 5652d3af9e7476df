package assess

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"breachflow/internal/casetable"
	"breachflow/internal/rules"
)

// skAssessment is the sort key of a case's assessment item.
const skAssessment = "ASSESSMENT"

// DB is the part of the DynamoDB client the store uses.
type DB interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
}

// Store keeps each case's assessment in the case table.
type Store struct {
	DB    DB
	Table string
}

// NotFoundError says a case has not been assessed.
type NotFoundError struct{ CaseID string }

func (e *NotFoundError) Error() string { return "case " + e.CaseID + ": not assessed yet" }

// Put stores a's obligations as the case's assessment, replacing any earlier one.
func (s *Store) Put(ctx context.Context, caseID string, a rules.Assessment) error {
	body, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("store assessment %s: %w", caseID, err)
	}
	_, err = s.DB.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(s.Table),
		Item: map[string]types.AttributeValue{
			casetable.AttrPK: &types.AttributeValueMemberS{Value: casetable.CasePK(caseID)},
			casetable.AttrSK: &types.AttributeValueMemberS{Value: skAssessment},
			"assessment":     &types.AttributeValueMemberS{Value: string(body)},
			"assessed_at":    &types.AttributeValueMemberS{Value: a.Now.UTC().Format(time.RFC3339)},
			"obligations":    &types.AttributeValueMemberN{Value: fmt.Sprint(len(a.Obligations))},
		},
	})
	if err != nil {
		return fmt.Errorf("store assessment %s: %w", caseID, err)
	}
	return nil
}

// Get returns the case's stored assessment, or a *NotFoundError.
func (s *Store) Get(ctx context.Context, caseID string) (rules.Assessment, error) {
	out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.Table),
		Key: map[string]types.AttributeValue{
			casetable.AttrPK: &types.AttributeValueMemberS{Value: casetable.CasePK(caseID)},
			casetable.AttrSK: &types.AttributeValueMemberS{Value: skAssessment},
		},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return rules.Assessment{}, fmt.Errorf("load assessment %s: %w", caseID, err)
	}
	body, ok := out.Item["assessment"].(*types.AttributeValueMemberS)
	if !ok {
		return rules.Assessment{}, &NotFoundError{CaseID: caseID}
	}
	var a rules.Assessment
	if err := json.Unmarshal([]byte(body.Value), &a); err != nil {
		return rules.Assessment{}, fmt.Errorf("decode assessment %s: %w", caseID, err)
	}
	return a, nil
}
