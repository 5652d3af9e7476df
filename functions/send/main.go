// Command send is the Lambda of the send stage: regulator filings first
// ({"stage":"filings","case_id":...,"content_hash":...}), then one batch of
// customer notices per invocation ({"case_id":...,"shard":N,"cursor":...,
// "content_hash":...}). Only documents that hash to what the approvers
// signed off are sent.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"breachflow/internal/assess"
	"breachflow/internal/cases"
	"breachflow/internal/delivery"
	"breachflow/internal/draft"
	"breachflow/internal/lambdamain"
)

type config struct {
	// FilingAddresses is JSON: obligation id or regulator name -> address.
	FilingAddresses string `env:"FILING_ADDRESSES"`
}

func main() {
	lambdamain.Start(&config{}, func(ctx context.Context, c *config, cfg aws.Config, log *slog.Logger) (any, error) {
		dc, err := delivery.LoadConfig(os.Getenv)
		if err != nil {
			return nil, err
		}
		addrs, err := draft.ParseFilingAddresses(c.FilingAddresses)
		if err != nil {
			return nil, err
		}
		db, ses := dynamodb.NewFromConfig(cfg), sesv2.NewFromConfig(cfg)
		return delivery.NewHandler(ctx, dc, db, ses, approvedDocuments(db, dc.Table, addrs), log, os.Stdout)
	})
}

func approvedDocuments(db *dynamodb.Client, table string, addrs draft.FilingAddresses) *draft.Approved {
	store := &cases.Store{DB: db, Table: table}
	return &draft.Approved{DB: db, Table: table, Reports: store, Assessments: &assess.Store{DB: db, Table: table}, Addresses: addrs}
}
