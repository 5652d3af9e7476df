// Command reconcile-shard is the Lambda of the reconcile Map's children:
// count one subject shard's people by delivery state, straight from the
// ledger. It only reads; the close step (reconcile) sums the shards.
package main

import (
	"context"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"breachflow/internal/lambdamain"
	"breachflow/internal/reconcile"
)

type config struct {
	CaseTable string `env:"CASE_TABLE"`
}

func main() {
	lambdamain.Start(&config{}, func(_ context.Context, c *config, cfg aws.Config, log *slog.Logger) (any, error) {
		return (&reconcile.ShardHandler{DB: dynamodb.NewFromConfig(cfg), Table: c.CaseTable, Log: log}).Handle, nil
	})
}
