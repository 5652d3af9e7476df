// Command intake is the Lambda for the workflow's first state: validate the
// stored report and open its case.
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
	"breachflow/internal/intake"
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
	h := &intake.Handler{Cases: &cases.Store{DB: dynamodb.NewFromConfig(cfg), Table: table}, Log: log}
	lambda.Start(h.Handle)
}
