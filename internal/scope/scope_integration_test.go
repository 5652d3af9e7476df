//go:build integration

package scope_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"breachflow/internal/breach"
	"breachflow/internal/casetable"
	"breachflow/internal/criteria"
	"breachflow/internal/local/localtest"
	"breachflow/internal/scope"
	"breachflow/internal/usertable"
)

func TestMain(m *testing.M) { os.Exit(localtest.Main(m)) }

var reportCats = []breach.Category{breach.CategoryName, breach.CategoryEmail, breach.CategoryRRN, breach.CategoryPaymentCard, breach.CategoryCreditInfo}

// crafted users: each criteria test below names which of them it selects.
var crafted = []map[string]any{
	{"user_id": "a", "country": "KR", "age": 30, "tier": "vip", "name": "김민준", "email": " Min.Kim@Example.COM ", "payment_service": "kakaopay",
		"signup_at": "2020-01-01T00:00:00Z", "last_login": 1700000000, "data_held": []string{"name", "email", "rrn"}},
	{"user_id": "b", "country": "us", "region": "ca", "age": 45, "tier": "gold", "name": "Grace Lee", "email": "grace@example.org", "payment_service": "none",
		"signup_at": "2022-06-01T00:00:00Z", "last_login": 1710000000, "data_held": []string{"name", "email", "credit_information"}, "card_token": "tok_1"},
	{"user_id": "c", "country": "JP", "age": 19, "tier": "basic", "name": "佐藤 蓮", "payment_service": "kakaopay",
		"signup_at": "2016-03-01T00:00:00Z", "last_login": 1600000000, "data_held": []string{"name"}},
	{"user_id": "d", "country": "DE", "region": "BY", "age": 65, "tier": "basic", "name": "Anna Weber", "email": "min.kim@example.com", "payment_service": "kakaopay",
		"signup_at": "2021-01-01T00:00:00Z", "last_login": 1720000000, "data_held": []string{"name", "email"}},
	{"user_id": "e", "country": "SG", "age": 33, "tier": "gold", "name": "Tan Wei Ling", "email": "not-an-address", "payment_service": "none",
		"signup_at": "2024-01-01T00:00:00Z", "last_login": 1730000000, "data_held": []string{"name", "email", "rrn"}},
}

func putUsers(t *testing.T, db *dynamodb.Client, users []map[string]any) string {
	t.Helper()
	ctx := context.Background()
	table := localtest.TableName(t, "users")
	if err := usertable.CreateTable(ctx, db, table, usertable.DefaultMapping()); err != nil {
		t.Fatal(err)
	}
	var items []map[string]types.AttributeValue
	for _, u := range users {
		it, err := attributevalue.MarshalMap(u)
		if err != nil {
			t.Fatal(err)
		}
		if held, ok := u["data_held"].([]string); ok {
			it["data_held"] = &types.AttributeValueMemberSS{Value: held}
		}
		items = append(items, it)
	}
	if err := usertable.WriteAll(ctx, db, table, items); err != nil {
		t.Fatal(err)
	}
	return table
}

func subjects(t *testing.T, db *dynamodb.Client, table, caseID string, shards int) map[string]casetable.Subject {
	t.Helper()
	out := map[string]casetable.Subject{}
	for shard := range shards {
		p := dynamodb.NewQueryPaginator(db, &dynamodb.QueryInput{
			TableName:                 aws.String(table),
			KeyConditionExpression:    aws.String("pk = :pk"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: casetable.SubjectPK(caseID, shard)}},
		})
		for p.HasMorePages() {
			page, err := p.NextPage(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range page.Items {
				var s casetable.Subject
				if err := attributevalue.UnmarshalMap(it, &s); err != nil {
					t.Fatal(err)
				}
				if _, dup := out[s.UserID]; dup {
					t.Fatalf("user %s appears twice in case %s", s.UserID, caseID)
				}
				if s.Shard != shard {
					t.Errorf("subject %s in shard %d records shard %d", s.UserID, shard, s.Shard)
				}
				out[s.UserID] = s
			}
		}
	}
	return out
}

