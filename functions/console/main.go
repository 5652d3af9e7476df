// Command console serves the approval console from Lambda behind a function
// URL (InvokeMode RESPONSE_STREAM) through aws-lambda-go's lambdaurl. With a
// public URL leave CONSOLE_BROWSE unset: only approval links are served, and
// the link is the credential.
package main

import (
	"context"
	"log/slog"

	"github.com/aws/aws-lambda-go/lambdaurl"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"breachflow/internal/approval"
	"breachflow/internal/assess"
	"breachflow/internal/cases"
	"breachflow/internal/console"
	"breachflow/internal/lambdamain"
)

type config struct {
	CaseTable string `env:"CASE_TABLE"`
	Browse    bool   `env:"CONSOLE_BROWSE,optional"`
}

func main() {
	lambdamain.Start(&config{}, func(ctx context.Context, c *config, cfg aws.Config, log *slog.Logger) (any, error) {
		ac, err := approval.ConfigFromSecret(ctx, secretsmanager.NewFromConfig(cfg))
		if err != nil {
			return nil, err
		}
		db := dynamodb.NewFromConfig(cfg)
		src := console.CaseTable{
			Records:     &cases.Store{DB: db, Table: c.CaseTable},
			Assessments: &assess.Store{DB: db, Table: c.CaseTable},
			Drafts:      console.DraftsFromTable(db, c.CaseTable),
		}
		h := console.New(console.Config{Browse: c.Browse}, console.Deps{
			Approval: approval.NewAWSService(cfg, c.CaseTable, ac, log), Cases: src, Log: log,
		})
		return lambdaurl.Wrap(h), nil
	})
}
