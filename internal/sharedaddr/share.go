package sharedaddr

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"breachflow/internal/casetable"
)

// Person is someone at an address, as far as a shared notice needs them:
// their user id, jurisdiction and exposed data categories. It holds codes
// and an id only, never the address.
type Person struct {
	ID           string
	Jurisdiction string
	Categories   []string // breach.Category values
}

// Putter is the part of the DynamoDB client Share and Record need.
type Putter interface {
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
}

// Share records that p shares the address (by its hash, scope.AddressHash)
// that h holds in a case whose subjects spread over shards: one item per
// such person, next to the address's claim, which Folder later folds into
// h's subject. It is a blind put keyed by p, so reruns rewrite the same
// item and people in other segments never touch each other's (and it needs
// no permission beyond PutItem).
func Share(ctx context.Context, db Putter, table, caseID string, shards int, addr string, h, p Person) error {
	item := map[string]types.AttributeValue{
		casetable.AttrPK:      &types.AttributeValueMemberS{Value: casetable.AddressPK(caseID, casetable.Shard(addr, shards))},
		casetable.AttrSK:      &types.AttributeValueMemberS{Value: casetable.SharedSK(addr, p.ID)},
		"case_id":             &types.AttributeValueMemberS{Value: caseID},
		"holder_id":           &types.AttributeValueMemberS{Value: h.ID},
		"holder_jurisdiction": &types.AttributeValueMemberS{Value: h.Jurisdiction},
		"jurisdiction":        &types.AttributeValueMemberS{Value: p.Jurisdiction},
	}
	if len(h.Categories) > 0 {
		item["holder_categories"] = &types.AttributeValueMemberSS{Value: h.Categories}
	}
	if len(p.Categories) > 0 {
		item["categories"] = &types.AttributeValueMemberSS{Value: p.Categories}
	}
	if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: item}); err != nil {
		return fmt.Errorf("record shared address: %w", err)
	}
	return nil
}

// sharedItem is a shared item as Share writes it and Folder reads it.
type sharedItem struct {
	SK                 string   `dynamodbav:"sk"`
	HolderID           string   `dynamodbav:"holder_id"`
	HolderJurisdiction string   `dynamodbav:"holder_jurisdiction"`
	HolderCategories   []string `dynamodbav:"holder_categories,stringset"`
	Jurisdiction       string   `dynamodbav:"jurisdiction"`
	Categories         []string `dynamodbav:"categories,stringset"`
}

// address is the address hash a shared item's sort key names.
func (it *sharedItem) address() string {
	a, _, _ := strings.Cut(strings.TrimPrefix(it.SK, casetable.SharedPrefix), "#")
	return a
}
