package reconcile

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"breachflow/internal/casetable"
	"breachflow/internal/ledger"
)

// Querier reads a shard of the subject set and its send records.
type Querier interface {
	Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

// ShardInput is the per-shard count state's input.
type ShardInput struct {
	CaseID string `json:"case_id"`
	Shard  int    `json:"shard"`
	// Version is the report version whose subject set is counted
	// (casetable.SetID); 0 or 1: the first.
	Version int `json:"version,omitempty"`
}

// ShardCount is one shard's people by delivery status: ids and counts
// only, a few hundred bytes, so 64 of them are ~13 KB of the Map's
// 256 KiB result.
type ShardCount struct {
	CaseID   string         `json:"case_id"`
	Shard    int            `json:"shard"`
	People   int            `json:"people"`
	ByStatus map[string]int `json:"by_status"`
	// ByReach counts the shard's people by how they are accounted for
	// (Reach): reached on a channel, in the postal export, covered by the
	// posted notice, an explained exception, or not yet.
	ByReach map[string]int `json:"by_reach,omitempty"`
	// Late counts the shard's people owed a send no round made (Late):
	// their failure on one channel came after the last round passed them
	// on the next.
	Late int `json:"late,omitempty"`
}

// ShardHandler counts one shard: the count Map's child. It only reads.
type ShardHandler struct {
	DB    Querier
	Table string
	Log   *slog.Logger
}

// Handle is the Lambda handler.
func (h *ShardHandler) Handle(ctx context.Context, in ShardInput) (ShardCount, error) {
	if in.CaseID == "" {
		return ShardCount{}, &InvalidInput{Field: "case_id", Reason: "empty"}
	}
	if in.Shard < 0 {
		return ShardCount{}, &InvalidInput{Field: "shard", Reason: fmt.Sprintf("%d is negative", in.Shard)}
	}
	// One walk of the shard gives every count: the e-mail state by status
	// (as CountShard reads it), how each person is accounted for, and who
	// is owed a send.
	out := ShardCount{CaseID: in.CaseID, Shard: in.Shard, ByStatus: map[string]int{}, ByReach: map[string]int{}}
	err := WalkReach(ctx, h.DB, h.Table, casetable.SetID(in.CaseID, in.Version), in.Shard, func(s *casetable.Subject, sms *ledger.ChannelSend, reach string) error {
		out.People++
		out.ByStatus[string(s.Status)]++
		out.ByReach[reach]++
		if Late(s, sms) {
			out.Late++
		}
		return nil
	})
	if err != nil {
		return ShardCount{}, fmt.Errorf("count shard %d of %s: %w", in.Shard, in.CaseID, err)
	}
	if h.Log != nil {
		h.Log.InfoContext(ctx, "reconcile shard", "case_id", in.CaseID, "shard", in.Shard, "people", out.People, "late", out.Late)
	}
	return out, nil
}

// CountShard returns how many subjects of one shard are in each delivery
// status, read through the ledger page by page (memory stays at one page),
// so a person whose notice is recorded counts as sent until an SES event
// says more. The map is never nil.
func CountShard(ctx context.Context, db Querier, table, caseID string, shard int) (map[string]int, error) {
	by := map[string]int{}
	err := ledger.Walk(ctx, db, table, caseID, shard, func(s *casetable.Subject) error {
		by[string(s.Status)]++
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("count shard %d of %s: %w", shard, caseID, err)
	}
	return by, nil
}

// Count returns how many subjects of the case are in each delivery status,
// counting every shard in this process (eight at a time) and summing them
// as the close step does. It is for small cases (`breachflow status`, the
// demo); the workflow counts shards in a Map instead.
func Count(ctx context.Context, db Querier, table, caseID string, shards int) (map[string]int, error) {
	if shards <= 0 {
		shards = casetable.DefaultShards
	}
	counts := make([]ShardCount, shards)
	errs := make([]error, shards)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for shard := range shards {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			by, err := CountShard(ctx, db, table, caseID, shard)
			counts[shard], errs[shard] = ShardCount{CaseID: caseID, Shard: shard, ByStatus: by}, err
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return Sum(caseID, shards, counts)
}
