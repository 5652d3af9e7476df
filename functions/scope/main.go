// Command scope is the Lambda of the scope Map's iterations: it scopes one
// scan segment of the user table into the case's subject set and returns
// the segment's counts (scope.SegmentInput in, scope.SegmentResult out).
package main

import (
	"context"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"breachflow/internal/cases"
	"breachflow/internal/lambdamain"
	"breachflow/internal/scope"
	"breachflow/internal/usertable"
)

type config struct {
	CaseTable string `env:"CASE_TABLE"`
	UserTable string `env:"USER_TABLE"`
	// UserMapping is the mapping's JSON or a file path.
	UserMapping string `env:"USER_MAPPING"`
}

func main() {
	lambdamain.Start(&config{}, func(_ context.Context, c *config, cfg aws.Config, _ *slog.Logger) (any, error) {
		m, err := usertable.LoadMapping(c.UserMapping)
		if err != nil {
			return nil, err
		}
		db := dynamodb.NewFromConfig(cfg)
		store := &cases.Store{DB: db, Table: c.CaseTable}
		s := &scope.Scoper{DB: db, CaseTable: c.CaseTable, UserTable: c.UserTable, Mapping: m, Stored: store.ScopeCriteria}
		return s.Segment, nil
	})
}
