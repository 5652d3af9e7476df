package functions

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"breachflow/internal/reconcile"
)

// ReconcileShard counts one subject shard's people by delivery state,
// straight from the ledger; it only reads.
var ReconcileShard = Function[Table, reconcile.ShardInput, reconcile.ShardCount]{
	LogicalID: "ReconcileShardFunction",
	Env:       fromEnv[Table],
	Build: func(_ context.Context, s Table, c Clients) (Handler[reconcile.ShardInput, reconcile.ShardCount], error) {
		return (&reconcile.ShardHandler{DB: c.db(patient), Table: s.CaseTable, Log: c.log()}).Handle, nil
	},
}

// patient rides out read throttling while an on-demand table scales up
// under 16 shard counts at once: a throttled query is retried (up to 10
// attempts, backoff capped at 20 s, no client-side retry quota) instead of
// failing a read-only count that the state machine does not retry.
func patient(o *dynamodb.Options) {
	o.Retryer = retry.NewStandard(func(s *retry.StandardOptions) {
		s.MaxAttempts, s.MaxBackoff, s.RateLimiter = 10, 20*time.Second, ratelimit.None
	})
}

// Reconcile sums the shard counts, records them on the case and closes it
// in its audit log.
var Reconcile = Function[Table, reconcile.Input, reconcile.Output]{
	LogicalID: "ReconcileFunction",
	Env:       fromEnv[Table],
	Build: func(_ context.Context, s Table, c Clients) (Handler[reconcile.Input, reconcile.Output], error) {
		db := c.db()
		return (&reconcile.Handler{Cases: s.cases(db), Audit: s.audit(c), Log: c.log()}).Handle, nil
	},
}
