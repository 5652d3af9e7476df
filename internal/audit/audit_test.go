package audit_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"breachflow/internal/audit"
)

// memDB keeps one partition's items by sort key and honours the one
// condition Append uses, so the chain logic is testable without an emulator.
type memDB struct {
	mu    sync.Mutex
	items map[string]map[string]types.AttributeValue
}

func (m *memDB) PutItem(_ context.Context, in *dynamodb.PutItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.items == nil {
		m.items = map[string]map[string]types.AttributeValue{}
	}
	sk := in.Item["sk"].(*types.AttributeValueMemberS).Value
	if _, ok := m.items[sk]; ok && in.ConditionExpression != nil {
		return nil, &types.ConditionalCheckFailedException{}
	}
	m.items[sk] = in.Item
	return &dynamodb.PutItemOutput{}, nil
}

func (m *memDB) Query(_ context.Context, in *dynamodb.QueryInput, _ ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	keys := make([]string, 0, len(m.items))
	for k := range m.items {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if in.ScanIndexForward != nil && !*in.ScanIndexForward {
		slices.Reverse(keys)
	}
	if in.Limit != nil && int(*in.Limit) < len(keys) {
		keys = keys[:*in.Limit]
	}
	out := &dynamodb.QueryOutput{}
	for _, k := range keys {
		out.Items = append(out.Items, m.items[k])
	}
	return out, nil
}

func chain(t *testing.T, n int) []audit.Entry {
	t.Helper()
	var db memDB
	log := audit.Log{DB: &db, Table: "t", Now: func() time.Time { return time.Date(2026, 11, 23, 23, 0, 0, 0, time.UTC) }}
	for i := range n {
		if _, err := log.Append(context.Background(), "c1", audit.Record{Actor: "system", Action: "test", Detail: map[string]string{"i": fmt.Sprint(i)}}); err != nil {
			t.Fatal(err)
		}
	}
	entries, err := log.List(context.Background(), "c1")
	if err != nil {
		t.Fatal(err)
	}
	return entries
}

func TestVerify(t *testing.T) {
	tests := []struct {
		name    string
		tamper  func([]audit.Entry) []audit.Entry
		wantSeq int64 // 0: intact
		reason  string
	}{
		{"intact", func(e []audit.Entry) []audit.Entry { return e }, 0, ""},
		{"detail altered", func(e []audit.Entry) []audit.Entry { e[2].Detail = map[string]string{"i": "99"}; return e }, 3, "altered"},
		{"actor altered", func(e []audit.Entry) []audit.Entry { e[0].Actor = "mallory"; return e }, 1, "altered"},
		{"entry removed", func(e []audit.Entry) []audit.Entry { return slices.Delete(e, 1, 2) }, 2, "missing"},
		{"entries swapped", func(e []audit.Entry) []audit.Entry { e[1], e[2] = e[2], e[1]; return e }, 2, "missing or moved"},
		{"rewritten with a fresh hash", func(e []audit.Entry) []audit.Entry {
			e[1].Action = "forged"
			e[1].Hash = e[1].ComputeHash()
			return e
		}, 3, "previous hash"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := audit.Verify(tt.tamper(chain(t, 4)))
			if tt.wantSeq == 0 {
				if err != nil {
					t.Fatalf("Verify = %v, want nil", err)
				}
				return
			}
			var br *audit.BreakError
			if !errors.As(err, &br) || br.Seq != tt.wantSeq || !strings.Contains(br.Reason, tt.reason) {
				t.Fatalf("Verify = %v, want a break at %d (%s)", err, tt.wantSeq, tt.reason)
			}
		})
	}
}

func TestAppendChainsAndNumbers(t *testing.T) {
	entries := chain(t, 3)
	if len(entries) != 3 {
		t.Fatalf("%d entries, want 3", len(entries))
	}
	if entries[0].PrevHash != audit.Genesis || entries[1].PrevHash != entries[0].Hash {
		t.Errorf("entries are not chained: %+v", entries)
	}
	if got := audit.SortKey(12); got != "AUDIT#000000000012" {
		t.Errorf("SortKey(12) = %q", got)
	}
}

func TestConcurrentAppendsNeverFork(t *testing.T) {
	var db memDB
	log := audit.Log{DB: &db, Table: "t"}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			if _, err := log.Append(context.Background(), "c1", audit.Record{Actor: fmt.Sprint(i), Action: "race"}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	entries, err := log.Verify(context.Background(), "c1")
	if err != nil || len(entries) != 8 {
		t.Fatalf("after 8 concurrent appends: %d entries, %v", len(entries), err)
	}
}

func TestHashIsStable(t *testing.T) {
	e := audit.Entry{CaseID: "c", Seq: 1, At: time.Date(2026, 1, 2, 3, 4, 5, 6, time.FixedZone("KST", 9*3600)),
		Actor: "a", Action: "x", Detail: map[string]string{"b": "2", "a": "1"}, PrevHash: audit.Genesis}
	utc := e
	utc.At = e.At.UTC()
	if e.ComputeHash() != utc.ComputeHash() {
		t.Error("hash depends on the time zone of At")
	}
	nilDetail := e
	nilDetail.Detail = nil
	empty := e
	empty.Detail = map[string]string{}
	if nilDetail.ComputeHash() != empty.ComputeHash() {
		t.Error("nil and empty detail hash differently")
	}
}
