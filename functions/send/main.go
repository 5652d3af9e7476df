// Command send is the Lambda of the send stage: regulator filings first
// ({"stage":"filings","case_id":...}), then one batch of customer notices
// per invocation ({"case_id":...,"shard":N,"cursor":...}).
package main

import (
	"context"
	"errors"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"breachflow/internal/awsenv"
	"breachflow/internal/casetable"
	"breachflow/internal/delivery"
	"breachflow/internal/ledger"
)

func main() {
	log := lambdacontext.NewLogger()
	slog.SetDefault(log)
	ctx := context.Background()
	cfg, err := delivery.LoadConfig(os.Getenv)
	if err != nil {
		log.Error("config", "error", err)
		os.Exit(1)
	}
	awsCfg, err := awsenv.Load(ctx)
	if err != nil {
		log.Error("config", "error", err)
		os.Exit(1)
	}
	ses := sesv2.NewFromConfig(awsCfg)
	pacing, err := cfg.Pacing(ctx, ses)
	if err != nil {
		log.Error("pacing", "error", err)
		os.Exit(1)
	}
	led := &ledger.Ledger{DB: dynamodb.NewFromConfig(awsCfg), Table: cfg.Table}
	h := &delivery.Handler{
		Pipeline: &delivery.Pipeline{Ledger: led, SES: ses, Render: notWired, From: cfg.From, ConfigurationSet: cfg.ConfigurationSet, Pacing: pacing, Log: log, Metrics: os.Stdout},
		Filer:    &delivery.Filer{Ledger: led, SES: ses, From: cfg.From, ConfigurationSet: cfg.ConfigurationSet, Log: log},
		Log:      log,
	}
	lambda.Start(h.Handle)
}

// notWired stands where the notice package's renderer goes: until it is
// wired, a notice run stops at its first person and sends nothing.
func notWired(*casetable.Subject) (delivery.Message, error) {
	return delivery.Message{}, errors.New("notice renderer is not wired into functions/send")
}
