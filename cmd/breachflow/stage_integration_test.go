//go:build integration

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"breachflow/internal/cases"
	"breachflow/internal/ledger"
	"breachflow/internal/local/emulators"
	"breachflow/internal/report"
	"breachflow/internal/stage"
	"breachflow/internal/usertable"
)

// TestStagedDutyIsDraftedAndFiledWhenDue follows Japan's final report
// (PPC Rules Art. 8(2): 60 days after knowing, for an act with unjust
// purpose) through the deployed state machines on the emulators. The
// case's own run files the preliminary report and records the final one
// as a dated task; the sweeper, called with the time it stands for (the
// event's time: no real waiting), leaves it alone until it comes due and
// while the case's run still runs; then a stage run drafts it, asks for
// approval, files it once, and the ledger records it with the reference
// to the preliminary report.
func TestStagedDutyIsDraftedAndFiledWhenDue(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	const users, seed = 600, 7
	jp := 0
	for i := range users {
		if u := usertable.Generate(seed, i); u.Country == "JP" && u.PaymentService == "kakaopay" && u.OverseasTransfer {
			jp++
		}
	}
	if jp == 0 {
		t.Fatal("no Japanese resident in scope: the population no longer exercises Japan's duties")
	}

	state := t.TempDir()
	logs := &syncBuffer{}
	opts := emulators.Options{DataDir: filepath.Join(state, "dynamodb"), Log: logs}
	lo := localOptions{template: "../../template.yaml", stateDir: state, log: logs}
	for _, v := range []string{"CASE_TABLE", "USER_TABLE", "BREACHFLOW_APPROVERS", "BREACHFLOW_APPROVALS_REQUIRED", envApprovalKeyDir} {
		t.Setenv(v, os.Getenv(v))
	}
	t.Setenv("FILING_ADDRESSES", "")
	up, err := startLocal(ctx, opts, lo)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { up.Close() }()
	env, err := loadCLIEnv(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := usertable.Seed(ctx, env.dynamo(), up.userTable, usertable.SeedOptions{Users: users, Seed: seed}); err != nil {
		t.Fatal(err)
	}

	// The sample case, as an intrusion from outside: an act with unjust
	// purpose, so Japan's preliminary and final reports are due for a
	// single Japanese resident (Rule 7(3)).
	raw, err := os.ReadFile("../../" + demoReport)
	if err != nil {
		t.Fatal(err)
	}
	aware := time.Now().Add(-2 * time.Hour)
	if raw, err = liveTimeline(raw, aware); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	doc["report_id"] = "staged-final-report"
	doc["cause"] = map[string]any{"vector": "hacking", "external": true, "description": "An attacker copied the partner feed's files from the transfer server."}
	if raw, err = json.Marshal(doc); err != nil {
		t.Fatal(err)
	}
	r, err := report.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	caseID, _, err := env.cases().PutReport(ctx, raw, r)
	if err != nil {
		t.Fatal(err)
	}
	started, err := env.sfn().StartExecution(ctx, &sfn.StartExecutionInput{
		StateMachineArn: aws.String(up.runtime.StateMachines[stateMachineName]),
		Name:            aws.String(cases.ExecutionName(caseID)),
		Input:           aws.String(`{"case_id":"` + caseID + `"}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	tasks := stage.Store{DB: env.dynamo(), Table: env.CaseTable}
	final := func() stage.Task {
		t.Helper()
		task, err := tasks.Get(ctx, caseID, "jp-appi-26-final")
		if err != nil {
			t.Fatal(err)
		}
		return task
	}
	waitFor(ctx, t, "the approval request", func() bool {
		c, err := env.cases().Get(ctx, caseID)
		return err == nil && c.ContentHash != "" && hasEvent(ctx, t, env.sfn(), aws.ToString(started.ExecutionArn), sfntypes.HistoryEventTypeTaskSubmitted)
	})

	// The assessment recorded the final report as a dated task: 60 days,
	// the day of knowing being day 1, in Japan's time.
	task := final()
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	a := aware.In(tokyo)
	wantDue := time.Date(a.Year(), a.Month(), a.Day()+59, 23, 59, 59, 0, tokyo)
	if task.Status != stage.StatusScheduled || !task.DueAt.Equal(wantDue) || task.StageOf != "jp-appi-26-preliminary" ||
		!strings.Contains(task.Citation, "Rule 8(2)") {
		t.Fatalf("task %+v, want scheduled, due %s, following the preliminary report, citing Rule 8(2)", task, wantDue)
	}
	if got := runCLI(ctx, t, "status", caseID); !strings.Contains(got, "jp-appi-26-final") || !strings.Contains(got, "scheduled") {
		t.Errorf("status does not show the staged duty:\n%s", got)
	}

	sweep := func(at time.Time) stage.SweepOutput {
		t.Helper()
		out, err := up.stageDue(ctx, events.EventBridgeEvent{Time: at})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if out := sweep(time.Now()); out.Due != 0 || out.Started != 0 {
		t.Errorf("a sweep now: %+v, want nothing due for 60 days", out)
	}
	almost := task.DueAt.Add(-time.Hour)
	if out := sweep(almost); out.Due != 1 || out.Deferred != 1 || out.Started != 0 {
		t.Errorf("a sweep at the due time while the case's run waits for approval: %+v, want it deferred", out)
	}

	// The case's own run: approved, filed, notified, closed.
	if err := demoApprove(ctx, &bytes.Buffer{}, env, caseID, r.Approvers); err != nil {
		t.Fatal(err)
	}
	var done *sfn.DescribeExecutionOutput
	waitFor(ctx, t, "the case's run to end", func() bool {
		done, err = env.sfn().DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: started.ExecutionArn})
		return err == nil && done.Status != sfntypes.ExecutionStatusRunning
	})
	if done.Status != sfntypes.ExecutionStatusSucceeded {
		t.Fatalf("case run %s: %s", done.Status, aws.ToString(done.Cause))
	}
	filings, err := ledger.Filings(ctx, env.dynamo(), env.CaseTable, caseID)
	if err != nil {
		t.Fatal(err)
	}
	var prelim ledger.FilingRecord
	for _, f := range filings {
		if f.ObligationID == "filing-jp-appi-26-final" {
			t.Fatal("the final report went out with the case's first filings")
		}
		if f.ObligationID == "filing-jp-appi-26-preliminary" {
			prelim = f
		}
	}
	if prelim.SentAt.IsZero() || prelim.MessageID == "" {
		t.Fatalf("the preliminary report is not on record as sent: %+v", filings)
	}

	// Due, but the sweep that claims the task stops before it starts the
	// run (a crash between the two writes): the task is started with no
	// run. Within StartGrace a sweep leaves it (one may be starting it);
	// after it, the sweep gives the task back and starts a new attempt at
	// once; a second sweep at the same time starts nothing more.
	lost := final()
	if _, err := tasks.Start(ctx, lost, stage.RunName(caseID, lost.ObligationID, lost.Attempts+1), almost); err != nil {
		t.Fatal(err)
	}
	if out := sweep(almost.Add(time.Minute)); out.Started != 0 || out.Recovered != 0 {
		t.Errorf("a sweep within the start grace: %+v, want the claimed task left alone", out)
	}
	later := almost.Add(stage.StartGrace + time.Minute)
	if out := sweep(later); out.Recovered != 1 || out.Started != 1 {
		t.Fatalf("the sweep after the start grace: %+v, want the lost task recovered and its run started", out)
	}
	if out := sweep(later); out.Started != 0 || out.Recovered != 0 {
		t.Errorf("a second sweep: %+v, want nothing started again", out)
	}
	task = final()
	if task.Status != stage.StatusStarted || task.Run == "" || task.Attempts != lost.Attempts+2 {
		t.Fatalf("task after the sweep: %+v, want started on attempt %d", task, lost.Attempts+2)
	}
	stageArn := strings.Replace(up.runtime.StateMachines["StageStateMachine"], ":stateMachine:", ":execution:", 1) + ":" + task.Run
	waitFor(ctx, t, "the stage's approval request", func() bool {
		return hasEvent(ctx, t, env.sfn(), stageArn, sfntypes.HistoryEventTypeTaskSubmitted)
	})
	if got := final(); got.ContentHash == "" || got.FirstFilingRef != prelim.MessageID {
		t.Fatalf("drafted task %+v: want a content hash and the preliminary report's reference %s", got, prelim.MessageID)
	}
	if err := demoApprove(ctx, &bytes.Buffer{}, env, caseID, r.Approvers); err != nil {
		t.Fatal(err)
	}
	var run *sfn.DescribeExecutionOutput
	waitFor(ctx, t, "the stage run to end", func() bool {
		run, err = env.sfn().DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(stageArn)})
		return err == nil && run.Status != sfntypes.ExecutionStatusRunning
	})
	if run.Status != sfntypes.ExecutionStatusSucceeded {
		t.Fatalf("stage run %s: %s: %s\n%v", run.Status, aws.ToString(run.Error), aws.ToString(run.Cause), failures(ctx, env.sfn(), stageArn, 3))
	}
	if strings.Contains(aws.ToString(run.Input)+aws.ToString(run.Output), "@") {
		t.Error("the stage run's payloads carry an address")
	}

	task = final()
	if task.Status != stage.StatusFiled || task.MessageID == "" {
		t.Fatalf("task after the run: %+v, want filed", task)
	}
	if filings, err = ledger.Filings(ctx, env.dynamo(), env.CaseTable, caseID); err != nil {
		t.Fatal(err)
	}
	var rec ledger.FilingRecord
	for _, f := range filings {
		if f.ObligationID == "filing-jp-appi-26-final" {
			rec = f
		}
	}
	if rec.SentAt.IsZero() || rec.FollowsUp != "filing-jp-appi-26-preliminary" || rec.FollowsUpRef != prelim.MessageID {
		t.Errorf("ledger record of the final report %+v: want sent, following up %s (%s)", rec, "filing-jp-appi-26-preliminary", prelim.MessageID)
	}
	msgs, err := emulators.Mailbox{URL: up.stack.SES}.Messages(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	sent := 0
	for _, m := range msgs {
		for _, to := range m.Destination.To {
			if strings.HasPrefix(to, "filings+filing-jp-appi-26-final@") {
				sent++
				if doc := m.Subject + m.Body.HTML + m.Body.Text; !strings.Contains(doc, "確報") || !strings.Contains(doc, prelim.MessageID) {
					t.Errorf("the filing sent is not the PPC final report naming the preliminary one (%s): %q", prelim.MessageID, m.Subject)
				}
			}
		}
	}
	if sent != 1 {
		t.Errorf("%d copies of the final report went to the PPC's address, want 1", sent)
	}
	if out := sweep(task.DueAt.Add(time.Hour)); out.Due != 0 {
		t.Errorf("a sweep after filing: %+v, want nothing due", out)
	}
	if got := runCLI(ctx, t, "status", caseID); !strings.Contains(got, "filed") || !strings.Contains(got, "verifies against its signed head") {
		t.Errorf("status after the stage was filed:\n%s", got)
	}
}
