//go:build integration

package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"breachflow/internal/audit"
	"breachflow/internal/local/emulators"
)

// TestSecondExecutionRefused replays the attack review's fifth finding: an
// insider starts another execution, under another name, for a case. While
// the case waits for approval it is refused as CaseInProgress; once the
// case is closed, as CaseClosed. Neither run drafts, asks for approval or
// sends anything, the case keeps its status, and the audit log records both
// attempts.
func TestSecondExecutionRefused(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	lc := startLocalCase(ctx, t, 300, 5)
	env := lc.env
	second := func(name string) *sfn.DescribeExecutionOutput {
		t.Helper()
		ex, err := env.sfn().StartExecution(ctx, &sfn.StartExecutionInput{
			StateMachineArn: aws.String(lc.up.runtime.StateMachines[stateMachineName]),
			Name:            aws.String(name),
			Input:           aws.String(`{"case_id":"` + lc.caseID + `"}`),
		})
		if err != nil {
			t.Fatal(err)
		}
		var d *sfn.DescribeExecutionOutput
		waitFor(ctx, t, "the second execution to end", func() bool {
			d, err = env.sfn().DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: ex.ExecutionArn})
			return err == nil && d.Status != sfntypes.ExecutionStatusRunning
		})
		return d
	}
	mails := func() int {
		t.Helper()
		msgs, err := emulators.Mailbox{URL: lc.up.stack.SES}.Messages(ctx, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		return len(msgs)
	}

	lc.awaitApproval(t)
	before := mails()
	if d := second("rerun-while-open"); d.Status != sfntypes.ExecutionStatusFailed || aws.ToString(d.Error) != "CaseInProgress" {
		t.Errorf("a second execution of an open case: %s %s", d.Status, aws.ToString(d.Error))
	}
	if n := mails(); n != before {
		t.Errorf("the refused execution sent %d messages", n-before)
	}

	if err := demoApprove(ctx, &bytes.Buffer{}, env, lc.caseID, lc.report.Approvers); err != nil {
		t.Fatal(err)
	}
	lc.succeeded(t, "the case's own run")
	before = mails()
	d := second("rerun-apr4")
	if d.Status != sfntypes.ExecutionStatusFailed || aws.ToString(d.Error) != "CaseClosed" || !strings.Contains(aws.ToString(d.Cause), "amend") {
		t.Errorf("a second execution of a closed case: %s %s: %s", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
	}
	if n := mails(); n != before {
		t.Errorf("rerunning the closed case sent %d messages", n-before)
	}
	c, err := env.cases().Get(ctx, lc.caseID)
	if err != nil || c.Status != "closed" || c.ExecutionArn != aws.ToString(lc.arn) {
		t.Errorf("after the refused rerun the case is %s, run by %s (%v)", c.Status, c.ExecutionArn, err)
	}
	entries, err := audit.Log{DB: env.dynamo(), Table: env.CaseTable}.List(ctx, lc.caseID)
	if err != nil {
		t.Fatal(err)
	}
	refused := 0
	for _, e := range entries {
		if e.Action == "case.rerun_refused" {
			refused++
		}
	}
	if refused != 2 {
		t.Errorf("%d refusals in the audit log, want 2", refused)
	}
}
