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
	"breachflow/internal/notice"
)

// Shared addresses.
//
// When two people in scope share an address, one notice reaches them both,
// so it must be written for both: each one's law and each one's data. A
// duplicate learns its address's holder from the claim item (the holder's
// jurisdiction and categories are written there with the claim) and puts
// one shared item, "CASE#<id>#A#<shard>" / "SHARED#<address hash>#<user
// id>", with both people's jurisdictions and categories: keyed by the
// duplicate, so reruns rewrite the same item and segments never contend. It
// does not touch the holder's subject item, which another segment may not
// have written yet and would then overwrite with a blind put. After every
// segment has finished (so every holder's subject surely exists), the
// aggregate step runs Folder.Fold: it queries only the shared items
// (begins_with per address shard; an address's items sort together), and
// for each address merges the union into its holder's subject
// (casetable.Subject.HolderJurisdictions, HolderCategories) with a
// read-then-conditional-put, and records the jurisdiction combinations it
// found, with the language and reader of each one's notices, under
// "CASE#<id>" / "SCOPE#SHARED" for drafting, which checks a notice for each
// combination and keeps a sample of each language and reader. Scoping and
// the aggregate step need no IAM action beyond the GetItem, PutItem and
// Query they already have.
//
// Cost at 40M people (DynamoDB on-demand). With d duplicates and s shared
// addresses (s <= d; ~1% of people share an address in the demo data, so
// d ~ 400k): scoping writes one extra item per duplicate (d WCU, about
// $0.25 at 400k) and claim items grow by a jurisdiction and a few category
// names (still one WCU each, so nothing extra for the other 39.6M). The
// fold reads the d shared items (~250 bytes each: d/16 RCU with strongly
// consistent reads) and reads and rewrites s subjects (s RCU + s WCU, items
// under 1 KB): well under $1 at 400k, nothing when no address is shared.
// Its time is the catch: it runs in the one aggregate Lambda, Workers
// shards at a time at ~5-10 ms a read or write, so ~2-3k addresses a
// second: 400k take 2-3 minutes, more than the 60 s the CountAffectedPeople
// state and the function's timeout allow today (both must grow with the
// case's expected sharing; at 900 s the fold covers ~2M shared addresses).
// A fold cut short is safe to run again: merging a union already there
// writes nothing.

// Shared summarises a case's shared addresses, as Folder.Fold found them.
// It holds counts, jurisdiction and language codes only, and stays small:
// one key per combination and per language and reader of it.
type Shared struct {
	// Addresses is how many addresses two or more people in scope share.
	Addresses int64 `dynamodbav:"addresses" json:"addresses"`
	// Combinations counts the shared addresses by the jurisdictions of
	// their holders (CombinationKey), for addresses whose holders live
	// under more than one jurisdiction: each needs a notice written for
	// all of them, and drafting drafts one for each combination.
	Combinations map[string]int64 `dynamodbav:"combinations" json:"combinations"`
	// Notices counts the same addresses by the notice they get:
	// "<locale>|<holder's jurisdiction>|<combination>", the locale being
	// the one the notice is written in (notice.ResolveLocale of the
	// holder's). Drafting samples each, so the approvers read every
	// language and reader each combination is sent in.
	Notices map[string]int64 `dynamodbav:"notices" json:"notices"`
}

// NoticeKey is the Notices key of a notice written in locale for a holder
// in jurisdiction, to an address shared across combination.
func NoticeKey(locale, jurisdiction, combination string) string {
	return locale + "|" + jurisdiction + "|" + combination
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
// address into the address holder's subject, records the case's Shared
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
	sum := &Shared{Combinations: map[string]int64{}, Notices: map[string]int64{}}
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
	if err := RecordShared(ctx, f.DB, f.Table, caseID, sum); err != nil {
		return nil, err
	}
	return sum, nil
}

// sharedItem is a shared item as share writes it.
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
func (f *Folder) foldShard(ctx context.Context, caseID string, shards, shard int) (*Shared, error) {
	part := &Shared{Combinations: map[string]int64{}, Notices: map[string]int64{}}
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
		if k := CombinationKey(js); k != "" {
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
		locale, jurisdiction = text(item, "locale"), text(item, "jurisdiction")
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
	item[casetable.AttrSK] = &types.AttributeValueMemberS{Value: casetable.SharedSummarySK}
	item["case_id"] = &types.AttributeValueMemberS{Value: caseID}
	if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: item}); err != nil {
		return fmt.Errorf("record shared summary of %s: %w", caseID, err)
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
			casetable.AttrSK: &types.AttributeValueMemberS{Value: casetable.SharedSummarySK},
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
	if s.Notices == nil {
		s.Notices = map[string]int64{}
	}
	if s.Combinations == nil {
		s.Combinations = map[string]int64{}
	}
	return &s, nil
}
