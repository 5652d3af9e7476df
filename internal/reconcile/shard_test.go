package reconcile_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"

	"breachflow/internal/casetable"
	"breachflow/internal/ledger"
	"breachflow/internal/reconcile"
)

// memTable is just enough of a table for the ledger to write send records
// into (PutItem, BatchWriteItem) and for reconcile to read (Query by
// partition, optionally begins_with on or equality of the sort key, with
// Limit and ExclusiveStartKey). The embedded ledger.DB is nil: other calls panic.
// Writes happen before reads start; reads may run concurrently.
type memTable struct {
	ledger.DB
	parts map[string]map[string]map[string]types.AttributeValue // pk -> sk -> item
}

func newMemTable() *memTable {
	return &memTable{parts: map[string]map[string]map[string]types.AttributeValue{}}
}

func sval(av types.AttributeValue) string { return av.(*types.AttributeValueMemberS).Value }

func (m *memTable) put(item map[string]types.AttributeValue) {
	pk, sk := sval(item[casetable.AttrPK]), sval(item[casetable.AttrSK])
	if m.parts[pk] == nil {
		m.parts[pk] = map[string]map[string]types.AttributeValue{}
	}
	m.parts[pk][sk] = item
}

func (m *memTable) PutItem(_ context.Context, in *dynamodb.PutItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	m.put(in.Item)
	return &dynamodb.PutItemOutput{}, nil
}

func (m *memTable) BatchWriteItem(_ context.Context, in *dynamodb.BatchWriteItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	for _, reqs := range in.RequestItems {
		for _, r := range reqs {
			m.put(r.PutRequest.Item)
		}
	}
	return &dynamodb.BatchWriteItemOutput{}, nil
}

func (m *memTable) Query(_ context.Context, in *dynamodb.QueryInput, _ ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	if in.FilterExpression != nil {
		return nil, fmt.Errorf("memTable: no filters")
	}
	prefix, exact := "", ""
	for name, v := range in.ExpressionAttributeValues {
		switch {
		case name == ":pk":
		case strings.Contains(*in.KeyConditionExpression, "begins_with"):
			prefix = sval(v)
		case strings.Contains(*in.KeyConditionExpression, "sk = "):
			exact = sval(v)
		}
	}
	part := m.parts[sval(in.ExpressionAttributeValues[":pk"])]
	sks := make([]string, 0, len(part))
	for sk := range part {
		if strings.HasPrefix(sk, prefix) && (exact == "" || sk == exact) {
			sks = append(sks, sk)
		}
	}
	sort.Strings(sks)
	if in.ExclusiveStartKey != nil {
		after := sval(in.ExclusiveStartKey[casetable.AttrSK])
		sks = sks[sort.SearchStrings(sks, after+"\x00"):]
	}
	out := &dynamodb.QueryOutput{}
	for _, sk := range sks {
		if in.Limit != nil && len(out.Items) == int(*in.Limit) {
			last := out.Items[len(out.Items)-1]
			out.LastEvaluatedKey = map[string]types.AttributeValue{casetable.AttrPK: last[casetable.AttrPK], casetable.AttrSK: last[casetable.AttrSK]}
			break
		}
		out.Items = append(out.Items, part[sk])
	}
	out.Count, out.ScannedCount = int32(len(out.Items)), int32(len(out.Items))
	return out, nil
}

// addSubject stores a subject with the fields scoping writes (synthetic).
func (m *memTable) addSubject(t testing.TB, caseID string, shard int, userID string, st casetable.Status) {
	t.Helper()
	stamp := "2026-11-24T01:02:03.456789Z"
	item, err := attributevalue.MarshalMap(casetable.Subject{
		PK: casetable.SubjectPK(caseID, shard), SK: casetable.SubjectSK(userID),
		CaseID: caseID, UserID: userID, Shard: shard, Name: "김민준", Email: userID + "@example.org", Phone: "+82-10-0000-0000",
		Locale: "ko", Jurisdiction: "KR", Categories: []string{"credit_information", "email", "name", "phone"},
		Status: st, ScopedAt: stamp, UpdatedAt: stamp,
	})
	if err != nil {
		t.Fatal(err)
	}
	m.put(item)
}

var statuses = []casetable.Status{
	casetable.StatusPending, casetable.StatusDelivered, casetable.StatusBounced, casetable.StatusComplained,
	casetable.StatusFailed, casetable.StatusNoContact, casetable.StatusDuplicate,
}

