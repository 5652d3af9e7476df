package scope

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"breachflow/internal/casetable"
)

// Shared addresses.
//
// When two people in scope share an address, one notice reaches them both,
// so it must be written for both: each one's law and each one's data. A
// duplicate learns its address's holder from the claim item (the holder's
// jurisdiction and categories are written there with the claim) and adds
// both to the address's shared item, "CASE#<id>#A#<shard>" /
// "SHARED#<address hash>", with ADD on string sets: idempotent and
// order-free, so concurrent segments and reruns agree. It does not touch
// the holder's subject item, which another segment may not have written
// yet and would then overwrite with a blind put. After every segment has
// finished (so every holder's subject surely exists), the aggregate step
// runs Folder.Fold, which reads only the shared items (a begins_with query
// per address shard) and adds each union to its holder's subject
// (casetable.Subject.HolderJurisdictions, HolderCategories), and records the
// jurisdiction combinations it found under "CASE#<id>" / "SCOPE#SHARED" for
// drafting, which drafts and checks a sample notice for each.
//
// Cost at 40M people (DynamoDB on-demand). With d duplicates and s shared
// addresses (s <= d; ~1% of people share an address in the demo data, so
// d ~ 400k): scoping writes one extra item per duplicate (d WCU, ~$0.25
// per million) and claim items grow by a jurisdiction and a few category
// names (still one WCU each, so no extra cost for the other 39.6M). The
// fold reads the s shared items (~200 bytes each: s/40 RCU) and updates s
// subjects (s WCU): about $0.50 at 400k, nothing when no address is shared.
// Its time is the catch: one Lambda, Workers concurrent updates at ~5-10 ms
// each, so ~2-4k addresses a second: 400k take about 2-3 minutes, more
// than the 60 s the CountAffectedPeople state allows today (its
// TimeoutSeconds and the aggregate function's timeout must grow to cover
// the case's expected sharing; at 900 s the fold covers ~2M shared
// addresses). A timed-out fold is safe to run again: every write is an ADD
// to a set or a put of the same content.

// sharedPrefix starts the sort key of a shared-address item, in the
// address's claim partition.
const sharedPrefix = "SHARED#"

// sharedSK is the sort key of the shared item of an address.
func sharedSK(addressHash string) string { return sharedPrefix + addressHash }

// sharedSummarySK is where a case's shared-address summary is recorded,
// under casetable.CasePK.
const sharedSummarySK = "SCOPE#SHARED"

// Shared summarises a case's shared addresses, as Folder.Fold found them.
// It holds counts and jurisdiction codes only.
type Shared struct {
	// Addresses is how many addresses two or more people in scope share.
	Addresses int64 `dynamodbav:"addresses" json:"addresses"`
	// Combinations counts the shared addresses by the jurisdictions of
	// their holders (CombinationKey), for addresses whose holders live
	// under more than one jurisdiction: each needs a notice written for
	// all of them, and drafting drafts one for each combination.
	Combinations map[string]int64 `dynamodbav:"combinations" json:"combinations"`
}

// CombinationKey names a set of jurisdictions: sorted, deduplicated, joined
// by "+", e.g. "KR+SG". It is "" for fewer than two jurisdictions.
func CombinationKey(jurisdictions []string) string {
	js := slices.Clone(jurisdictions)
	slices.Sort(js)
	js = slices.Compact(js)
	if len(js) < 2 {
		return ""
	}
	return strings.Join(js, "+")
}

// FoldDB is the part of the DynamoDB client Folder needs.
type FoldDB interface {
	Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
}

// Folder folds every shared address of a case into its holder's subject
// after scoping. Its fields are configuration, set once.
type Folder struct {
	DB    FoldDB
	Table string
	// Workers is how many address shards are folded at once (0 means 32).
	Workers int
}

// ErrHolderMissing says a shared address's holder has no subject item. It
// cannot happen after every segment finished (a holder's subject is
// written before its segment records its result), so the fold stops
// rather than drop a holder's union.
var ErrHolderMissing = errors.New("holder of a shared address has no subject")

// Fold adds the jurisdictions and categories of everyone sharing each
// address to the address holder's subject, records the case's Shared
// summary and returns it. Call it only after every scope segment of the
// case has finished. It is safe to run again.
func (f *Folder) Fold(ctx context.Context, caseID string, shards int) (*Shared, error) {
	if shards <= 0 {
		shards = casetable.DefaultShards
	}
	workers := f.Workers
	if workers <= 0 {
		workers = 32
	}
	sum := &Shared{Combinations: map[string]int64{}}
	var mu sync.Mutex
	next := make(chan int)
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wg sync.WaitGroup
	for range min(workers, shards) {
		wg.Go(func() {
			for shard := range next {
				part, err := f.foldShard(ctx, caseID, shards, shard)
				if err != nil {
					cancel(err)
					return
				}
				mu.Lock()
				sum.Addresses += part.Addresses
				for k, v := range part.Combinations {
					sum.Combinations[k] += v
				}
				mu.Unlock()
			}
		})
	}
feed:
	for shard := range shards {
		select {
		case next <- shard:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	if err := RecordShared(ctx, f.DB, f.Table, caseID, sum); err != nil {
		return nil, err
	}
	return sum, nil
}

// Putter is the part of the DynamoDB client RecordShared needs.
type Putter interface {
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
}

// RecordShared records a case's Shared summary, replacing any earlier one
// (a fold run again writes the same). Fold calls it; drafting reads it
// back with LoadShared.
func RecordShared(ctx context.Context, db Putter, table, caseID string, sum *Shared) error {
	item, err := attributevalue.MarshalMap(sum)
	if err != nil {
		return fmt.Errorf("encode shared summary: %w", err)
	}
	item[casetable.AttrPK] = &types.AttributeValueMemberS{Value: casetable.CasePK(caseID)}
	item[casetable.AttrSK] = &types.AttributeValueMemberS{Value: sharedSummarySK}
	item["case_id"] = &types.AttributeValueMemberS{Value: caseID}
	if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: item}); err != nil {
		return fmt.Errorf("record shared summary of %s: %w", caseID, err)
	}
	return nil
}

