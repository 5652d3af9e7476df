// Command aggregate is the Lambda after the scope Map: it sums the segments'
// counts and the recipient-set hash (scope.AggregateInput in, scope.Totals
// out) and records them on the case, where assessment and approval read them.
package main

import (
	"context"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"breachflow/internal/audit"
	"breachflow/internal/cases"
	"breachflow/internal/lambdamain"
	"breachflow/internal/scope"
)

type config struct {
	CaseTable string `env:"CASE_TABLE"`
}

func main() {
	lambdamain.Start(&config{}, func(_ context.Context, c *config, cfg aws.Config, log *slog.Logger) (any, error) {
		store := &cases.Store{DB: dynamodb.NewFromConfig(cfg), Table: c.CaseTable}
		record := func(ctx context.Context, t *scope.Totals) error {
			_, err := store.RecordScope(ctx, t.CaseID, t.ByJurisdiction, t.RecipientSetHash)
			return err
		}
		return (&scope.AggregateHandler{Record: record, Audit: audit.Log{DB: store.DB, Table: c.CaseTable}, Log: log}).Handle, nil
	})
}
