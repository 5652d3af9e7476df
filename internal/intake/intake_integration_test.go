//go:build integration

package intake_test

import (
	"context"
	"errors"
	"os"
	"reflect"
	"testing"

	"breachflow/internal/cases"
	"breachflow/internal/intake"
	"breachflow/internal/local/localtest"
	"breachflow/internal/report"
)

func TestMain(m *testing.M) { os.Exit(localtest.Main(m)) }

// TestLateRound reopens a closed case for the execution resume recorded on
// it, once failures were filed after the close, and refuses every other
// case of it: another execution, a case not closed, nothing owed.
func TestLateRound(t *testing.T) {
	ctx := context.Background()
	db := localtest.DynamoDB(t)
	table := localtest.NewTable(t, db)
	store := &cases.Store{DB: db, Table: table}
	log := localtest.Audit(t, table)
	h := &intake.Handler{Cases: store, Audit: log}
	raw := localtest.SampleReport(t, "kakaopay-alipay.json")
	r, err := report.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	const first, late = "arn:aws:states:us-east-1:123456789012:execution:Breach:first", "arn:aws:states:us-east-1:123456789012:execution:Breach:late"
	caseID, _, err := store.PutReport(ctx, raw, r)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Handle(ctx, intake.Input{CaseID: caseID, ExecutionArn: first}); err != nil {
		t.Fatal(err)
	}
	set := func(status cases.Status, arn string) {
		t.Helper()
		if _, err := store.Update(ctx, caseID, func(c *cases.Case) error {
			c.Status, c.ExecutionArn, c.ContentHash = status, arn, "approved-hash"
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	in := intake.Input{CaseID: caseID, ExecutionArn: late, Action: intake.ActionLateRound}

	set(cases.StatusClosed, late)
	if _, err := h.Handle(ctx, in); !errors.As(err, new(*intake.NothingOwed)) {
		t.Errorf("closed with nothing filed since: %v, want NothingOwed", err)
	}
	if _, err := store.NoteChangeAfterClose(ctx, caseID, 5); err != nil {
		t.Fatal(err)
	}
	set(cases.StatusClosed, first)
	if _, err := h.Handle(ctx, in); !errors.As(err, new(*intake.CaseClosed)) {
		t.Errorf("a late round the case did not record: %v, want CaseClosed", err)
	}
	set(cases.StatusSending, first)
	if _, err := h.Handle(ctx, in); !errors.As(err, new(*intake.CaseInProgress)) {
		t.Errorf("a late round of a case another execution is sending: %v, want CaseInProgress", err)
	}

	set(cases.StatusClosed, late)
	out, err := h.Handle(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if out.Version != 1 || out.Shards == 0 || out.ContentHash != "approved-hash" || out.Status != cases.StatusSending {
		t.Errorf("late round output %+v: want version 1, the case's shards, its approved hash, sending", out)
	}
	c, err := store.Get(ctx, caseID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != cases.StatusSending || c.ChangedShards(1) != 1 {
		t.Errorf("case after the reopening: %s with %v noted; want sending, the note kept for the close to clear", c.Status, c.ChangedAfterClose)
	}
	chain, err := log.Verify(ctx, caseID)
	if err != nil {
		t.Fatal(err)
	}
	if e := chain.Entries[len(chain.Entries)-1]; e.Action != intake.ActionReopened || e.Detail["changed_shards"] != "1" || e.Detail["execution_arn"] != late {
		t.Errorf("last audit entry %s %v, want case.reopened with 1 changed shard and the execution", e.Action, e.Detail)
	}
	// A retry of the task (the write landed, the answer was lost) gets the
	// same answer and adds nothing to the log.
	retried, err := h.Handle(ctx, in)
	if err != nil || !reflect.DeepEqual(retried, out) {
		t.Errorf("the same late round again: %+v, %v; want %+v", retried, err, out)
	}
	if again, err := log.Verify(ctx, caseID); err != nil || len(again.Entries) != len(chain.Entries) {
		t.Errorf("a retried reopening logged again: %d entries, then %d (%v)", len(chain.Entries), len(again.Entries), err)
	}
}
