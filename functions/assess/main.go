// Command assess is the Lambda of the assessment state: it runs the rulebook
// on the case's report and scoped counts and stores the obligations.
package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"breachflow/internal/assess"
	"breachflow/internal/audit"
	"breachflow/internal/cases"
	"breachflow/internal/lambdamain"
)

type config struct {
	CaseTable string `env:"CASE_TABLE"`
	// ApprovalMargin is how long before the earliest deadline approval must
	// be done (default 12h).
	ApprovalMargin time.Duration `env:"APPROVAL_MARGIN,optional"`
}

func main() {
	lambdamain.Start(&config{}, func(_ context.Context, c *config, cfg aws.Config, log *slog.Logger) (any, error) {
		db := dynamodb.NewFromConfig(cfg)
		return (&assess.Handler{
			Cases:          &cases.Store{DB: db, Table: c.CaseTable},
			Store:          &assess.Store{DB: db, Table: c.CaseTable},
			ApprovalMargin: c.ApprovalMargin,
			Audit:          audit.Log{DB: db, Table: c.CaseTable},
			Log:            log,
		}).Handle, nil
	})
}