func parseCriteria(t *testing.T, s string) *criteria.Criteria {
	t.Helper()
	if s == "" {
		return nil
	}
	var c criteria.Criteria
	if err := json.Unmarshal([]byte(s), &c); err != nil {
		t.Fatal(err)
	}
	return &c
}

var caseSeq atomic.Int64

func newCase(t *testing.T) string {
	return fmt.Sprintf("c%d-%s", caseSeq.Add(1), localtest.TableName(t, "x")[2:])
}

func TestCriteriaSelectExactly(t *testing.T) {
	db := localtest.DynamoDB(t)
	users := putUsers(t, db, crafted)
	cases := localtest.NewTable(t, db)
	s := &scope.Scoper{DB: db, CaseTable: cases, UserTable: users, Mapping: usertable.DefaultMapping(), PageSize: 2}
	tests := []struct {
		criteria string
		want     []string
	}{
		{``, []string{"a", "b", "c", "d", "e"}},
		{`{"attr":"country","op":"=","value":"KR"}`, []string{"a"}},
		{`{"attr":"tier","op":"<>","value":"basic"}`, []string{"a", "b", "e"}},
		{`{"attr":"age","op":"<","value":30}`, []string{"c"}},
		{`{"attr":"age","op":"<=","value":30}`, []string{"a", "c"}},
		{`{"attr":"age","op":">","value":45}`, []string{"d"}},
		{`{"attr":"age","op":">=","value":45}`, []string{"b", "d"}},
		{`{"attr":"age","op":"between","value":[19,33]}`, []string{"a", "c", "e"}},
		{`{"attr":"name","op":"begins_with","value":"김"}`, []string{"a"}},
		{`{"attr":"name","op":"contains","value":"Wei"}`, []string{"e"}},
		{`{"attr":"categories","op":"contains","value":"rrn"}`, []string{"a", "e"}},
		{`{"attr":"card_token","op":"exists"}`, []string{"b"}},
		{`{"attr":"region","op":"not_exists"}`, []string{"a", "c", "e"}},
		{`{"attr":"country","op":"in","value":["JP","SG","FR"]}`, []string{"c", "e"}},
		{`{"attr":"payment_service","op":"=","value":"kakaopay"}`, []string{"a", "c", "d"}},
		{`{"attr":"signup_at","op":"within","from":"2020-01-01T09:00:00+09:00","to":"2022-06-01T00:00:00Z"}`, []string{"a", "d"}},
		{`{"attr":"signup_at","op":"within","to":"2017-01-01T00:00:00Z"}`, []string{"c"}},
		{`{"attr":"last_login","op":">=","value":"2024-03-09T16:00:00Z"}`, []string{"b", "d", "e"}},
		{`{"all":[{"attr":"payment_service","op":"=","value":"kakaopay"},{"any":[{"attr":"country","op":"=","value":"KR"},{"attr":"age","op":">","value":60}]}]}`, []string{"a", "d"}},
		{`{"not":{"attr":"country","op":"in","value":["KR","DE"]}}`, []string{"b", "c", "e"}},
	}
	for _, tt := range tests {
		t.Run(tt.criteria, func(t *testing.T) {
			caseID := newCase(t)
			res, err := s.Segment(context.Background(), scope.SegmentInput{
				CaseID: caseID, Segment: 0, TotalSegments: 1, ReportCategories: reportCats, Criteria: parseCriteria(t, tt.criteria), Shards: 4,
			})
			if err != nil {
				t.Fatal(err)
			}
			got := slices.Sorted(mapsKeys(subjects(t, db, cases, caseID, 4)))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("selected (-want +got):\n%s", diff)
			}
			if res.Scanned != int64(len(crafted)) || res.Matched != int64(len(tt.want)) || res.Written != int64(len(tt.want)) {
				t.Errorf("counts scanned %d matched %d written %d; want %d, %d, %d", res.Scanned, res.Matched, res.Written, len(crafted), len(tt.want), len(tt.want))
			}
		})
	}
}

func mapsKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func TestSubjectsCarryWhatSendingNeeds(t *testing.T) {
	db := localtest.DynamoDB(t)
	users := putUsers(t, db, crafted)
	cases := localtest.NewTable(t, db)
	s := &scope.Scoper{DB: db, CaseTable: cases, UserTable: users, Mapping: usertable.DefaultMapping()}
	caseID := newCase(t)
	in := scope.SegmentInput{CaseID: caseID, TotalSegments: 1, ReportCategories: reportCats, Shards: 8}
	res, err := s.Segment(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	got := subjects(t, db, cases, caseID, 8)
	// a and d share an address: whoever claimed first holds it, the other
	// is a duplicate pointing at the holder.
	holder, dup := "a", "d"
	if got["a"].Status == casetable.StatusDuplicate {
		holder, dup = "d", "a"
	}
	want := map[string]casetable.Subject{
		"a": {UserID: "a", Name: "김민준", Email: "min.kim@example.com", Locale: "ko", Jurisdiction: "KR", Categories: []string{"email", "name", "rrn"}, Plan: "email"},
		"b": {UserID: "b", Name: "Grace Lee", Email: "grace@example.org", Locale: "en-US", Jurisdiction: "US-CA", Categories: []string{"credit_information", "email", "name", "payment_card"}, Status: casetable.StatusPending, Plan: "email"},
		"c": {UserID: "c", Name: "佐藤 蓮", Locale: "ja", Jurisdiction: "JP", Categories: []string{"name"}, Status: casetable.StatusNoContact, Reason: "no_email", Plan: "posted"},
		"d": {UserID: "d", Name: "Anna Weber", Email: "min.kim@example.com", Locale: "de", Jurisdiction: "DE", Categories: []string{"email", "name"}, Plan: "email"},
		"e": {UserID: "e", Name: "Tan Wei Ling", Locale: "en-SG", Jurisdiction: "SG", Categories: []string{"email", "name", "rrn"}, Status: casetable.StatusNoContact, Reason: "malformed_email", Plan: "posted"},
	}
	h, d := want[holder], want[dup]
	h.Status = casetable.StatusPending
	d.Status, d.DuplicateOf = casetable.StatusDuplicate, holder
	want[holder], want[dup] = h, d
	ignore := cmpopts.IgnoreFields(casetable.Subject{}, "PK", "SK", "CaseID", "Shard", "ScopedAt", "UpdatedAt")
	if diff := cmp.Diff(want, got, ignore); diff != "" {
		t.Errorf("subjects (-want +got):\n%s", diff)
	}
	wantRes := &scope.SegmentResult{
		CaseID: caseID, TotalSegments: 1, Scanned: 5, Matched: 5, Written: 5, Pending: 2, Duplicates: 1, NoContact: 2, Shards: 8,
		ByJurisdiction: map[string]int64{"KR": 1, "US-CA": 1, "JP": 1, "DE": 1, "SG": 1},
		ByCategory:     map[string]int64{"name": 5, "email": 4, "rrn": 2, "credit_information": 1, "payment_card": 1},
		// c and e have no usable e-mail and no phone: only the posted
		// notice reaches them.
		ByChannel: map[string]int64{"email": 3, "posted": 2},
	}
	if diff := cmp.Diff(wantRes, res, cmpopts.IgnoreFields(scope.SegmentResult{}, "SetSum")); diff != "" {
		t.Errorf("result (-want +got):\n%s", diff)
	}
	// One address claim for the shared address, none for the others' keys
	// holding an address in clear.
	claims := 0
	out, err := db.Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String(cases)})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range out.Items {
		pk := it["pk"].(*types.AttributeValueMemberS).Value
		sk := it["sk"].(*types.AttributeValueMemberS).Value
		if strings.HasPrefix(sk, "ADDR#") {
			claims++
		}
		for _, v := range []string{pk, sk} {
			for _, e := range []string{"example", "@"} {
				if strings.Contains(v, e) {
					t.Errorf("key %q holds an address", v)
				}
			}
		}
	}
	if claims != 2 {
		t.Errorf("%d address claims, want 2 (min.kim shared by a and d, grace)", claims)
	}
}

