//go:build integration

package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"

	"breachflow/internal/stage"
)

// TestPhasedFollowUpMetByAmendment follows Korea's supplementary report
// (PIPA Decree Art. 40(2)) through an amendment. Version 1 reports what is
// known while the number of people is still open (pending_facts): PIPC/KISA
// gets the first report and the supplementary report is a task with no
// date. The amendment confirms the facts: its run files the follow-up that
// names the first report, the task takes the confirmation as its due time,
// and the stage run records it as met by that follow-up instead of filing
// a second one.
func TestPhasedFollowUpMetByAmendment(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	full := liveDemoReport(t)
	v1 := editReport(t, full, func(doc map[string]any) {
		doc["cause"].(map[string]any)["external"] = true
		doc["pending_facts"] = []any{"counts"}
	})
	lc := startLocalCaseFrom(ctx, t, localOptions{template: "../../template.yaml"}, 300, 5, v1)
	env, caseID := lc.env, lc.caseID
	tasks := stage.Store{DB: env.dynamo(), Table: env.CaseTable}
	supplement := func() stage.Task {
		t.Helper()
		task, err := tasks.Get(ctx, caseID, "kr-pipa-34-regulator-supplement")
		if err != nil {
			t.Fatal(err)
		}
		return task
	}
	if err := demoApprove(ctx, &bytes.Buffer{}, env, caseID, lc.report.Approvers); err != nil {
		t.Fatal(err)
	}
	lc.succeeded(t, "version 1")
	if task := supplement(); task.Status != stage.StatusWaiting || !task.DueAt.IsZero() || !strings.Contains(task.Note, "facts_confirmed") {
		t.Fatalf("after version 1: %+v, want the supplementary report waiting for the facts", task)
	}
	if got := runCLI(ctx, t, "status", caseID); !strings.Contains(got, "kr-pipa-34-regulator-supplement") || !strings.Contains(got, "waiting") {
		t.Errorf("status does not show the waiting supplementary report:\n%s", got)
	}
	_, v1Filings := mailsTo(ctx, t, lc)

	raw, err := env.cases().RawReport(ctx, caseID)
	if err != nil {
		t.Fatal(err)
	}
	confirmed := time.Now().Add(-30 * time.Minute).UTC().Truncate(time.Second)
	v2 := editReport(t, raw, func(doc map[string]any) {
		delete(doc, "pending_facts")
		doc["timeline"].(map[string]any)["facts_confirmed"] = confirmed.Format(time.RFC3339)
	})
	runCLI(ctx, t, "amend", caseID, writeReport(t, v2))
	c, err := env.cases().Get(ctx, caseID)
	if err != nil {
		t.Fatal(err)
	}
	lc.arn = aws.String(c.ExecutionArn)
	approveNewRound(ctx, t, env, caseID, lc.report.Approvers)
	lc.succeeded(t, "version 2")
	if task := supplement(); !task.DueAt.Equal(confirmed) {
		t.Fatalf("after the amendment: %+v, want it due when the facts were confirmed (%s)", task, confirmed)
	}

	// The sweeps run the case's stage runs one at a time until every
	// staged duty is settled.
	waitFor(ctx, t, "every staged duty to be settled", func() bool {
		if _, err := lc.up.stageDue(ctx, events.EventBridgeEvent{Time: time.Now()}); err != nil {
			t.Fatal(err)
		}
		all, err := tasks.List(ctx, caseID)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range all {
			if x.Status.Open() {
				return false
			}
		}
		return true
	})
	task := supplement()
	if task.Status != stage.StatusFiled || !strings.Contains(task.Note, "filing-kr-pipa-34-regulator-v2") {
		t.Fatalf("supplementary report %+v: want it met by the amendment's follow-up", task)
	}
	_, filings := mailsTo(ctx, t, lc)
	pipc := 0
	for _, f := range filings[len(v1Filings):] {
		if strings.Contains(f, "kr-pipa-34-regulator") {
			pipc++
		}
	}
	if pipc != 1 {
		t.Errorf("%d filings to PIPC/KISA after the amendment, want its one follow-up: %v", pipc, filings[len(v1Filings):])
	}
	verifyAudit(ctx, t, env, caseID)
}
