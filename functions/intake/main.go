// Command intake is the Lambda for the workflow's first state: validate the
// stored report and open its case.
package main

import (
	"context"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"breachflow/internal/audit"
	"breachflow/internal/cases"
	"breachflow/internal/intake"
	"breachflow/internal/lambdamain"
)

type config struct {
	CaseTable string `env:"CASE_TABLE"`
}

func main() {
	lambdamain.Start(&config{}, func(_ context.Context, c *config, cfg aws.Config, log *slog.Logger) (any, error) {
		store := &cases.Store{DB: dynamodb.NewFromConfig(cfg), Table: c.CaseTable}
		return (&intake.Handler{Cases: store, Audit: audit.Log{DB: store.DB, Table: c.CaseTable}, Log: log}).Handle, nil
	})
}
