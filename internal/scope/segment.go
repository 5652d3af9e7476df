package scope

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"breachflow/internal/breach"
	"breachflow/internal/casetable"
	"breachflow/internal/channelplan"
	"breachflow/internal/criteria"
	"breachflow/internal/usertable"
)

// InvalidInput says a scope payload is malformed. The state machine routes
// on its name; it never carries personal data.
type InvalidInput struct {
	Field, Reason string
}

// Error names the field and what is wrong with it.
func (e *InvalidInput) Error() string { return e.Field + ": " + e.Reason }

// ScopeConflict says a segment was already scoped with other criteria,
// categories or shard count: running it again would mix two scopes in one
// subject set. The state machine routes on its name.
type ScopeConflict struct {
	CaseID  string
	Segment int
}

// Error names the case and the segment.
func (e *ScopeConflict) Error() string {
	return fmt.Sprintf("case %s segment %d was scoped with other criteria, categories or shards", e.CaseID, e.Segment)
}

// SegmentInput is the scope function's payload: which case, which slice of
// the user table, and what to select.
type SegmentInput struct {
	CaseID           string            `json:"case_id"`
	Segment          int               `json:"segment"`
	TotalSegments    int               `json:"total_segments"`
	ReportCategories []breach.Category `json:"report_categories"`
	// Criteria select the affected users. Absent, and without
	// StoredCriteria, they select everyone.
	Criteria *criteria.Criteria `json:"criteria,omitempty"`
	// StoredCriteria takes the criteria from the case's stored report
	// (Scoper.Stored) instead, so they need not travel in the payload.
	StoredCriteria bool `json:"stored_criteria,omitempty"`
	// Shards is how many partitions the subject set spreads over; 0 means
	// casetable.DefaultShards. Every segment of a case must use the same.
	Shards int `json:"shards,omitempty"`
	// Version is the report version being scoped (0 or 1: the first).
	// Each version's people are written to a subject set of their own
	// (casetable.SetID), so a later version's scope never touches the
	// people, claims or sends of an earlier one.
	Version int `json:"version,omitempty"`
	// ChannelPolicy gives each subject their channel plan (package
	// channelplan). Absent, and with StoredCriteria, the case's stored
	// report gives it; absent from both, the default policy.
	ChannelPolicy *channelplan.Policy `json:"channel_policy,omitempty"`
}

// SegmentResult is what one segment found and wrote: counts and a hash, no
// personal data.
type SegmentResult struct {
	CaseID        string `json:"case_id"`
	Segment       int    `json:"segment"`
	TotalSegments int    `json:"total_segments"`
	Scanned       int64  `json:"scanned"`    // users read
	Matched       int64  `json:"matched"`    // users the criteria selected
	Written       int64  `json:"written"`    // subjects in the set (matched minus skipped)
	Pending       int64  `json:"pending"`    // subjects to notify by email
	Duplicates    int64  `json:"duplicates"` // subjects whose address another subject holds
	NoContact     int64  `json:"no_contact"` // subjects without a usable email: fallback list
	Skipped       int64  `json:"skipped"`    // matched users without an id, which cannot be keyed
	// ByJurisdiction and ByCategory count affected people (written subjects,
	// whatever their status): they feed the rulebook's thresholds.
	ByJurisdiction map[string]int64 `json:"by_jurisdiction"`
	ByCategory     map[string]int64 `json:"by_category"`
	// SetSum is this segment's share of the recipient-set hash.
	SetSum string `json:"set_sum"`
	// ByChannel counts the written subjects by channel plan: under each
	// channel, those whose plan's first step sends on it; under
	// "<channel>_fallback", those who have it as a later step; under
	// "posted", those with no channel at all, whom only the posted notice
	// reaches.
	ByChannel map[string]int64 `json:"by_channel,omitempty"`
	// Shards is the subject shard count the segment wrote with, so the
	// aggregate step knows which address partitions to fold. 0 (a result
	// recorded before it was added) means casetable.DefaultShards.
	Shards int `json:"shards,omitempty"`
}

