package sharedaddr

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"breachflow/internal/casetable"
	"breachflow/internal/notice"
)

// FoldDB is the part of the DynamoDB client Folder needs.
type FoldDB interface {
	Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
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

// Fold merges the jurisdictions and categories of everyone sharing each
// address into the address holder's subject, records the case's Summary
// and returns it. Call it only after every scope segment of the
// case has finished. It is safe to run again.
func (f *Folder) Fold(ctx context.Context, caseID string, shards int) (*Summary, error) {
	if shards <= 0 {
		shards = casetable.DefaultShards
	}
	workers := f.Workers
	if workers <= 0 {
		workers = 32
	}
	sum := &Summary{Combinations: map[string]int64{}, Notices: map[string]int64{}}
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
				for k, v := range part.Notices {
					sum.Notices[k] += v
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
	if err := Record(ctx, f.DB, f.Table, caseID, sum); err != nil {
		return nil, err
	}
	return sum, nil
}

// group is the union of one address's shared items.
type group struct {
	address, holder string
	juris, cats     map[string]bool
}

func (g *group) add(it *sharedItem) {
	for _, j := range []string{it.HolderJurisdiction, it.Jurisdiction} {
		if j != "" {
			g.juris[j] = true
		}
	}
	for _, c := range append(slices.Clone(it.HolderCategories), it.Categories...) {
		g.cats[c] = true
	}
}

// foldShard folds the shared addresses of one address shard. An address's
// items sort next to each other (their keys start with its hash), so one
// group is in hand at a time, across pages.
func (f *Folder) foldShard(ctx context.Context, caseID string, shards, shard int) (*Summary, error) {
	part := &Summary{Combinations: map[string]int64{}, Notices: map[string]int64{}}
	var cur *group
	flush := func() error {
		if cur == nil {
			return nil
		}
		js, cs := keys(cur.juris), keys(cur.cats)
		locale, jurisdiction, err := f.merge(ctx, caseID, shards, cur.holder, js, cs)
		if err != nil {
			return err
		}
		part.Addresses++
		if k := notice.Combination(js...); k != "" {
			part.Combinations[k]++
			part.Notices[NoticeKey(notice.ResolveLocale(locale, jurisdiction), jurisdiction, k)]++
		}
		cur = nil
		return nil
	}
	p := dynamodb.NewQueryPaginator(f.DB, &dynamodb.QueryInput{
		TableName:                 aws.String(f.Table),
		KeyConditionExpression:    aws.String("#pk = :pk AND begins_with(#sk, :p)"),
		ExpressionAttributeNames:  map[string]string{"#pk": casetable.AttrPK, "#sk": casetable.AttrSK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: casetable.AddressPK(caseID, shard)}, ":p": &types.AttributeValueMemberS{Value: casetable.SharedPrefix}},
		ConsistentRead:            aws.Bool(true),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("read shared addresses of %s shard %d: %w", caseID, shard, err)
		}
		for _, raw := range page.Items {
			var it sharedItem
			if err := attributevalue.UnmarshalMap(raw, &it); err != nil {
				return nil, fmt.Errorf("decode shared address of %s shard %d: %w", caseID, shard, err)
			}
			if it.HolderID == "" {
				return nil, fmt.Errorf("shared address of %s shard %d has no holder", caseID, shard)
			}
			if cur != nil && cur.address != it.address() {
				if err := flush(); err != nil {
					return nil, err
				}
			}
			if cur == nil {
				cur = &group{address: it.address(), holder: it.HolderID, juris: map[string]bool{}, cats: map[string]bool{}}
			}
			cur.add(&it)
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return part, nil
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// merge adds an address's union to its holder's subject. It reads the
// subject and puts it back with the sets merged, on condition that its
// status is still the one read (nothing else writes a subject between
// scoping and sending; the condition keeps it that way if a fold is ever
// run late). A union already there writes nothing. It returns the holder's
// locale and jurisdiction, which decide how their notice reads.
func (f *Folder) merge(ctx context.Context, caseID string, shards int, holder string, juris, cats []string) (locale, jurisdiction string, err error) {
	key := map[string]types.AttributeValue{
		casetable.AttrPK: &types.AttributeValueMemberS{Value: casetable.SubjectPK(caseID, casetable.Shard(holder, shards))},
		casetable.AttrSK: &types.AttributeValueMemberS{Value: casetable.SubjectSK(holder)},
	}
	for try := 0; ; try++ {
		out, err := f.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(f.Table), Key: key, ConsistentRead: aws.Bool(true)})
		if err != nil {
			return "", "", fmt.Errorf("read holder of a shared address in case %s: %w", caseID, err)
		}
		item := out.Item
		if len(item) == 0 {
			return "", "", fmt.Errorf("fold case %s: %w", caseID, ErrHolderMissing)
		}
		locale, jurisdiction = str(item, "locale"), str(item, "jurisdiction")
		js, jChanged := mergeSet(item["holder_jurisdictions"], juris)
		cs, cChanged := mergeSet(item["holder_categories"], cats)
		if !jChanged && !cChanged {
			return locale, jurisdiction, nil
		}
		item["holder_jurisdictions"] = &types.AttributeValueMemberSS{Value: js}
		if len(cs) > 0 {
			item["holder_categories"] = &types.AttributeValueMemberSS{Value: cs}
		}
		status, _ := item["status"].(*types.AttributeValueMemberS)
		if status == nil {
			status = &types.AttributeValueMemberS{}
		}
		_, err = f.DB.PutItem(ctx, &dynamodb.PutItemInput{
			TableName:                 aws.String(f.Table),
			Item:                      item,
			ConditionExpression:       aws.String("attribute_exists(#pk) AND #st = :st"),
			ExpressionAttributeNames:  map[string]string{"#pk": casetable.AttrPK, "#st": "status"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":st": status},
		})
		var ccf *types.ConditionalCheckFailedException
		if errors.As(err, &ccf) && try < 3 {
			continue // changed since read: merge into what is there now
		}
		if err != nil {
			return "", "", fmt.Errorf("fold shared address of case %s: %w", caseID, err)
		}
		return locale, jurisdiction, nil
	}
}

// mergeSet is the union of a string-set attribute and add, and whether
// add brought anything new.
func mergeSet(have types.AttributeValue, add []string) ([]string, bool) {
	var cur []string
	if ss, ok := have.(*types.AttributeValueMemberSS); ok {
		cur = ss.Value
	}
	out := union(cur, add)
	return out, len(out) != len(slices.Compact(slices.Sorted(slices.Values(cur))))
}

// str reads a string attribute; anything else is "".
func str(item map[string]types.AttributeValue, attr string) string {
	if v, ok := item[attr].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

// union is the sorted union of two string sets.
func union(a, b []string) []string {
	out := append(append(make([]string, 0, len(a)+len(b)), a...), b...)
	slices.Sort(out)
	return slices.Compact(out)
}
