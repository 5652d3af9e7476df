package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"breachflow/internal/audit"
	"breachflow/internal/awsenv"
	"breachflow/internal/cases"
)

// cliEnv is what the case commands need, read once from the environment.
// Endpoints are not here: they come from the SDK's own variables.
type cliEnv struct {
	CaseTable       string // $CASE_TABLE, as the functions read it; default "breachflow-cases"
	StateMachineArn string // $BREACHFLOW_STATE_MACHINE_ARN; empty: looked up by name
	cfg             aws.Config
}

// defaultCaseTable is the case table's name in the local stack.
const defaultCaseTable = "breachflow-cases"

// stateMachineName is the breach workflow's logical id in template.yaml; the
// local engine names it so, and SAM prefixes the deployed name with it.
const stateMachineName = "BreachStateMachine"

func loadCLIEnv(ctx context.Context) (*cliEnv, error) {
	cfg, err := awsenv.Load(ctx)
	if err != nil {
		return nil, err
	}
	e := &cliEnv{
		CaseTable:       os.Getenv("CASE_TABLE"),
		StateMachineArn: os.Getenv("BREACHFLOW_STATE_MACHINE_ARN"),
		cfg:             cfg,
	}
	if e.CaseTable == "" {
		e.CaseTable = defaultCaseTable
	}
	return e, nil
}

func (e *cliEnv) dynamo() *dynamodb.Client { return dynamodb.NewFromConfig(e.cfg) }

// audit is the case table's audit log, signed with the audit key that
// $AUDIT_KEY_ID names (default audit.DefaultKey, the template's alias).
func (e *cliEnv) audit() audit.Log {
	return audit.NewLog(e.cfg, e.CaseTable, os.Getenv(audit.EnvKey))
}
func (e *cliEnv) sfn() *sfn.Client { return sfn.NewFromConfig(e.cfg) }
func (e *cliEnv) cases() *cases.Store {
	return &cases.Store{DB: e.dynamo(), Table: e.CaseTable}
}

// stateMachine returns the breach workflow's ARN: the configured one, or the
// state machine whose name is or starts with BreachStateMachine.
func (e *cliEnv) stateMachine(ctx context.Context) (string, error) {
	if e.StateMachineArn != "" {
		return e.StateMachineArn, nil
	}
	p := sfn.NewListStateMachinesPaginator(e.sfn(), &sfn.ListStateMachinesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return "", fmt.Errorf("find the breach state machine (set BREACHFLOW_STATE_MACHINE_ARN, or AWS_ENDPOINT_URL_SFN for the local stack): %w", err)
		}
		for _, sm := range page.StateMachines {
			if name := aws.ToString(sm.Name); name == stateMachineName || strings.HasPrefix(name, stateMachineName+"-") {
				return aws.ToString(sm.StateMachineArn), nil
			}
		}
	}
	return "", fmt.Errorf("no state machine named %s: is `breachflow local up` running, or set BREACHFLOW_STATE_MACHINE_ARN", stateMachineName)
}
