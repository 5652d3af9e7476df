package draft

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"breachflow/internal/casetable"
)

// DB is the part of the DynamoDB client the store uses.
type DB interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
}

// Keys. Draft items are content-addressed: "DRAFT#<id>#<first 16 hex of
// its SHA256>". Two versions of a draft never share an item, so a drafting
// run can never overwrite the items another run's summary points to; the
// summary item "DRAFTS" alone says which set is current.
const (
	skSummary   = "DRAFTS"
	draftPrefix = "DRAFT#"
)

func draftSK(d Draft) string { return draftPrefix + d.ID + "#" + d.SHA256[:16] }

// ErrNotFound says a case has no drafts yet.
var ErrNotFound = errors.New("drafts not found")

// ConcurrentDraftError says another drafting run replaced the case's drafts
// between this run's read and its write; nothing of this run became
// current. Retrying drafts again on top of the newer set.
type ConcurrentDraftError struct{ CaseID string }

// Error names the case.
func (e *ConcurrentDraftError) Error() string {
	return "drafts of case " + e.CaseID + " were replaced concurrently"
}

// Summary is the DRAFTS item: which drafts are current and their hash.
type Summary struct {
	PK string `dynamodbav:"pk"`
	SK string `dynamodbav:"sk"`
	// ContentHash is ContentHash of the current drafts; approval binds to it.
	ContentHash string `dynamodbav:"content_hash"`
	// Keys are the sort keys of the current draft items.
	Keys []string `dynamodbav:"keys"`
	// Version counts replacements; each write is conditional on the one
	// read, so two runs cannot both become current.
	Version   int64     `dynamodbav:"version"`
	DraftedAt time.Time `dynamodbav:"drafted_at"`
	UpdatedAt time.Time `dynamodbav:"updated_at"`
}

type item struct {
	PK     string `dynamodbav:"pk"`
	SK     string `dynamodbav:"sk"`
	CaseID string `dynamodbav:"case_id"`
	// SetVersion is the summary version of the run that last wrote the
	// item. Cleaning up a replaced set deletes only items no newer run has
	// written, so a run that reuses an identical draft never loses it.
	SetVersion int64 `dynamodbav:"set_version"`
	Draft
}

// Store makes drafts the case's current set: it writes every draft item,
// then replaces the summary with a write conditional on the version it
// read, then deletes the items of the set it replaced. Storing the same
// set again changes nothing and returns the same hash. at is when the set
// was drafted (the date its documents carry), kept so the sender can build
// the same notices.
func Store(ctx context.Context, db DB, table, caseID string, drafts []Draft, at time.Time) (string, error) {
	for i := range drafts {
		if drafts[i].SHA256 != Sum(drafts[i]) {
			return "", fmt.Errorf("store drafts %s: draft %s is not sealed", caseID, drafts[i].ID)
		}
	}
	hash := ContentHash(drafts)
	prev, err := loadSummary(ctx, db, table, caseID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return "", err
	}
	if err == nil && prev.ContentHash == hash {
		return hash, nil
	}
	version := prev.Version + 1
	keys := make([]string, len(drafts))
	for i, d := range drafts {
		keys[i] = draftSK(d)
		av, err := attributevalue.MarshalMap(item{PK: casetable.CasePK(caseID), SK: keys[i], CaseID: caseID, SetVersion: version, Draft: d})
		if err != nil {
			return "", fmt.Errorf("store draft %s/%s: %w", caseID, d.ID, err)
		}
		if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: av}); err != nil {
			return "", fmt.Errorf("store draft %s/%s: %w", caseID, d.ID, err)
		}
	}
	sort.Strings(keys)
	next := Summary{PK: casetable.CasePK(caseID), SK: skSummary, ContentHash: hash, Keys: keys, Version: version, DraftedAt: at.UTC(), UpdatedAt: time.Now().UTC()}
	in := &dynamodb.PutItemInput{TableName: aws.String(table)}
	if prev.Version == 0 {
		in.ConditionExpression = aws.String("attribute_not_exists(pk)")
	} else {
		in.ConditionExpression = aws.String("version = :v")
		in.ExpressionAttributeValues = map[string]types.AttributeValue{":v": &types.AttributeValueMemberN{Value: strconv.FormatInt(prev.Version, 10)}}
	}
	if in.Item, err = attributevalue.MarshalMap(next); err != nil {
		return "", fmt.Errorf("store drafts %s: %w", caseID, err)
	}
	if _, err := db.PutItem(ctx, in); err != nil {
		var cond *types.ConditionalCheckFailedException
		if errors.As(err, &cond) {
			return "", &ConcurrentDraftError{CaseID: caseID}
		}
		return "", fmt.Errorf("store drafts %s: %w", caseID, err)
	}
	// The replaced set is garbage now, unless a newer run wrote an item
	// again (the condition). A failed delete leaves an item no summary
	// points to, which Load ignores.
	current := make(map[string]bool, len(keys))
	for _, k := range keys {
		current[k] = true
	}
	for _, k := range prev.Keys {
		if !current[k] {
			db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
				TableName: aws.String(table), Key: key(caseID, k),
				ConditionExpression:       aws.String("set_version <= :v"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":v": &types.AttributeValueMemberN{Value: strconv.FormatInt(prev.Version, 10)}},
			})
		}
	}
	return hash, nil
}