// seedShard writes n subjects with statuses in rotation and records a send
// (through the ledger, as the send stage does) for every pending subject
// whose index is even. It returns what the shard should count.
func seedShard(t testing.TB, db *memTable, caseID string, shard, n int) map[string]int {
	t.Helper()
	want := map[string]int{}
	led := &ledger.Ledger{DB: db, Table: "cases"}
	lease := ledger.Lease{CaseID: caseID, Shard: shard, Token: 1}
	var sends []ledger.Send
	page, batch := "", 0
	flush := func() {
		if len(sends) == 0 {
			return
		}
		if err := led.RecordSends(context.Background(), lease, batch, sends); err != nil {
			t.Fatal(err)
		}
		sends, batch = nil, batch+1
	}
	for i := range n {
		user := fmt.Sprintf("u-%05d", i)
		st := statuses[i%len(statuses)]
		db.addSubject(t, caseID, shard, user, st)
		switch {
		case st == casetable.StatusPending && i%2 == 0:
			sends = append(sends, ledger.Send{UserID: user, Page: page, MessageID: "m-" + user, SentAt: time.Unix(1_700_000_000, 0)})
			want[string(casetable.StatusSent)]++
		default:
			want[string(st)]++
		}
		if len(sends) == ledger.MaxRecordBatch {
			flush()
		}
		if (i+1)%ledger.DefaultPage == 0 {
			flush()
			page = user // the next page starts after this subject
		}
	}
	flush()
	return want
}

func TestCountShard(t *testing.T) {
	db := newMemTable()
	// Three pages in shard 3, and neighbours that must not be counted.
	want := seedShard(t, db, "c1", 3, 2*ledger.DefaultPage+201)
	seedShard(t, db, "c1", 2, 40)
	seedShard(t, db, "c2", 3, 40)
	if want["sent"] == 0 || want["pending"] == 0 {
		t.Fatalf("seed gives %v: want people both with and without a send record", want)
	}
	empty := newMemTable()

	tests := []struct {
		name  string
		db    *memTable
		shard int
		want  map[string]int
	}{
		{name: "three pages, sends recorded on two", db: db, shard: 3, want: want},
		{name: "an empty shard counts nobody, as {} not null", db: empty, shard: 0, want: map[string]int{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := reconcile.CountShard(context.Background(), tt.db, "cases", "c1", tt.shard)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("counts (-want +got):\n%s", diff)
			}
			h := &reconcile.ShardHandler{DB: tt.db, Table: "cases"}
			out, err := h.Handle(context.Background(), reconcile.ShardInput{CaseID: "c1", Shard: tt.shard})
			if err != nil {
				t.Fatal(err)
			}
			people := 0
			for _, n := range tt.want {
				people += n
			}
			if out.People != people || out.Shard != tt.shard || out.CaseID != "c1" {
				t.Errorf("handler out = %+v, want %d people of shard %d", out, people, tt.shard)
			}
			js, _ := json.Marshal(out)
			if !strings.Contains(string(js), `"by_status":{`) {
				t.Errorf("payload %s: by_status must be an object", js)
			}
		})
	}
}

type queryFunc func(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)

func (f queryFunc) Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	return f(ctx, in, opts...)
}

func TestCountShardFails(t *testing.T) {
	boom := errors.New("throttled")
	db := queryFunc(func(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
		return nil, boom
	})
	_, err := reconcile.CountShard(context.Background(), db, "cases", "c1", 5)
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "shard 5") {
		t.Errorf("err = %v, want the query's error, naming the shard", err)
	}
	if _, err := reconcile.Count(context.Background(), db, "cases", "c1", 4); !errors.Is(err, boom) {
		t.Errorf("Count err = %v, want the query's error", err)
	}
}

func TestShardHandlerRejectsBadInput(t *testing.T) {
	h := &reconcile.ShardHandler{}
	for _, in := range []reconcile.ShardInput{{Shard: 1}, {CaseID: "c1", Shard: -1}} {
		var bad *reconcile.InvalidInput
		if _, err := h.Handle(context.Background(), in); !errors.As(err, &bad) {
			t.Errorf("%+v: err = %v, want *InvalidInput", in, err)
		}
	}
}

// TestCountSumsShards: the CLI's one-call Count equals the shard counts
// summed as the close step sums them.
func TestCountSumsShards(t *testing.T) {
	db := newMemTable()
	var counts []reconcile.ShardCount
	for shard := range 4 {
		by := seedShard(t, db, "c1", shard, 60+shard*37)
		counts = append(counts, reconcile.ShardCount{CaseID: "c1", Shard: shard, ByStatus: by})
	}
	want, err := reconcile.Sum("c1", 4, counts)
	if err != nil {
		t.Fatal(err)
	}
	got, err := reconcile.Count(context.Background(), db, "cases", "c1", 4)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Count (-sum of shards +Count):\n%s", diff)
	}
}
