//go:build integration

package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"breachflow/internal/cases"
	"breachflow/internal/local/emulators"
	"breachflow/internal/report"
	"breachflow/internal/usertable"
)

// localCase is the sample case started on a local stack of its own: the
// stack, the CLI's view of it, and the case's execution.
type localCase struct {
	up     *localUp
	env    *cliEnv
	opts   emulators.Options
	lo     localOptions
	caseID string
	arn    *string
	report *report.Report
	ctx    context.Context
}

// startLocalCase starts a stack in a temporary state folder, seeds users
// synthetic people, stores the sample report with its timeline moved so the
// clocks are live, and starts the case's execution. The stack closes with
// the test.
func startLocalCase(ctx context.Context, t *testing.T, users int, seed uint64) *localCase {
	t.Helper()
	return startLocalCaseWith(ctx, t, localOptions{template: "../../template.yaml"}, users, seed)
}

// startLocalCaseWith is startLocalCase on the template and environment
// overrides lo names.
func startLocalCaseWith(ctx context.Context, t *testing.T, lo localOptions, users int, seed uint64) *localCase {
	t.Helper()
	raw := liveDemoReport(t)
	return startLocalCaseFrom(ctx, t, lo, users, seed, raw)
}

// startLocalCaseFrom is startLocalCaseWith for the report raw.
func startLocalCaseFrom(ctx context.Context, t *testing.T, lo localOptions, users int, seed uint64, raw []byte) *localCase {
	t.Helper()
	lc, _ := startLocalStack(ctx, t, lo)
	if err := usertable.Seed(ctx, lc.env.dynamo(), lc.up.userTable, usertable.SeedOptions{Users: users, Seed: seed}); err != nil {
		t.Fatal(err)
	}
	lc.startCase(t, raw)
	return lc
}

// startLocalStack starts the local stack on lo, with its state in a
// temporary folder and its logs in the returned buffer. The stack sets the
// exports `local up` prints in this process; the test's end puts them back
// and closes the stack.
func startLocalStack(ctx context.Context, t *testing.T, lo localOptions) (*localCase, *syncBuffer) {
	t.Helper()
	state := t.TempDir()
	logs := &syncBuffer{}
	lo.stateDir, lo.log = state, logs
	lc := &localCase{
		ctx:  ctx,
		opts: emulators.Options{DataDir: filepath.Join(state, "dynamodb"), Log: logs},
		lo:   lo,
	}
	for _, v := range []string{"CASE_TABLE", "USER_TABLE", "BREACHFLOW_APPROVERS", "BREACHFLOW_APPROVALS_REQUIRED", envApprovalKeyDir} {
		t.Setenv(v, os.Getenv(v))
	}
	lc.start(t)
	t.Cleanup(func() { lc.up.Close() })
	return lc, logs
}

// startCase stores the report raw and starts its case's execution
// (lc.arn).
func (lc *localCase) startCase(t *testing.T, raw []byte) {
	t.Helper()
	var err error
	if lc.report, err = report.Parse(raw); err != nil {
		t.Fatal(err)
	}
	if lc.caseID, _, err = lc.env.cases().PutReport(lc.ctx, raw, lc.report); err != nil {
		t.Fatal(err)
	}
	started, err := lc.env.sfn().StartExecution(lc.ctx, &sfn.StartExecutionInput{
		StateMachineArn: aws.String(lc.up.runtime.StateMachines[stateMachineName]),
		Name:            aws.String(cases.ExecutionName(lc.caseID)),
		Input:           aws.String(`{"case_id":"` + lc.caseID + `"}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	lc.arn = started.ExecutionArn
}

func (lc *localCase) start(t *testing.T) {
	t.Helper()
	up, err := startLocal(lc.ctx, lc.opts, lc.lo)
	if err != nil {
		t.Fatal(err)
	}
	lc.up = up
	if lc.env, err = loadCLIEnv(lc.ctx); err != nil {
		t.Fatal(err)
	}
}

// restartStack stops the whole stack and starts it again on the same state
// folder, as a responder does after changing its configuration (lc.lo).
func (lc *localCase) restartStack(t *testing.T) {
	t.Helper()
	if err := lc.up.Close(); err != nil {
		t.Fatal(err)
	}
	lc.start(t)
}

// ended waits until the case's execution has left RUNNING.
func (lc *localCase) ended(t *testing.T) *sfn.DescribeExecutionOutput {
	t.Helper()
	var d *sfn.DescribeExecutionOutput
	waitFor(lc.ctx, t, "the execution to end", func() bool {
		var err error
		d, err = lc.env.sfn().DescribeExecution(lc.ctx, &sfn.DescribeExecutionInput{ExecutionArn: lc.arn})
		return err == nil && d.Status != "RUNNING"
	})
	return d
}

// succeeded waits until the case's execution has ended and stops the test
// unless it succeeded, naming what ran (such as "version 2") and logging
// the states it went through.
func (lc *localCase) succeeded(t *testing.T, what string) {
	t.Helper()
	if d := lc.ended(t); d.Status != sfntypes.ExecutionStatusSucceeded {
		t.Log(stateTrail(lc.ctx, t, lc.env, aws.ToString(lc.arn)))
		t.Fatalf("%s: %s %s: %s", what, d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
	}
}

// awaitApproval waits until the case's execution waits on its approval
// task (the drafts stored, the task token handed out) and returns the case
// as it then stands.
func (lc *localCase) awaitApproval(t *testing.T) cases.Case {
	t.Helper()
	var c cases.Case
	waitFor(lc.ctx, t, "the approval request", func() bool {
		var err error
		c, err = lc.env.cases().Get(lc.ctx, lc.caseID)
		return err == nil && c.ContentHash != "" && hasEvent(lc.ctx, t, lc.env.sfn(), aws.ToString(lc.arn), sfntypes.HistoryEventTypeTaskSubmitted)
	})
	return c
}

// writeEnvVars writes environment overrides, as `local up --env-vars`
// takes them, to a file of the test's and returns its path.
func writeEnvVars(t *testing.T, overrides string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "env.json")
	if err := os.WriteFile(path, []byte(overrides), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// liveDemoReport is the demo's sample report with its timeline moved to two
// hours ago, so its clocks are running rather than long past.
func liveDemoReport(t *testing.T) []byte {
	t.Helper()
	raw, err := os.ReadFile("../../" + demoReport)
	if err != nil {
		t.Fatal(err)
	}
	if raw, err = liveTimeline(raw, time.Now().Add(-2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	return raw
}
