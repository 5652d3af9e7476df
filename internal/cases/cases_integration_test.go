//go:build integration

package cases_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"reflect"
	"slices"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"

	"breachflow/internal/cases"
	"breachflow/internal/casetable"
	"breachflow/internal/intake"
	"breachflow/internal/local/localtest"
	"breachflow/internal/report"
)

func TestMain(m *testing.M) { os.Exit(localtest.Main(m)) }

func newStore(t *testing.T) *cases.Store {
	db := localtest.DynamoDB(t)
	return &cases.Store{DB: db, Table: localtest.NewTable(t, db)}
}

// openedCase stores the sample report and opens its case.
func openedCase(t *testing.T) (*cases.Store, string) {
	t.Helper()
	s := newStore(t)
	raw, _ := sample(t)
	return s, localtest.OpenCase(t, s, raw)
}

func sample(t *testing.T) ([]byte, *report.Report) {
	raw, err := os.ReadFile("testdata/report.json")
	if err != nil {
		t.Fatal(err)
	}
	r, err := report.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return raw, r
}

func TestPutReportOncePerReportID(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	raw, r := sample(t)

	id, created, err := s.PutReport(ctx, raw, r)
	if err != nil || !created || id != "TEST-2026-0001" {
		t.Fatalf("first put: id %q created %v err %v", id, created, err)
	}
	id2, created, err := s.PutReport(ctx, raw, r)
	if err != nil || created || id2 != id {
		t.Fatalf("same report again: id %q created %v err %v; want the same case, not created", id2, created, err)
	}
	changed := bytes.Replace(raw, []byte("Closed the bucket"), []byte("Closed the bucket and rotated keys"), 1)
	_, _, err = s.PutReport(ctx, changed, r)
	var conflict *cases.ReportConflictError
	if !errors.As(err, &conflict) {
		t.Fatalf("different report under the same id: got %v, want ReportConflictError", err)
	}
	got, _, err := s.Report(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if got.MeasuresTaken[0] != "Closed the bucket" {
		t.Errorf("stored report was overwritten: %q", got.MeasuresTaken[0])
	}
}

func TestOpenIsIdempotentUnderConcurrency(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	raw, r := sample(t)
	id, _, err := s.PutReport(ctx, raw, r)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	opened := 0
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, created, err := s.Open(ctx, id)
			if err != nil {
				t.Error(err)
				return
			}
			if created {
				mu.Lock()
				opened++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if opened != 1 {
		t.Fatalf("%d openers created the case, want exactly 1", opened)
	}
	cs, err := s.List(ctx)
	if err != nil || len(cs) != 1 || cs[0].CaseID != id {
		t.Fatalf("List = %+v, %v; want the one case", cs, err)
	}
}

func TestUpdateNeverLosesAWrite(t *testing.T) {
	ctx := context.Background()
	s, id := openedCase(t)
	const writers = 4
	var wg sync.WaitGroup
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.Update(ctx, id, func(c *cases.Case) error { c.Obligations++; return nil })
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	c, err := s.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if c.Obligations != writers {
		t.Fatalf("obligations = %d after %d concurrent increments", c.Obligations, writers)
	}
}

// TestIntakeThroughLambdaJSON runs the intake handler the way Lambda and
// the local engine do, through lambda.NewHandler's JSON path.
func TestIntakeThroughLambdaJSON(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	h := lambda.NewHandler((&intake.Handler{Cases: s}).Handle)

	_, err := h.Invoke(ctx, []byte(`{"case_id":"NOPE"}`))
	var nf *intake.CaseNotFound
	if !errors.As(err, &nf) {
		t.Fatalf("unknown case: got %v, want CaseNotFound", err)
	}
	// Lambda reports the error's type name; the state machine routes on it.
	if name := reflect.TypeOf(err).Elem().Name(); name != "CaseNotFound" {
		t.Errorf("error type name %q, want CaseNotFound (statemachine/breach.asl.json routes on it)", name)
	}

	raw, r := sample(t)
	id, _, _ := s.PutReport(ctx, raw, r)
	in := []byte(`{"case_id":"` + id + `","execution_arn":"arn:aws:states:us-east-1:123456789012:execution:BreachStateMachine:case-` + id + `"}`)
	for i := range 2 {
		out, err := h.Invoke(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if want := []byte(`"opened":` + map[int]string{0: "true", 1: "false"}[i]); !bytes.Contains(out, want) {
			t.Errorf("invocation %d: %s, want %s", i, out, want)
		}
		for _, pii := range []string{"privacy@example.com", "approver.one@example.com", "responder@example.com"} {
			if bytes.Contains(out, []byte(pii)) {
				t.Errorf("intake output carries %q: payloads must hold ids, counts and hashes only", pii)
			}
		}
	}
	c, err := s.Get(ctx, id)
	if err != nil || c.ExecutionArn == "" || c.Status != cases.StatusOpen {
		t.Fatalf("case after intake: %+v, %v", c, err)
	}
}

func TestRecordScopeKeepsCountsAndHash(t *testing.T) {
	ctx := context.Background()
	s, id := openedCase(t)
	c, err := s.RecordScope(ctx, id, map[string]int64{"KR": 1200, "US-CA": 3}, map[string]int64{"email": 1100, "sms": 100}, "abc123")
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != cases.StatusScoped || c.Subjects["KR"] != 1200 || c.Subjects["US-CA"] != 3 || c.Channels["sms"] != 100 || c.RecipientSetHash != "abc123" {
		t.Fatalf("after RecordScope: %+v", c)
	}
}

// TestNoteChangeAfterClose notes failures filed after a close on the case
// record: nothing while the case is open, each shard once however often,
// kept through a later Update (which the note's version step makes read
// again), and a close of the version clears only that version's shards.
func TestNoteChangeAfterClose(t *testing.T) {
	ctx := context.Background()
	s, id := openedCase(t)
	if noted, err := s.NoteChangeAfterClose(ctx, id, 3); err != nil || noted {
		t.Fatalf("open case: noted %v, err %v; want nothing noted", noted, err)
	}
	if _, err := s.Update(ctx, id, func(c *cases.Case) error { c.Status = cases.StatusClosed; return nil }); err != nil {
		t.Fatal(err)
	}
	before, err := s.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []struct {
		set   string
		shard int
	}{{id, 3}, {id, 3}, {casetable.SetID(id, 2), 3}, {id, 5}} {
		if noted, err := s.NoteChangeAfterClose(ctx, n.set, n.shard); err != nil || !noted {
			t.Fatalf("closed case, %s shard %d: noted %v, err %v", n.set, n.shard, noted, err)
		}
	}
	c, err := s.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(c.ChangedAfterClose)
	if want := []string{"v1/s3", "v1/s5", "v2/s3"}; !slices.Equal(c.ChangedAfterClose, want) || c.ChangedAt.IsZero() {
		t.Fatalf("changed after close %v at %v, want %v and a time", c.ChangedAfterClose, c.ChangedAt, want)
	}
	if c.ChangedSince == nil || c.ChangedSince.After(c.ChangedAt) {
		t.Errorf("changed since %v, last at %v: want the first note's time", c.ChangedSince, c.ChangedAt)
	}
	first := *c.ChangedSince
	if _, err := s.NoteChangeAfterClose(ctx, id, 9); err != nil {
		t.Fatal(err)
	}
	if c, err = s.Get(ctx, id); err != nil || c.ChangedSince == nil || !c.ChangedSince.Equal(first) {
		t.Fatalf("a later note moved changed_since from %v to %v (%v)", first, c.ChangedSince, err)
	}
	before.Version++ // that note's step
	if c.Version != before.Version+4 {
		t.Errorf("version %d after 4 notes on %d: an Update racing a note would write it away", c.Version, before.Version)
	}
	if _, err := s.Update(ctx, id, func(c *cases.Case) error { c.Obligations++; return nil }); err != nil {
		t.Fatal(err)
	}
	c, err = s.Update(ctx, id, func(c *cases.Case) error { c.ClearChanges(1); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if c, err = s.Get(ctx, id); err != nil || !slices.Equal(c.ChangedAfterClose, []string{"v2/s3"}) || c.ChangedSince == nil {
		t.Fatalf("after version 1's count: %v since %v (err %v), want only v2/s3, still dated", c.ChangedAfterClose, c.ChangedSince, err)
	}
	c, err = s.Update(ctx, id, func(c *cases.Case) error { c.ClearChanges(2); return nil })
	if err != nil || len(c.ChangedAfterClose) != 0 {
		t.Fatalf("after version 2's count: %v (err %v), want none", c.ChangedAfterClose, err)
	}
	if c, err = s.Get(ctx, id); err != nil || len(c.ChangedAfterClose) != 0 || c.ChangedSince != nil {
		t.Fatalf("stored after every count: %v since %v (err %v), want none and no date", c.ChangedAfterClose, c.ChangedSince, err)
	}
	// A failure after the next close is noted as the first was.
	if noted, err := s.NoteChangeAfterClose(ctx, id, 2); err != nil || !noted {
		t.Fatalf("a note after every count was cleared: %v, %v", noted, err)
	}
}

// TestClaimClosed: of two starters that read the same closed case, one
// records its execution and the other is told the case was taken up; a
// case that is not closed is never claimed; giving it back restores it.
func TestClaimClosed(t *testing.T) {
	ctx := context.Background()
	s, id := openedCase(t)
	const first, a, b = "arn:first", "arn:a", "arn:b"
	if _, err := s.Update(ctx, id, func(c *cases.Case) error { c.ExecutionArn = first; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := s.ClaimClosed(ctx, id, first, a); !errors.Is(err, cases.ErrTakenUp) {
		t.Errorf("claim of an open case: %v, want ErrTakenUp", err)
	}
	if _, err := s.Update(ctx, id, func(c *cases.Case) error { c.Status = cases.StatusClosed; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := s.ClaimClosed(ctx, id, first, a); err != nil {
		t.Fatal(err)
	}
	if err := s.ClaimClosed(ctx, id, first, b); !errors.Is(err, cases.ErrTakenUp) {
		t.Errorf("second claim from the same read: %v, want ErrTakenUp", err)
	}
	if c, err := s.Get(ctx, id); err != nil || c.ExecutionArn != a {
		t.Fatalf("execution %q (%v), want the first claim's", c.ExecutionArn, err)
	}
	if err := s.ClaimClosed(ctx, id, a, first); err != nil {
		t.Fatal(err)
	}
	if c, err := s.Get(ctx, id); err != nil || c.ExecutionArn != first {
		t.Errorf("given back: execution %q (%v), want the one that closed it", c.ExecutionArn, err)
	}
}