// Load returns the case's current drafts (sorted by ID) and their content
// hash, after checking every draft's own hash and the set's hash against the
// summary. It returns ErrNotFound (wrapped) when the case has no drafts.
func Load(ctx context.Context, db DB, table, caseID string) ([]Draft, string, error) {
	var err error
	for range 3 { // a concurrent re-draft may delete items between the two reads
		var ds []Draft
		var s Summary
		ds, s, err = load(ctx, db, table, caseID)
		if err == nil {
			return ds, s.ContentHash, nil
		}
		if !errors.Is(err, errChanged) {
			return nil, "", err
		}
	}
	return nil, "", err
}

// LoadSummary returns the case's DRAFTS item (hash, version, drafted_at).
func LoadSummary(ctx context.Context, db DB, table, caseID string) (Summary, error) {
	return loadSummary(ctx, db, table, caseID)
}

var errChanged = errors.New("drafts changed while loading")

func load(ctx context.Context, db DB, table, caseID string) ([]Draft, Summary, error) {
	s, err := loadSummary(ctx, db, table, caseID)
	if err != nil {
		return nil, s, err
	}
	want := make(map[string]bool, len(s.Keys))
	for _, k := range s.Keys {
		want[k] = true
	}
	var out []Draft
	p := dynamodb.NewQueryPaginator(db, &dynamodb.QueryInput{
		TableName:              aws.String(table),
		KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :d)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": &types.AttributeValueMemberS{Value: casetable.CasePK(caseID)},
			":d":  &types.AttributeValueMemberS{Value: draftPrefix},
		},
		ConsistentRead: aws.Bool(true),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, s, fmt.Errorf("load drafts %s: %w", caseID, err)
		}
		for _, av := range page.Items {
			var it item
			if err := attributevalue.UnmarshalMap(av, &it); err != nil {
				return nil, s, fmt.Errorf("load drafts %s: %w", caseID, err)
			}
			if !want[it.SK] {
				continue
			}
			if Sum(it.Draft) != it.SHA256 {
				return nil, s, fmt.Errorf("load drafts %s: draft %s does not match its hash", caseID, it.ID)
			}
			out = append(out, it.Draft)
		}
	}
	if len(out) != len(s.Keys) || ContentHash(out) != s.ContentHash {
		return nil, s, fmt.Errorf("load drafts %s: %w", caseID, errChanged)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, s, nil
}

func loadSummary(ctx context.Context, db DB, table, caseID string) (Summary, error) {
	out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: key(caseID, skSummary), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return Summary{}, fmt.Errorf("load drafts %s: %w", caseID, err)
	}
	if len(out.Item) == 0 {
		return Summary{}, fmt.Errorf("case %s: %w", caseID, ErrNotFound)
	}
	var s Summary
	if err := attributevalue.UnmarshalMap(out.Item, &s); err != nil {
		return Summary{}, fmt.Errorf("load drafts %s: %w", caseID, err)
	}
	return s, nil
}

func key(caseID, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		casetable.AttrPK: &types.AttributeValueMemberS{Value: casetable.CasePK(caseID)},
		casetable.AttrSK: &types.AttributeValueMemberS{Value: sk},
	}
}
