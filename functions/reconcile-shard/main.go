// Command reconcile-shard is the Lambda of the reconcile Map's children:
// count one subject shard's people by delivery state, straight from the
// ledger. It only reads; the close step (reconcile) sums the shards.
package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"breachflow/internal/lambdamain"
	"breachflow/internal/reconcile"
)

type config struct {
	CaseTable string `env:"CASE_TABLE"`
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

func main() {
	lambdamain.Start(&config{}, func(_ context.Context, c *config, cfg aws.Config, log *slog.Logger) (any, error) {
		return (&reconcile.ShardHandler{DB: dynamodb.NewFromConfig(cfg, patient), Table: c.CaseTable, Log: log}).Handle, nil
	})
}