func seeded(t *testing.T, db *dynamodb.Client, n int) string {
	t.Helper()
	table := localtest.TableName(t, "users")
	ctx := context.Background()
	if err := usertable.CreateTable(ctx, db, table, usertable.DefaultMapping()); err != nil {
		t.Fatal(err)
	}
	if err := usertable.Seed(ctx, db, table, usertable.SeedOptions{Users: n, Seed: 42}); err != nil {
		t.Fatal(err)
	}
	return table
}

func runSegments(t *testing.T, s *scope.Scoper, in scope.SegmentInput) []scope.SegmentResult {
	t.Helper()
	res := make([]scope.SegmentResult, in.TotalSegments)
	var wg sync.WaitGroup
	errs := make([]error, in.TotalSegments)
	for seg := range in.TotalSegments {
		wg.Go(func() {
			in := in
			in.Segment = seg
			r, err := s.Segment(context.Background(), in)
			if err == nil {
				res[seg] = *r
			}
			errs[seg] = err
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	return res
}

func TestSegmentsUnionIsTheFullScan(t *testing.T) {
	const n = 3000
	db := localtest.DynamoDB(t)
	users := seeded(t, db, n)
	cases := localtest.NewTable(t, db)
	s := &scope.Scoper{DB: db, CaseTable: cases, UserTable: users, Mapping: usertable.DefaultMapping(), PageSize: 100}
	crit := parseCriteria(t, `{"all":[{"attr":"payment_service","op":"=","value":"kakaopay"},{"attr":"overseas_transfer","op":"=","value":true}]}`)
	want := map[string]bool{}
	wantDup := 0
	for i := range n {
		if u := usertable.Generate(42, i); u.PaymentService == "kakaopay" && u.OverseasTransfer {
			want[u.ID] = true
		}
	}

	var totals []*scope.Totals
	for _, segs := range []int{1, 7} {
		caseID := newCase(t)
		in := scope.SegmentInput{CaseID: caseID, TotalSegments: segs, ReportCategories: reportCats, Criteria: crit, Shards: 16}
		res := runSegments(t, s, in)
		tot, err := scope.Aggregate(scope.AggregateInput{CaseID: caseID, Segments: res})
		if err != nil {
			t.Fatal(err)
		}
		got := subjects(t, db, cases, caseID, 16)
		if len(got) != len(want) || tot.Written != int64(len(want)) || tot.Matched != int64(len(want)) || tot.Scanned != n {
			t.Fatalf("%d segments: %d subjects, totals %+v; want %d of %d", segs, len(got), tot, len(want), n)
		}
		for id := range want {
			if _, ok := got[id]; !ok {
				t.Fatalf("%d segments: user %s missing", segs, id)
			}
		}
		dups := 0
		for _, sub := range got {
			if sub.Status == casetable.StatusDuplicate {
				dups++
			}
		}
		if int64(dups) != tot.Duplicates || (wantDup != 0 && dups != wantDup) {
			t.Errorf("%d segments: %d duplicate subjects, totals say %d", segs, dups, tot.Duplicates)
		}
		wantDup = dups
		h, count, err := scope.RecipientSetHash(context.Background(), db, cases, caseID, 16)
		if err != nil {
			t.Fatal(err)
		}
		if h != tot.RecipientSetHash || count != tot.Written {
			t.Errorf("%d segments: recomputed hash %s (%d), aggregate %s (%d)", segs, h, count, tot.RecipientSetHash, tot.Written)
		}
		totals = append(totals, tot)
	}
	ignore := cmpopts.IgnoreFields(scope.Totals{}, "CaseID", "Segments", "RecipientSetHash")
	if diff := cmp.Diff(totals[0], totals[1], ignore); diff != "" {
		t.Errorf("1 segment vs 7 segments (-1 +7):\n%s", diff)
	}
	if wantDup == 0 {
		t.Error("the seeded population produced no duplicate address among the selected; the test proves nothing about them")
	}
}

// failingDB fails every BatchWriteItem after the first few, as a Lambda
// dying mid-segment would leave things.
type failingDB struct {
	scope.DB
	left atomic.Int64
}

func (f *failingDB) BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	if f.left.Add(-1) < 0 {
		return nil, errors.New("injected failure")
	}
	return f.DB.BatchWriteItem(ctx, in, opts...)
}

func TestRerunAfterFailureChangesNothing(t *testing.T) {
	const n = 1500
	db := localtest.DynamoDB(t)
	users := seeded(t, db, n)
	cases := localtest.NewTable(t, db)
	m := usertable.DefaultMapping()
	crit := parseCriteria(t, `{"attr":"country","op":"in","value":["KR","US"]}`)
	ctx := context.Background()

	// Reference: a clean run of the same segment in a case of its own.
	clean := &scope.Scoper{DB: db, CaseTable: cases, UserTable: users, Mapping: m, PageSize: 200}
	ref, err := clean.Segment(ctx, scope.SegmentInput{CaseID: newCase(t), Segment: 1, TotalSegments: 3, ReportCategories: reportCats, Criteria: crit, Shards: 8})
	if err != nil {
		t.Fatal(err)
	}

	caseID := newCase(t)
	in := scope.SegmentInput{CaseID: caseID, Segment: 1, TotalSegments: 3, ReportCategories: reportCats, Criteria: crit, Shards: 8}
	fdb := &failingDB{DB: db}
	fdb.left.Store(5)
	broken := &scope.Scoper{DB: fdb, CaseTable: cases, UserTable: users, Mapping: m, PageSize: 200}
	if _, err := broken.Segment(ctx, in); err == nil {
		t.Fatal("segment with failing writes succeeded")
	}
	partial := len(subjects(t, db, cases, caseID, 8))
	if partial == 0 || int64(partial) >= ref.Written {
		t.Fatalf("failure left %d subjects; the test wants a partial segment (of %d)", partial, ref.Written)
	}

	first, err := clean.Segment(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	afterFirst := subjects(t, db, cases, caseID, 8)
	second, err := clean.Segment(ctx, in) // finished: answered from the record
	if err != nil {
		t.Fatal(err)
	}
	// And a rerun that does not find the record (it is lost, or the segment
	// was retried before recording) scans and writes again.
	if _, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(cases), Key: map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: casetable.CasePK(caseID)}, "sk": &types.AttributeValueMemberS{Value: "SCOPE#SEG#3#1"},
	}}); err != nil {
		t.Fatal(err)
	}
	third, err := clean.Segment(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	afterThird := subjects(t, db, cases, caseID, 8)

	ignoreCase := cmpopts.IgnoreFields(scope.SegmentResult{}, "CaseID", "SetSum")
	if diff := cmp.Diff(ref, first, ignoreCase); diff != "" {
		t.Errorf("rerun after failure vs clean run (-clean +rerun):\n%s", diff)
	}
	for i, r := range []*scope.SegmentResult{second, third} {
		if diff := cmp.Diff(first, r); diff != "" {
			t.Errorf("rerun %d (-first +rerun):\n%s", i+2, diff)
		}
	}
	ignoreStamp := cmpopts.IgnoreFields(casetable.Subject{}, "ScopedAt", "UpdatedAt")
	if diff := cmp.Diff(afterFirst, afterThird, ignoreStamp); diff != "" {
		t.Errorf("subjects changed on rerun (-first +third):\n%s", diff)
	}
	if int64(len(afterFirst)) != first.Written {
		t.Errorf("%d subjects, result says %d", len(afterFirst), first.Written)
	}

	// The same segment with other criteria is refused, not mixed in.
	other := in
	other.Criteria = parseCriteria(t, `{"attr":"country","op":"=","value":"JP"}`)
	var conflict *scope.ScopeConflict
	if _, err := clean.Segment(ctx, other); !errors.As(err, &conflict) {
		t.Errorf("rerun with other criteria: got %v, want ScopeConflict", err)
	}
}