// DB is the part of the DynamoDB client scoping needs.
type DB interface {
	Scan(ctx context.Context, in *dynamodb.ScanInput, opts ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
}

// Scoper runs scope segments. Its fields are configuration, set once.
type Scoper struct {
	DB        DB
	CaseTable string
	UserTable string
	Mapping   *usertable.Mapping
	// PageSize caps the users read per Scan call (0: DynamoDB's 1 MB
	// pages). Memory is bounded by one page in hand and one prefetched.
	PageSize int32
	// Workers is how many users of a page are written concurrently
	// (0 means 16): address claims are single conditional writes.
	Workers int
	// Now stamps subjects; nil means time.Now.
	Now func() time.Time
	// Stored loads a case's scope criteria for inputs with StoredCriteria
	// (nil criteria: the report selects everyone).
	Stored func(ctx context.Context, caseID string) (*criteria.Criteria, error)
	// StoredPolicy loads the channel policy of the case's stored report
	// for inputs with StoredCriteria and no ChannelPolicy; nil: the
	// default policy.
	StoredPolicy func(ctx context.Context, caseID string) (*channelplan.Policy, error)
}

var caseIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$`)

// MaxShards bounds a case's subject shards.
const MaxShards = 4096

func (in *SegmentInput) check() error {
	switch {
	case !caseIDPattern.MatchString(in.CaseID):
		return &InvalidInput{Field: "case_id", Reason: "want 1-128 letters, digits, '.', '_', ':' or '-'"}
	case in.TotalSegments < 1 || in.TotalSegments > 1000000:
		return &InvalidInput{Field: "total_segments", Reason: "want 1 to 1000000"}
	case in.Segment < 0 || in.Segment >= in.TotalSegments:
		return &InvalidInput{Field: "segment", Reason: fmt.Sprintf("want 0 to %d", in.TotalSegments-1)}
	case in.Shards < 0 || in.Shards > MaxShards:
		return &InvalidInput{Field: "shards", Reason: fmt.Sprintf("want 1 to %d (0: %d)", MaxShards, casetable.DefaultShards)}
	case len(in.ReportCategories) == 0:
		return &InvalidInput{Field: "report_categories", Reason: "missing: scoping needs the report's data categories"}
	case in.StoredCriteria && in.Criteria != nil:
		return &InvalidInput{Field: "criteria", Reason: "give criteria or stored_criteria, not both"}
	}
	return nil
}

// segmentKey is where a finished segment's result is recorded, once.
func segmentKey(caseID string, seg, total int) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		casetable.AttrPK: &types.AttributeValueMemberS{Value: casetable.CasePK(caseID)},
		casetable.AttrSK: &types.AttributeValueMemberS{Value: fmt.Sprintf("SCOPE#SEG#%d#%d", total, seg)},
	}
}

// Segment scopes one scan segment of the user table into the case's subject
// set and returns its counts.
//
// It is safe to run again, at any point of a previous run: address claims
// are conditional writes that the same user passes again, subjects are keyed
// by user and written with the same content, so the counts come out the
// same; and once a segment has finished, its result is recorded (a
// conditional put, once) and a rerun returns that record without scanning.
func (s *Scoper) Segment(ctx context.Context, in SegmentInput) (*SegmentResult, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	if in.Shards == 0 {
		in.Shards = casetable.DefaultShards
	}
	report, err := sortedReport(in.ReportCategories)
	if err != nil {
		return nil, err
	}
	if in.StoredCriteria {
		if s.Stored == nil {
			return nil, fmt.Errorf("segment %d: stored_criteria set but this scoper reads no stored criteria", in.Segment)
		}
		c, err := s.Stored(ctx, in.CaseID)
		if err != nil {
			return nil, fmt.Errorf("load criteria of case %s: %w", in.CaseID, err)
		}
		in.Criteria, in.StoredCriteria = c, false
		if in.ChannelPolicy == nil && s.StoredPolicy != nil {
			p, err := s.StoredPolicy(ctx, in.CaseID)
			if err != nil {
				return nil, fmt.Errorf("load channel policy of case %s: %w", in.CaseID, err)
			}
			in.ChannelPolicy = p
		}
	}
	if err := in.ChannelPolicy.Validate("channel_policy"); err != nil {
		return nil, &InvalidInput{Field: "channel_policy", Reason: err.Error()}
	}
	// From here on the subject set is the version's: every key below
	// (segment records, subjects, address claims) is under its SetID.
	in.CaseID = casetable.SetID(in.CaseID, in.Version)
	plan, err := criteria.Compile(in.Criteria, s.Mapping)
	if err != nil {
		return nil, err
	}
	fingerprint := planFingerprint(in.Criteria, report, in.Shards)
	if res, err := s.recorded(ctx, in, fingerprint); err != nil || res != nil {
		return res, err
	}

	res, err := s.scan(ctx, in, plan, report)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(res)
	if err != nil {
		return nil, fmt.Errorf("encode segment result: %w", err)
	}
	rec := segmentKey(in.CaseID, in.Segment, in.TotalSegments)
	rec["result"] = &types.AttributeValueMemberS{Value: string(body)}
	rec["fingerprint"] = &types.AttributeValueMemberS{Value: fingerprint}
	_, err = s.DB.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                aws.String(s.CaseTable),
		Item:                     rec,
		ConditionExpression:      aws.String("attribute_not_exists(#pk)"),
		ExpressionAttributeNames: map[string]string{"#pk": casetable.AttrPK},
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		// A concurrent run finished first: its record is the answer.
		if prev, err := s.recorded(ctx, in, fingerprint); err != nil || prev != nil {
			return prev, err
		}
	}
	if err != nil {
		return nil, fmt.Errorf("record segment %d: %w", in.Segment, err)
	}
	slog.InfoContext(ctx, "scope segment", "case_id", in.CaseID, "segment", in.Segment, "total_segments", in.TotalSegments,
		"scanned", res.Scanned, "matched", res.Matched, "written", res.Written, "duplicates", res.Duplicates, "no_contact", res.NoContact)
	return res, nil
}

// recorded returns the stored result of a finished segment, nil if there is
// none, or ScopeConflict if it was scoped differently.
func (s *Scoper) recorded(ctx context.Context, in SegmentInput, fingerprint string) (*SegmentResult, error) {
	out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.CaseTable),
		Key:            segmentKey(in.CaseID, in.Segment, in.TotalSegments),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, fmt.Errorf("read segment record: %w", err)
	}
	if out.Item == nil {
		return nil, nil
	}
	if text(out.Item, "fingerprint") != fingerprint {
		return nil, &ScopeConflict{CaseID: in.CaseID, Segment: in.Segment}
	}
	var res SegmentResult
	if err := json.Unmarshal([]byte(text(out.Item, "result")), &res); err != nil {
		return nil, fmt.Errorf("decode segment record: %w", err)
	}
	slog.InfoContext(ctx, "scope segment already recorded", "case_id", in.CaseID, "segment", in.Segment)
	return &res, nil
}

// planFingerprint identifies what a segment selects, so that a rerun with
// other criteria is caught rather than mixed in.
func planFingerprint(c *criteria.Criteria, report []breach.Category, shards int) string {
	crit, _ := json.Marshal(c)
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%v\n%d", crit, report, shards)
	return hex.EncodeToString(h.Sum(nil))
}

// scan reads the segment page by page, prefetching the next page while the
// current one is written.
func (s *Scoper) scan(ctx context.Context, in SegmentInput, plan *criteria.Plan, report []breach.Category) (*SegmentResult, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	input := &dynamodb.ScanInput{
		TableName:                 aws.String(s.UserTable),
		Segment:                   aws.Int32(int32(in.Segment)),
		TotalSegments:             aws.Int32(int32(in.TotalSegments)),
		ProjectionExpression:      aws.String(plan.Projection),
		ExpressionAttributeNames:  plan.Names,
		ExpressionAttributeValues: plan.Values,
	}
	if plan.Filter != "" {
		input.FilterExpression = aws.String(plan.Filter)
	}
	if s.PageSize > 0 {
		input.Limit = aws.Int32(s.PageSize)
	}
	type page struct {
		items   []map[string]types.AttributeValue
		scanned int64
		err     error
	}
	pages := make(chan page, 1)
	send := func(out []map[string]types.AttributeValue, scanned int32, err error) bool {
		select {
		case pages <- page{items: out, scanned: int64(scanned), err: err}:
			return err == nil
		case <-ctx.Done():
			return false
		}
	}
	go func() {
		defer close(pages)
		if plan.Index == "" {
			p := dynamodb.NewScanPaginator(s.DB, input)
			for p.HasMorePages() {
				out, err := p.NextPage(ctx)
				if err != nil {
					send(nil, 0, fmt.Errorf("scan segment %d: %w", in.Segment, err))
					return
				}
				if !send(out.Items, out.ScannedCount, nil) {
					return
				}
			}
			return
		}
		// A query plan: this segment takes every TotalSegments-th key value.
		for i := in.Segment; i < len(plan.KeyValues); i += in.TotalSegments {
			p := dynamodb.NewQueryPaginator(s.DB, queryInput(s.UserTable, plan, input, plan.KeyValues[i]))
			for p.HasMorePages() {
				out, err := p.NextPage(ctx)
				if err != nil {
					send(nil, 0, fmt.Errorf("query index %s (segment %d): %w", plan.Index, in.Segment, err))
					return
				}
				if !send(out.Items, out.ScannedCount, nil) {
					return
				}
			}
		}
	}()

	t := newTally(in)
	for pg := range pages {
		if pg.err != nil {
			return nil, pg.err
		}
		t.Scanned += pg.scanned
		t.Matched += int64(len(pg.items))
		if err := s.writePage(ctx, in, pg.items, report, t); err != nil {
			return nil, err
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return t.result(), nil
}

// queryInput is the query of one key value of a query plan.
func queryInput(table string, plan *criteria.Plan, scan *dynamodb.ScanInput, key types.AttributeValue) *dynamodb.QueryInput {
	values := make(map[string]types.AttributeValue, len(plan.Values)+1)
	for k, v := range plan.Values {
		values[k] = v
	}
	values[criteria.KeyPlaceholder] = key
	return &dynamodb.QueryInput{
		TableName:                 aws.String(table),
		IndexName:                 aws.String(plan.Index),
		KeyConditionExpression:    aws.String(plan.KeyCondition),
		FilterExpression:          scan.FilterExpression,
		ProjectionExpression:      scan.ProjectionExpression,
		ExpressionAttributeNames:  plan.Names,
		ExpressionAttributeValues: values,
		Limit:                     scan.Limit,
	}
}

// tally accumulates a segment's counts; workers merge into it under mu.
type tally struct {
	mu sync.Mutex
	SegmentResult
	sum setSum
}

func newTally(in SegmentInput) *tally {
	return &tally{SegmentResult: SegmentResult{
		CaseID: in.CaseID, Segment: in.Segment, TotalSegments: in.TotalSegments, Shards: in.Shards,
		ByJurisdiction: map[string]int64{}, ByCategory: map[string]int64{}, ByChannel: map[string]int64{},
	}}
}

func (t *tally) result() *SegmentResult {
	r := t.SegmentResult
	r.SetSum = t.sum.String()
	return &r
}
