// Command scope is the Lambda of the scope Map's iterations: it scopes one
// scan segment of the user table into the case's subject set and returns
// the segment's counts (scope.SegmentInput in, scope.SegmentResult out).
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"breachflow/internal/awsenv"
	"breachflow/internal/cases"
	"breachflow/internal/scope"
	"breachflow/internal/usertable"
)

func main() {
	log := lambdacontext.NewLogger()
	slog.SetDefault(log)
	caseTable, userTable, mapping := os.Getenv("CASE_TABLE"), os.Getenv("USER_TABLE"), os.Getenv("USER_MAPPING")
	if caseTable == "" || userTable == "" || mapping == "" {
		log.Error("CASE_TABLE, USER_TABLE and USER_MAPPING (the mapping's JSON or a file path) must be set")
		os.Exit(1)
	}
	m, err := usertable.LoadMapping(mapping)
	if err != nil {
		log.Error("config", "error", err)
		os.Exit(1)
	}
	cfg, err := awsenv.Load(context.Background())
	if err != nil {
		log.Error("config", "error", err)
		os.Exit(1)
	}
	db := dynamodb.NewFromConfig(cfg)
	store := &cases.Store{DB: db, Table: caseTable}
	s := &scope.Scoper{DB: db, CaseTable: caseTable, UserTable: userTable, Mapping: m,
		Stored: func(ctx context.Context, caseID string) (*scope.Criteria, error) {
			r, _, err := store.Report(ctx, caseID)
			if err != nil {
				return nil, err
			}
			return r.Scope, nil
		}}
	lambda.Start(s.Segment)
}
