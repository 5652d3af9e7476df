// Command approval-escalate runs on a schedule: for every approval still
// pending whose earliest deadline is within a configured margin, it emails
// the escalation contacts once per case and margin.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"breachflow/internal/approval"
	"breachflow/internal/lambdamain"
)

type config struct {
	CaseTable string `env:"CASE_TABLE"`
}

func main() {
	lambdamain.Start(&config{}, func(ctx context.Context, c *config, cfg aws.Config, log *slog.Logger) (any, error) {
		ac, err := approval.ConfigFromSecret(ctx, secretsmanager.NewFromConfig(cfg))
		if err != nil {
			return nil, err
		}
		svc := approval.NewAWSService(cfg, c.CaseTable, ac, log)
		svc.Metrics = os.Stdout // embedded-metric lines: the DeadlinesAtRisk alarm
		return svc.Escalate, nil
	})
}
