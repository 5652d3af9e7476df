// Command approval-request is the `.waitForTaskToken` task of the approval
// state: it records the task token with the case, bound to the drafts'
// content hash and the recipient-set hash, and emails each approver a
// signed, expiring, single-use console link. The task then waits until the
// console or `breachflow approve|reject` answers the token.
package main

import (
	"context"
	"log/slog"

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
		// The approver list, quorum, signing key (from a secret) and console
		// URL come from BREACHFLOW_* variables; see approval.ConfigFromEnv.
		ac, err := approval.ConfigFromSecret(ctx, secretsmanager.NewFromConfig(cfg))
		if err != nil {
			return nil, err
		}
		return approval.NewAWSService(cfg, c.CaseTable, ac, log).Open, nil
	})
}
