// Command assess is the Lambda of the assessment state: it runs the rulebook
// on the case's report and scoped counts and stores the obligations.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"breachflow/internal/assess"
	"breachflow/internal/awsenv"
	"breachflow/internal/cases"
)

func main() {
	log := lambdacontext.NewLogger()
	slog.SetDefault(log)
	table := os.Getenv("CASE_TABLE")
	if table == "" {
		log.Error("CASE_TABLE is not set")
		os.Exit(1)
	}
	cfg, err := awsenv.Load(context.Background())
	if err != nil {
		log.Error("config", "error", err)
		os.Exit(1)
	}
	db := dynamodb.NewFromConfig(cfg)
	h := &assess.Handler{
		Cases: &cases.Store{DB: db, Table: table},
		Store: &assess.Store{DB: db, Table: table},
		Log:   log,
	}
	lambda.Start(h.Handle)
}
