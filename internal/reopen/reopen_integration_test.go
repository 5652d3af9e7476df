//go:build integration

package reopen_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"breachflow/internal/cases"
	"breachflow/internal/local/localtest"
	"breachflow/internal/reopen"
)

func TestMain(m *testing.M) { os.Exit(localtest.Main(m)) }

const machine = "arn:aws:states:us-east-1:123456789012:stateMachine:BreachStateMachine-x"

// starts records the executions a starter starts (the narrow interface the
// package consumes), and fails them while fail is set.
type starts struct {
	mu    sync.Mutex
	names []string
	input []string
	fail  error
}

func (s *starts) StartExecution(_ context.Context, in *sfn.StartExecutionInput, _ ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return nil, s.fail
	}
	if slices.Contains(s.names, aws.ToString(in.Name)) {
		// As the service answers a name it has started (with another
		// input, or once that execution has ended).
		return nil, &sfntypes.ExecutionAlreadyExists{Message: aws.String("Execution Already Exists")}
	}
	s.names = append(s.names, aws.ToString(in.Name))
	s.input = append(s.input, aws.ToString(in.Input))
	return &sfn.StartExecutionOutput{ExecutionArn: aws.String("arn:aws:states:us-east-1:123456789012:execution:BreachStateMachine-x:" + aws.ToString(in.Name))}, nil
}

// newCase stores the Kakao Pay sample report under reportID and opens its
// case, closed under the execution "first".
func newCase(t *testing.T, store *cases.Store, reportID string) cases.Case {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(localtest.SampleReport(t, "kakaopay-alipay.json"), &doc); err != nil {
		t.Fatal(err)
	}
	doc["report_id"] = reportID
	raw, _ := json.Marshal(doc)
	id := localtest.OpenCase(t, store, raw)
	c, err := store.Update(context.Background(), id, func(c *cases.Case) error {
		c.Status, c.ExecutionArn = cases.StatusClosed, "arn:first-"+id
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestSweepStartsLateRoundsOnce: the sweep starts a late round for each
// closed case with failures noted since its close once the first is
// Gather old, one execution per case however often it sweeps, nothing for
// a case still gathering, an open case or one with nothing noted; and a
// start that fails gives the case back, for the next sweep.
func TestSweepStartsLateRoundsOnce(t *testing.T) {
	ctx := context.Background()
	db := localtest.DynamoDB(t)
	table := localtest.NewTable(t, db)
	noted := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	store := &cases.Store{DB: db, Table: table, Now: func() time.Time { return noted }}
	sfnc := &starts{}
	s := &reopen.Starter{Cases: store, SFN: sfnc, StateMachineArn: machine}

	owed := newCase(t, store, "OWED-1")
	quiet := newCase(t, store, "QUIET-1")
	open := newCase(t, store, "OPEN-1")
	if _, err := store.NoteChangeAfterClose(ctx, owed.CaseID, 3); err != nil {
		t.Fatal(err)
	}
	if _, err := store.NoteChangeAfterClose(ctx, open.CaseID, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Update(ctx, open.CaseID, func(c *cases.Case) error { c.Status = cases.StatusSending; return nil }); err != nil {
		t.Fatal(err)
	}

	read, err := store.Get(ctx, owed.CaseID) // as a resume reads it, before the sweep
	if err != nil {
		t.Fatal(err)
	}
	if n, err := s.Sweep(ctx, noted.Add(reopen.Gather-time.Second)); err != nil || n != 0 {
		t.Fatalf("sweep while gathering: %d started, %v; want none", n, err)
	}
	sfnc.fail = errors.New("throttled")
	if n, err := s.Sweep(ctx, noted.Add(reopen.Gather)); err == nil || n != 0 {
		t.Fatalf("sweep whose start fails: %d started, %v; want an error and none", n, err)
	}
	if c, err := store.Get(ctx, owed.CaseID); err != nil || c.ExecutionArn != owed.ExecutionArn {
		t.Fatalf("after a failed start the case names %q (%v), want %q back", c.ExecutionArn, err, owed.ExecutionArn)
	}
	sfnc.fail = nil
	for range 2 {
		if _, err := s.Sweep(ctx, noted.Add(reopen.Gather)); err != nil {
			t.Fatal(err)
		}
	}
	if len(sfnc.names) != 1 {
		t.Fatalf("started %v, want one late round", sfnc.names)
	}
	c, err := store.Get(ctx, owed.CaseID)
	if err != nil {
		t.Fatal(err)
	}
	var in reopen.LateRoundInput
	if err := json.Unmarshal([]byte(sfnc.input[0]), &in); err != nil || in != (reopen.LateRoundInput{CaseID: owed.CaseID, LateRound: true}) {
		t.Errorf("input %s (%v), want the case and late_round", sfnc.input[0], err)
	}
	if want := "arn:aws:states:us-east-1:123456789012:execution:BreachStateMachine-x:" + sfnc.names[0]; c.ExecutionArn != want {
		t.Errorf("case names execution %q, want %q: intake lets only that one run it", c.ExecutionArn, want)
	}
	for _, other := range []cases.Case{quiet, open} {
		if got, _ := store.Get(ctx, other.CaseID); got.ExecutionArn != other.ExecutionArn {
			t.Errorf("case %s was taken up (%s) with nothing owed", other.CaseID, got.ExecutionArn)
		}
	}
	// A resume that read the case before the sweep took it up: the same
	// round, no second one.
	if _, err := s.LateRound(ctx, read); !errors.Is(err, cases.ErrTakenUp) {
		t.Errorf("a second start from the read before the sweep's: %v, want ErrTakenUp", err)
	}
	if arn, err := s.LateRound(ctx, c); err != nil || arn != c.ExecutionArn {
		t.Errorf("a start from the read after it: %s, %v; want the sweep's execution", arn, err)
	}
	if _, err := s.LateRound(ctx, quiet); err == nil || errors.Is(err, cases.ErrTakenUp) {
		t.Errorf("a late round for a case with nothing noted: %v, want a refusal", err)
	}
	if !slices.Equal(sfnc.names, []string{cases.LateRoundName(read)}) {
		t.Errorf("started %v, want %s", sfnc.names, cases.LateRoundName(read))
	}
}
