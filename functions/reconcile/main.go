// Command reconcile is the Lambda of the workflow's last step: sum the
// per-shard delivery counts of the count Map (reconcile-shard), record them
// on the case and close the case in its audit log.
package main

import (
	"context"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"breachflow/internal/audit"
	"breachflow/internal/cases"
	"breachflow/internal/lambdamain"
	"breachflow/internal/reconcile"
)

type config struct {
	CaseTable string `env:"CASE_TABLE"`
}

func main() {
	lambdamain.Start(&config{}, func(_ context.Context, c *config, cfg aws.Config, log *slog.Logger) (any, error) {
		db := dynamodb.NewFromConfig(cfg)
		return (&reconcile.Handler{
			Cases: &cases.Store{DB: db, Table: c.CaseTable},
			Audit: audit.Log{DB: db, Table: c.CaseTable},
			Log:   log,
		}).Handle, nil
	})
}
