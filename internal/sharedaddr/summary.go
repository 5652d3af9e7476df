package sharedaddr

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"breachflow/internal/casetable"
)

// Summary is what a case's shared addresses need from drafting, as
// Folder.Fold found them. It holds counts, jurisdiction and language codes
// only, and stays small: one key per combination and per language and
// reader of it.
type Summary struct {
	// Addresses is how many addresses two or more people in scope share.
	Addresses int64 `dynamodbav:"addresses" json:"addresses"`
	// Combinations counts the shared addresses by the jurisdictions of
	// their holders (notice.Combination), for addresses whose holders live
	// under more than one jurisdiction: each needs a notice written for
	// all of them, and drafting drafts one for each combination.
	Combinations map[string]int64 `dynamodbav:"combinations" json:"combinations"`
	// Notices counts the same addresses by the notice they get (NoticeKey):
	// the locale being the one the notice is written in
	// (notice.ResolveLocale of the holder's). Drafting samples each, so the
	// approvers read every language and reader each combination is sent in.
	Notices map[string]int64 `dynamodbav:"notices" json:"notices"`
}

// NoticeKey is the Summary.Notices key of a notice written in locale for
// a holder in jurisdiction, to an address shared across combination:
// "<locale>|<jurisdiction>|<combination>".
func NoticeKey(locale, jurisdiction, combination string) string {
	return locale + "|" + jurisdiction + "|" + combination
}

// Record records a case's Summary, replacing any earlier one (a fold run
// again writes the same). Fold calls it; drafting reads it back with Load.
func Record(ctx context.Context, db Putter, table, caseID string, sum *Summary) error {
	item, err := attributevalue.MarshalMap(sum)
	if err != nil {
		return fmt.Errorf("encode shared summary: %w", err)
	}
	item[casetable.AttrPK] = &types.AttributeValueMemberS{Value: casetable.CasePK(caseID)}
	item[casetable.AttrSK] = &types.AttributeValueMemberS{Value: casetable.SharedSummarySK}
	item["case_id"] = &types.AttributeValueMemberS{Value: caseID}
	if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: item}); err != nil {
		return fmt.Errorf("record shared summary of %s: %w", caseID, err)
	}
	return nil
}

// Getter is the part of the DynamoDB client Load needs.
type Getter interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
}

// ErrNoSummary says a case has no shared-address summary: it was not
// scoped, or scoped before folding existed. Callers treat it as "no shared
// addresses known".
var ErrNoSummary = errors.New("no shared-address summary")

// Load reads the Summary Fold recorded for a case, or ErrNoSummary
// (wrapped).
func Load(ctx context.Context, db Getter, table, caseID string) (*Summary, error) {
	out, err := db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(table),
		Key: map[string]types.AttributeValue{
			casetable.AttrPK: &types.AttributeValueMemberS{Value: casetable.CasePK(caseID)},
			casetable.AttrSK: &types.AttributeValueMemberS{Value: casetable.SharedSummarySK},
		},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, fmt.Errorf("read shared summary of %s: %w", caseID, err)
	}
	if len(out.Item) == 0 {
		return nil, fmt.Errorf("case %s: %w", caseID, ErrNoSummary)
	}
	var s Summary
	if err := attributevalue.UnmarshalMap(out.Item, &s); err != nil {
		return nil, fmt.Errorf("decode shared summary of %s: %w", caseID, err)
	}
	if s.Notices == nil {
		s.Notices = map[string]int64{}
	}
	if s.Combinations == nil {
		s.Combinations = map[string]int64{}
	}
	return &s, nil
}
