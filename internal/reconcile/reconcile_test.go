package reconcile_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"

	"breachflow/internal/reconcile"
)

func shardCount(caseID string, shard int, by map[string]int) reconcile.ShardCount {
	people := 0
	for _, n := range by {
		people += n
	}
	return reconcile.ShardCount{CaseID: caseID, Shard: shard, People: people, ByStatus: by}
}

func TestSum(t *testing.T) {
	full := []reconcile.ShardCount{
		shardCount("c1", 2, map[string]int{"delivered": 3, "bounced": 1}),
		shardCount("c1", 0, map[string]int{"sent": 2, "no_contact": 1}),
		shardCount("c1", 1, map[string]int{}),
		shardCount("c1", 3, map[string]int{"delivered": 4, "pending": 1, "duplicate": 2}),
	}
	tests := []struct {
		name   string
		shards int
		counts []reconcile.ShardCount
		want   map[string]int
		field  string // of the *InvalidInput, "" for success
	}{
		{name: "every shard once, in any order", shards: 4, counts: full,
			want: map[string]int{"delivered": 7, "bounced": 1, "sent": 2, "no_contact": 1, "pending": 1, "duplicate": 2}},
		{name: "empty shards sum to an empty map", shards: 2, counts: []reconcile.ShardCount{shardCount("c1", 1, nil), shardCount("c1", 0, nil)},
			want: map[string]int{}},
		{name: "no counts", shards: 4, field: "shard_counts"},
		{name: "a shard missing", shards: 5, counts: full, field: "shard_counts"},
		{name: "a shard twice", shards: 4, counts: append(full[:3:3], shardCount("c1", 2, nil)), field: "shard_counts[3].shard"},
		{name: "a shard out of range", shards: 4, counts: append(full[:3:3], shardCount("c1", 4, nil)), field: "shard_counts[3].shard"},
		{name: "a shard of another case", shards: 4, counts: append(full[:3:3], shardCount("c2", 3, nil)), field: "shard_counts[3].case_id"},
		{name: "a negative count", shards: 1, counts: []reconcile.ShardCount{shardCount("c1", 0, map[string]int{"sent": -1})}, field: "shard_counts[0].by_status.sent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := reconcile.Sum("c1", tt.shards, tt.counts)
			if tt.field != "" {
				var bad *reconcile.InvalidInput
				if !errors.As(err, &bad) || bad.Field != tt.field {
					t.Fatalf("err = %v, want *InvalidInput on %s", err, tt.field)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("sum (-want +got):\n%s", diff)
			}
		})
	}
}

// TestHandleRefusesPartialCounts: a shard missing from the Map's result
// stops the close step with a named error before the case or the audit
// log is touched (the handler has neither here).
func TestHandleRefusesPartialCounts(t *testing.T) {
	h := &reconcile.Handler{}
	_, err := h.Handle(context.Background(), reconcile.Input{CaseID: "c1", Shards: 2,
		ShardCounts: []reconcile.ShardCount{shardCount("c1", 0, map[string]int{"sent": 1})}})
	var bad *reconcile.InvalidInput
	if !errors.As(err, &bad) {
		t.Fatalf("err = %v, want *InvalidInput", err)
	}
	// Lambda reports the error's type name; an ASL Catch would match it.
	if name := reflect.TypeOf(err).Elem().Name(); name != "InvalidInput" {
		t.Errorf("error type %q, want InvalidInput", name)
	}
}
