package audit_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"breachflow/internal/audit"
	"breachflow/internal/audit/audittest"
)

// memDB keeps one partition's items by sort key and honours the conditions
// Append uses, so the chain logic is testable without an emulator.
type memDB struct {
	mu    sync.Mutex
	items map[string]map[string]types.AttributeValue
}

func sk(item map[string]types.AttributeValue) string {
	return item["sk"].(*types.AttributeValueMemberS).Value
}

func (m *memDB) GetItem(_ context.Context, in *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return &dynamodb.GetItemOutput{Item: m.items[sk(in.Key)]}, nil
}

func (m *memDB) PutItem(_ context.Context, in *dynamodb.PutItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.items == nil {
		m.items = map[string]map[string]types.AttributeValue{}
	}
	k := sk(in.Item)
	if old, ok := m.items[k]; ok && in.ConditionExpression != nil {
		// attribute_not_exists(sk), or for the head "... OR count < :count"
		newer := false
		if c, ok := in.ExpressionAttributeValues[":count"]; ok {
			oldN, _ := strconv.Atoi(old["count"].(*types.AttributeValueMemberN).Value)
			newN, _ := strconv.Atoi(c.(*types.AttributeValueMemberN).Value)
			newer = oldN < newN
		}
		if !newer {
			return nil, &types.ConditionalCheckFailedException{}
		}
	}
	m.items[k] = in.Item
	return &dynamodb.PutItemOutput{}, nil
}

func (m *memDB) Query(_ context.Context, in *dynamodb.QueryInput, _ ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	prefix := in.ExpressionAttributeValues[":prefix"].(*types.AttributeValueMemberS).Value
	var keys []string
	for k := range m.items {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
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

func (m *memDB) delete(k string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.items, k)
}

func newLog(db *memDB) audit.Log {
	return audit.Log{DB: db, Table: "t", KMS: audittest.NewKMS(), Now: func() time.Time { return time.Date(2026, 11, 23, 23, 0, 0, 0, time.UTC) }}
}

func appendN(t *testing.T, log audit.Log, n int) {
	t.Helper()
	for i := range n {
		if _, err := log.Append(context.Background(), "c1", audit.Record{Actor: "system", Action: "test", Detail: map[string]string{"i": fmt.Sprint(i)}}); err != nil {
			t.Fatal(err)
		}
	}
}

func chain(t *testing.T, n int) (audit.Chain, audit.Log) {
	t.Helper()
	log := newLog(&memDB{})
	appendN(t, log, n)
	c, err := log.Read(context.Background(), "c1")
	if err != nil {
		t.Fatal(err)
	}
	return c, log
}

// TestVerify is the offline check: each way of tampering with entries or
// the head is named, at the entry where the chain stops holding.
func TestVerify(t *testing.T) {
	other := audittest.NewKMS()
	tests := []struct {
		name    string
		tamper  func(c *audit.Chain)
		wantSeq int64 // 0: intact; -1: the head is at fault
		reason  string
	}{
		{"intact", func(c *audit.Chain) {}, 0, ""},
		{"detail altered", func(c *audit.Chain) { c.Entries[2].Detail = map[string]string{"i": "99"} }, 3, "altered"},
		{"actor altered", func(c *audit.Chain) { c.Entries[0].Actor = "mallory" }, 1, "altered"},
		{"entry removed", func(c *audit.Chain) { c.Entries = slices.Delete(c.Entries, 1, 2) }, 2, "missing"},
		{"entries swapped", func(c *audit.Chain) { c.Entries[1], c.Entries[2] = c.Entries[2], c.Entries[1] }, 2, "missing or moved"},
		// Issue 22: delete the last two entries, and the rejection is gone.
		{"last two entries deleted", func(c *audit.Chain) { c.Entries = c.Entries[:3] }, 4, "entries 4 to 5 of the 5 the signed head counts are missing"},
		{"last entry deleted", func(c *audit.Chain) { c.Entries = c.Entries[:4] }, 5, "cut short"},
		{"an entry rewritten with a fresh hash", func(c *audit.Chain) {
			c.Entries[1].Action = "forged"
			c.Entries[1].Hash = c.Entries[1].ComputeHash()
		}, 3, "previous hash"},
		{"the whole chain rewritten and re-hashed", func(c *audit.Chain) {
			prev := audit.Genesis
			for i := range c.Entries {
				c.Entries[i].Actor = "mallory"
				c.Entries[i].PrevHash = prev
				c.Entries[i].Hash = c.Entries[i].ComputeHash()
				prev = c.Entries[i].Hash
			}
		}, 1, "not signed by the audit key"},
		{"the last entry rewritten and the head moved to it", func(c *audit.Chain) {
			c.Entries[4].Action = "approval.approved"
			c.Entries[4].Hash = c.Entries[4].ComputeHash()
			c.Head.Hash = c.Entries[4].Hash
		}, 5, "not signed by the audit key"},
		{"an unsigned entry appended", func(c *audit.Chain) {
			e := audit.Entry{CaseID: "c1", Seq: 6, At: time.Now(), Actor: "mallory", Action: "approval.approved", PrevHash: c.Entries[4].Hash}
			e.Hash = e.ComputeHash()
			c.Entries = append(c.Entries, e)
		}, 6, "not signed"},
		{"the head deleted", func(c *audit.Chain) { c.Head = nil }, -1, "no signed head"},
		{"the head moved back", func(c *audit.Chain) { c.Head.Count = 3; c.Head.Hash = c.Entries[2].Hash }, 3, "head is not signed"},
		{"the head re-signed under another key", func(c *audit.Chain) {
			c.Head.KeyID = other.ARN
			c.Keys[other.ARN] = &other.Key.PublicKey
		}, 5, "head is not signed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := chain(t, 5)
			tt.tamper(&c)
			err := audit.Verify(c.Entries, c.Head, c.Keys)
			if tt.wantSeq == 0 {
				if err != nil {
					t.Fatalf("Verify = %v, want nil", err)
				}
				return
			}
			var br *audit.BreakError
			if !errors.As(err, &br) || !strings.Contains(br.Reason, tt.reason) || br.Head != (tt.wantSeq < 0 || strings.Contains(tt.reason, "head is not")) ||
				(tt.wantSeq > 0 && !br.Head && br.Seq != tt.wantSeq) {
				t.Fatalf("Verify = %v (head %v), want a break at %d (%s)", err, br != nil && br.Head, tt.wantSeq, tt.reason)
			}
		})
	}
}

