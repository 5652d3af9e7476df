// Command draft is the Lambda of the drafting state: it renders the case's
// regulator filings and customer notices from its stored report and
// assessment, checks each for the content its law requires, and stores
// them with the content hash the approval binds to.
package main

import (
	"context"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"breachflow/internal/assess"
	"breachflow/internal/audit"
	"breachflow/internal/cases"
	"breachflow/internal/draft"
	"breachflow/internal/lambdamain"
)

type config struct {
	CaseTable string `env:"CASE_TABLE"`
}

func main() {
	lambdamain.Start(&config{}, func(_ context.Context, c *config, cfg aws.Config, log *slog.Logger) (any, error) {
		db := dynamodb.NewFromConfig(cfg)
		store := &cases.Store{DB: db, Table: c.CaseTable}
		return (&draft.Handler{
			Reports:     store,
			Assessments: &assess.Store{DB: db, Table: c.CaseTable},
			Cases:       store,
			DB:          db,
			Table:       c.CaseTable,
			Audit:       audit.Log{DB: db, Table: c.CaseTable},
			Log:         log,
		}).Handle, nil
	})
}
