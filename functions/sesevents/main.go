// Command sesevents is the Lambda behind the SES event destination (SNS or
// EventBridge): it applies delivery, bounce and complaint events to the
// case's subjects.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"breachflow/internal/awsenv"
	"breachflow/internal/ledger"
	"breachflow/internal/sesevents"
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
	led := &ledger.Ledger{DB: dynamodb.NewFromConfig(cfg), Table: table}
	h := &sesevents.Handler{Applier: &sesevents.Applier{Ledger: led}, Log: log}
	lambda.Start(h.Handle)
}