// The Lambda's JSON path: the sample event shape in, counts out, criteria
// loaded from the case rather than carried in the payload.
func TestSegmentThroughLambdaJSON(t *testing.T) {
	db := localtest.DynamoDB(t)
	users := putUsers(t, db, crafted)
	cases := localtest.NewTable(t, db)
	caseID := newCase(t)
	s := &scope.Scoper{DB: db, CaseTable: cases, UserTable: users, Mapping: usertable.DefaultMapping(),
		Stored: func(_ context.Context, id string) (*criteria.Criteria, error) {
			if id != caseID {
				return nil, fmt.Errorf("criteria of case %s asked for", id)
			}
			return parseCriteria(t, `{"attr":"payment_service","op":"=","value":"kakaopay"}`), nil
		}}
	h := lambda.NewHandler(s.Segment)
	var totals []scope.SegmentResult
	for seg := range 2 {
		payload := fmt.Sprintf(`{"case_id":%q,"segment":%d,"total_segments":2,"report_categories":["email","rrn"],"stored_criteria":true,"shards":4}`, caseID, seg)
		out, err := h.Invoke(context.Background(), []byte(payload))
		if err != nil {
			t.Fatal(err)
		}
		var keys map[string]json.RawMessage
		if err := json.Unmarshal(out, &keys); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"segment", "scanned", "matched", "written", "duplicates", "no_contact", "by_jurisdiction", "by_category", "set_sum"} {
			if _, ok := keys[k]; !ok {
				t.Errorf("output lacks %q: %s", k, out)
			}
		}
		for _, pii := range []string{"@", "example", "김민준"} {
			if strings.Contains(string(out), pii) {
				t.Errorf("output carries personal data (%q): %s", pii, out)
			}
		}
		var r scope.SegmentResult
		if err := json.Unmarshal(out, &r); err != nil {
			t.Fatal(err)
		}
		totals = append(totals, r)
	}
	agg, err := lambda.NewHandler(func(_ context.Context, in scope.AggregateInput) (*scope.Totals, error) { return scope.Aggregate(in) }).
		Invoke(context.Background(), mustJSON(t, scope.AggregateInput{CaseID: caseID, Segments: totals}))
	if err != nil {
		t.Fatal(err)
	}
	var tot scope.Totals
	if err := json.Unmarshal(agg, &tot); err != nil {
		t.Fatal(err)
	}
	if tot.Matched != 3 || tot.Duplicates != 1 || tot.NoContact != 1 || tot.ByCategory["rrn"] != 1 {
		t.Errorf("totals %s", agg)
	}
	if h, _, err := scope.RecipientSetHash(context.Background(), db, cases, caseID, 4); err != nil || h != tot.RecipientSetHash {
		t.Errorf("recomputed hash %s (%v), aggregate %s", h, err, tot.RecipientSetHash)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A query on an index selects exactly what a scan with the same criteria
// selects, split over segments by key value.
func TestIndexQueryEqualsScan(t *testing.T) {
	const n = 1200
	db := localtest.DynamoDB(t)
	ctx := context.Background()
	indexed := usertable.DefaultMapping()
	indexed.Indexes = []usertable.Index{{Name: "by-country", PartitionKey: "country"}}
	users := localtest.TableName(t, "users")
	if err := usertable.CreateTable(ctx, db, users, indexed); err != nil {
		t.Fatal(err)
	}
	if err := usertable.Seed(ctx, db, users, usertable.SeedOptions{Users: n, Seed: 9}); err != nil {
		t.Fatal(err)
	}
	cases := localtest.NewTable(t, db)
	crit := parseCriteria(t, `{"all":[{"attr":"age","op":">=","value":30},{"attr":"country","op":"in","value":["US","JP","SG","KR"]}]}`)
	if p, err := criteria.Compile(crit, indexed); err != nil || p.Index != "by-country" {
		t.Fatalf("plan %+v, %v: want a query on by-country", p, err)
	}
	var got [2]map[string]casetable.Subject
	var tot [2]*scope.Totals
	for i, m := range []*usertable.Mapping{indexed, usertable.DefaultMapping()} {
		s := &scope.Scoper{DB: db, CaseTable: cases, UserTable: users, Mapping: m, PageSize: 50}
		caseID := newCase(t)
		res := runSegments(t, s, scope.SegmentInput{CaseID: caseID, TotalSegments: 3, ReportCategories: reportCats, Criteria: crit, Shards: 4})
		var err error
		if tot[i], err = scope.Aggregate(scope.AggregateInput{CaseID: caseID, Segments: res}); err != nil {
			t.Fatal(err)
		}
		got[i] = subjects(t, db, cases, caseID, 4)
	}
	want := 0
	for i := range n {
		if u := usertable.Generate(9, i); u.Age >= 30 && slices.Contains([]string{"US", "JP", "SG", "KR"}, u.Country) {
			want++
		}
	}
	if len(got[0]) != want || len(got[1]) != want || tot[0].Matched != int64(want) {
		t.Fatalf("query selected %d (matched %d), scan %d; want %d", len(got[0]), tot[0].Matched, len(got[1]), want)
	}
	if diff := cmp.Diff(slices.Sorted(mapsKeys(got[1])), slices.Sorted(mapsKeys(got[0]))); diff != "" {
		t.Errorf("query vs scan (-scan +query):\n%s", diff)
	}
	if tot[0].Scanned >= n {
		t.Errorf("the query read %d users, as many as a scan", tot[0].Scanned)
	}
	ignore := cmpopts.IgnoreFields(scope.Totals{}, "CaseID", "RecipientSetHash", "Scanned")
	if diff := cmp.Diff(tot[1], tot[0], ignore); diff != "" {
		t.Errorf("totals (-scan +query):\n%s", diff)
	}
}

// Two runs of one segment at once (a retry racing a slow first attempt)
// agree, and the set holds each person once.
func TestConcurrentRunsOfOneSegmentAgree(t *testing.T) {
	db := localtest.DynamoDB(t)
	users := seeded(t, db, 800)
	cases := localtest.NewTable(t, db)
	s := &scope.Scoper{DB: db, CaseTable: cases, UserTable: users, Mapping: usertable.DefaultMapping(), PageSize: 40}
	caseID := newCase(t)
	in := scope.SegmentInput{CaseID: caseID, TotalSegments: 1, ReportCategories: reportCats, Shards: 4}
	var wg sync.WaitGroup
	var res [2]*scope.SegmentResult
	var errs [2]error
	for i := range 2 {
		wg.Go(func() { res[i], errs[i] = s.Segment(context.Background(), in) })
	}
	wg.Wait()
	if err := errors.Join(errs[:]...); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(res[0], res[1]); diff != "" {
		t.Errorf("concurrent runs disagree (-first +second):\n%s", diff)
	}
	got := subjects(t, db, cases, caseID, 4)
	if int64(len(got)) != res[0].Written || res[0].Written != 800 {
		t.Errorf("%d subjects, result says %d, want 800", len(got), res[0].Written)
	}
	dups := 0
	for _, sub := range got {
		if sub.Status == casetable.StatusDuplicate {
			dups++
		}
	}
	if int64(dups) != res[0].Duplicates {
		t.Errorf("%d duplicate subjects, result says %d", dups, res[0].Duplicates)
	}
}
