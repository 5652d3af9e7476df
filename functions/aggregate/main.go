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
		db := dynamodb.NewFromConfig(cfg)
		store := &cases.Store{DB: db, Table: c.CaseTable}
		record := func(ctx context.Context, t *scope.Totals) error {
			_, err := store.RecordScope(ctx, t.CaseID, t.ByJurisdiction, t.RecipientSetHash)
			return err
		}
		fold := &scope.Folder{DB: db, Table: c.CaseTable}
		return (&scope.AggregateHandler{Record: record, Fold: fold, Audit: audit.Log{DB: store.DB, Table: c.CaseTable}, Log: log}).Handle, nil
	})
}
