// Command sesevents applies SES delivery, bounce and complaint events (from
// the configuration set's SNS topic) to each person's ledger entry.
package main

import (
	"context"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"breachflow/internal/lambdamain"
	"breachflow/internal/ledger"
	"breachflow/internal/sesevents"
)

type config struct {
	CaseTable string `env:"CASE_TABLE"`
}

func main() {
	lambdamain.Start(&config{}, func(_ context.Context, c *config, cfg aws.Config, log *slog.Logger) (any, error) {
		led := &ledger.Ledger{DB: dynamodb.NewFromConfig(cfg), Table: c.CaseTable}
		return (&sesevents.Handler{Applier: &sesevents.Applier{Ledger: led}, Log: log}).Handle, nil
	})
}
