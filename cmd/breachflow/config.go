package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"breachflow/internal/audit"
	"breachflow/internal/awsenv"
	"breachflow/internal/cases"
	"breachflow/internal/evidence"
	"breachflow/internal/posting"
	"breachflow/internal/reopen"
)

// cliEnv is what the case commands need, read once from the environment.
// Endpoints are not here: they come from the SDK's own variables.
type cliEnv struct {
	CaseTable       string // $CASE_TABLE, as the functions read it; default "breachflow-cases"
	StateMachineArn string // $BREACHFLOW_STATE_MACHINE_ARN; empty: looked up by name
	// NoticeBucket is $NOTICE_BUCKET (the stack output NoticeBucketName),
	// where the posted notices live; empty: pages are not checked.
	NoticeBucket string
	cfg          aws.Config
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
		NoticeBucket:    os.Getenv("NOTICE_BUCKET"),
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

// evidence writes packs from the case table, checking posted pages
// against the notice bucket when NOTICE_BUCKET names it.
func (e *cliEnv) evidence() evidence.Source {
	src := evidence.Source{DB: e.dynamo(), Table: e.CaseTable, Audit: e.audit()}
	if e.NoticeBucket != "" {
		c := e.postings()
		src.Postings = &c
	}
	return src
}

// postings checks a case's posted pages against the notice bucket.
func (e *cliEnv) postings() posting.Checker {
	return posting.Checker{S3: s3.NewFromConfig(e.cfg), Store: posting.Store{DB: e.dynamo(), Table: e.CaseTable}, Bucket: e.NoticeBucket}
}
func (e *cliEnv) cases() *cases.Store {
	return &cases.Store{DB: e.dynamo(), Table: e.CaseTable}
}

// reopener starts new executions for closed cases (a new version, a late
// round).
func (e *cliEnv) reopener(ctx context.Context) (*reopen.Starter, error) {
	sm, err := e.stateMachine(ctx)
	if err != nil {
		return nil, err
	}
	return &reopen.Starter{Cases: e.cases(), SFN: e.sfn(), StateMachineArn: sm}, nil
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