// sharedItem is a shared-address item as share writes it.
type sharedItem struct {
	UserID        string   `dynamodbav:"user_id"`
	Jurisdictions []string `dynamodbav:"holder_jurisdictions,stringset"`
	Categories    []string `dynamodbav:"holder_categories,stringset"`
}

// foldShard folds the shared addresses of one address shard.
func (f *Folder) foldShard(ctx context.Context, caseID string, shards, shard int) (*Shared, error) {
	part := &Shared{Combinations: map[string]int64{}}
	p := dynamodb.NewQueryPaginator(f.DB, &dynamodb.QueryInput{
		TableName:                 aws.String(f.Table),
		KeyConditionExpression:    aws.String("#pk = :pk AND begins_with(#sk, :p)"),
		ExpressionAttributeNames:  map[string]string{"#pk": casetable.AttrPK, "#sk": casetable.AttrSK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: casetable.AddressPK(caseID, shard)}, ":p": &types.AttributeValueMemberS{Value: sharedPrefix}},
		ConsistentRead:            aws.Bool(true),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("read shared addresses of %s shard %d: %w", caseID, shard, err)
		}
		for _, it := range page.Items {
			var s sharedItem
			if err := attributevalue.UnmarshalMap(it, &s); err != nil {
				return nil, fmt.Errorf("decode shared address of %s shard %d: %w", caseID, shard, err)
			}
			if s.UserID == "" || len(s.Jurisdictions) == 0 {
				return nil, fmt.Errorf("shared address of %s shard %d has no holder", caseID, shard)
			}
			if err := f.addToHolder(ctx, caseID, shards, &s); err != nil {
				return nil, err
			}
			part.Addresses++
			if k := CombinationKey(s.Jurisdictions); k != "" {
				part.Combinations[k]++
			}
		}
	}
	return part, nil
}

// addToHolder adds a shared address's union to its holder's subject.
func (f *Folder) addToHolder(ctx context.Context, caseID string, shards int, s *sharedItem) error {
	expr := "ADD holder_jurisdictions :j"
	values := map[string]types.AttributeValue{":j": &types.AttributeValueMemberSS{Value: s.Jurisdictions}}
	if len(s.Categories) > 0 {
		expr += ", holder_categories :k"
		values[":k"] = &types.AttributeValueMemberSS{Value: s.Categories}
	}
	_, err := f.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(f.Table),
		Key: map[string]types.AttributeValue{
			casetable.AttrPK: &types.AttributeValueMemberS{Value: casetable.SubjectPK(caseID, casetable.Shard(s.UserID, shards))},
			casetable.AttrSK: &types.AttributeValueMemberS{Value: casetable.SubjectSK(s.UserID)},
		},
		UpdateExpression:          aws.String(expr),
		ConditionExpression:       aws.String("attribute_exists(#pk)"),
		ExpressionAttributeNames:  map[string]string{"#pk": casetable.AttrPK},
		ExpressionAttributeValues: values,
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return fmt.Errorf("fold case %s: %w", caseID, ErrHolderMissing)
	}
	if err != nil {
		return fmt.Errorf("fold shared address of case %s: %w", caseID, err)
	}
	return nil
}

// Getter is the part of the DynamoDB client LoadShared needs.
type Getter interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
}

// ErrNoShared says a case has no shared-address summary: it was not
// scoped, or scoped before folding existed. Callers treat it as "no shared
// addresses known".
var ErrNoShared = errors.New("no shared-address summary")

// LoadShared reads the Shared summary Fold recorded for a case.
func LoadShared(ctx context.Context, db Getter, table, caseID string) (*Shared, error) {
	out, err := db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(table),
		Key: map[string]types.AttributeValue{
			casetable.AttrPK: &types.AttributeValueMemberS{Value: casetable.CasePK(caseID)},
			casetable.AttrSK: &types.AttributeValueMemberS{Value: sharedSummarySK},
		},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, fmt.Errorf("read shared summary of %s: %w", caseID, err)
	}
	if len(out.Item) == 0 {
		return nil, fmt.Errorf("case %s: %w", caseID, ErrNoShared)
	}
	var s Shared
	if err := attributevalue.UnmarshalMap(out.Item, &s); err != nil {
		return nil, fmt.Errorf("decode shared summary of %s: %w", caseID, err)
	}
	if s.Combinations == nil {
		s.Combinations = map[string]int64{}
	}
	return &s, nil
}