// TestAppendRefusesACutChain: after the last entries are deleted from the
// table, the case's next append fails naming the gap instead of signing a
// head over the shorter chain; so does a forged head.
func TestAppendRefusesACutChain(t *testing.T) {
	ctx := context.Background()
	db := &memDB{}
	log := newLog(db)
	appendN(t, log, 5)
	db.delete(audit.SortKey(5))
	db.delete(audit.SortKey(4))
	_, err := log.Append(ctx, "c1", audit.Record{Actor: "x", Action: "y"})
	var br *audit.BreakError
	if !errors.As(err, &br) || br.Seq != 4 || !strings.Contains(br.Reason, "cut short") {
		t.Fatalf("append after the last two entries were deleted: %v, want a break at 4", err)
	}
	if _, err := log.Verify(ctx, "c1"); !errors.As(err, &br) || br.Seq != 4 {
		t.Fatalf("online Verify: %v, want a break at 4", err)
	}
}

func TestAppendChainsSignsAndNumbers(t *testing.T) {
	c, _ := chain(t, 3)
	if len(c.Entries) != 3 || c.Head == nil || c.Head.Count != 3 || c.Head.Hash != c.Entries[2].Hash {
		t.Fatalf("chain %+v, head %+v", c.Entries, c.Head)
	}
	if c.Entries[0].PrevHash != audit.Genesis || c.Entries[1].PrevHash != c.Entries[0].Hash {
		t.Errorf("entries are not chained: %+v", c.Entries)
	}
	for _, e := range c.Entries {
		if e.Sig == "" || e.KeyID == "" {
			t.Errorf("entry %d is not signed", e.Seq)
		}
	}
	if got := audit.SortKey(12); got != "AUDIT#000000000012" {
		t.Errorf("SortKey(12) = %q", got)
	}
}

func TestAppendNeedsAKey(t *testing.T) {
	log := audit.Log{DB: &memDB{}, Table: "t"}
	if _, err := log.Append(context.Background(), "c1", audit.Record{Actor: "x", Action: "y"}); err == nil {
		t.Fatal("append without an audit key: want an error, an unsigned entry would not verify")
	}
}

func TestConcurrentAppendsNeverFork(t *testing.T) {
	log := newLog(&memDB{})
	log.Now = nil
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			if _, err := log.Append(context.Background(), "c1", audit.Record{Actor: fmt.Sprint(i), Action: "race"}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	c, err := log.Verify(context.Background(), "c1")
	if err != nil || len(c.Entries) != 8 {
		t.Fatalf("after 8 concurrent appends: %d entries, %v", len(c.Entries), err)
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
