//go:build integration

package stage_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"breachflow/internal/cases"
	"breachflow/internal/local/localtest"
	"breachflow/internal/rules"
	"breachflow/internal/stage"
)

func TestMain(m *testing.M) { os.Exit(localtest.Main(m)) }

func newStore(t *testing.T) stage.Store {
	db := localtest.DynamoDB(t)
	return stage.Store{DB: db, Table: localtest.NewTable(t, db)}
}

// TestSyncFollowsTheAssessments records a staged duty, moves it with an
// amendment's assessment, keeps it off the due index until it is
// scheduled, lets one sweeper claim it, and cancels it when an amendment
// makes it no longer required, on dynalite.
func TestSyncFollowsTheAssessments(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	now := time.Date(2026, 10, 5, 9, 0, 0, 0, time.UTC)

	// No date yet: waiting, and not on the due index.
	ts, err := s.Sync(ctx, "c1", staged(time.Time{}), now)
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 1 || ts[0].Status != stage.StatusWaiting || ts[0].Citation != "APPI Art. 26(1); Rule 8(2)" || ts[0].StageOf != "jp-appi-26-preliminary" {
		t.Fatalf("tasks %+v, want one waiting task with its citation", ts)
	}
	if due, err := s.Due(ctx, now.AddDate(1, 0, 0)); err != nil || len(due) != 0 {
		t.Fatalf("due while waiting: %v %v", due, err)
	}

	// The amendment's assessment dates it: scheduled, due, one claim wins.
	due := now.Add(60 * 24 * time.Hour)
	if ts, err = s.Sync(ctx, "c1", staged(due), now); err != nil || ts[0].Status != stage.StatusScheduled || !ts[0].DueAt.Equal(due) {
		t.Fatalf("after dating: %+v %v", ts, err)
	}
	if _, err := s.Sync(ctx, "c2", staged(due.Add(time.Hour)), now); err != nil {
		t.Fatal(err)
	}
	early, err := s.Due(ctx, due.Add(-time.Minute))
	if err != nil || len(early) != 0 {
		t.Fatalf("due a minute early: %v %v", early, err)
	}
	got, err := s.Due(ctx, due)
	if err != nil || len(got) != 1 || got[0].CaseID != "c1" {
		t.Fatalf("due at the due time: %+v %v, want c1's task only", got, err)
	}
	if _, err := s.Start(ctx, got[0], "stage-c1-jp-appi-26-final-1", now); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Start(ctx, got[0], "stage-c1-jp-appi-26-final-1", now); !errors.Is(err, stage.ErrConflict) {
		t.Fatalf("a second claim: %v, want ErrConflict", err)
	}
	if got, err = s.Due(ctx, due); err != nil || len(got) != 0 {
		t.Fatalf("a started task is still on the due index: %+v %v", got, err)
	}
	// An assessment while the run is under way leaves the task alone.
	if ts, err = s.Sync(ctx, "c1", staged(due.Add(24*time.Hour)), now); err != nil || ts[0].Status != stage.StatusStarted || !ts[0].DueAt.Equal(due) {
		t.Fatalf("sync during a run: %+v %v", ts, err)
	}

	// c2's duty is no longer required after its amendment: cancelled.
	if ts, err = s.Sync(ctx, "c2", rules.Assessment{}, now); err != nil || len(ts) != 1 || ts[0].Status != stage.StatusCancelled {
		t.Fatalf("after the amendment: %+v %v, want the task cancelled", ts, err)
	}
	if got, err = s.Due(ctx, due.AddDate(1, 0, 0)); err != nil || len(got) != 0 {
		t.Fatalf("a cancelled task is on the due index: %+v %v", got, err)
	}
}

// runs is the Step Functions side of a sweep: each run's status by name,
// and the runs started. (The case table is dynalite; the whole path
// through the local engine is cmd/breachflow's TestStagedDutyIsDraftedAndFiledWhenDue.)
type runs struct {
	status  map[string]sfntypes.ExecutionStatus
	started []string
}

func (r *runs) StartExecution(_ context.Context, in *sfn.StartExecutionInput, _ ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error) {
	r.started = append(r.started, aws.ToString(in.Name))
	r.status[aws.ToString(in.Name)] = sfntypes.ExecutionStatusRunning
	return &sfn.StartExecutionOutput{ExecutionArn: in.Name}, nil
}

func (r *runs) DescribeExecution(_ context.Context, in *sfn.DescribeExecutionInput, _ ...func(*sfn.Options)) (*sfn.DescribeExecutionOutput, error) {
	arn := aws.ToString(in.ExecutionArn)
	name := arn[strings.LastIndex(arn, ":")+1:]
	st, ok := r.status[name]
	if !ok {
		return nil, &sfntypes.ExecutionDoesNotExist{Message: aws.String("no such execution")}
	}
	return &sfn.DescribeExecutionOutput{Status: st, Error: aws.String("Lambda.Unknown")}, nil
}

type idleCases struct{}

func (idleCases) Get(_ context.Context, caseID string) (cases.Case, error) {
	return cases.Case{CaseID: caseID}, nil
}

// TestSweepRecoversARunThatEndedWithoutItsTask: a stage run that failed on
// an error its Catch does not name leaves its task started; the sweep
// gives it back and starts the next attempt, while a running one is left
// alone.
func TestSweepRecoversARunThatEndedWithoutItsTask(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	now := time.Date(2026, 10, 5, 9, 0, 0, 0, time.UTC)
	due := now.Add(time.Hour)
	for _, c := range []string{"failed", "running"} {
		if _, err := s.Sync(ctx, c, staged(due), now); err != nil {
			t.Fatal(err)
		}
	}
	r := &runs{status: map[string]sfntypes.ExecutionStatus{}}
	sw := &stage.Sweeper{Tasks: s, Cases: idleCases{}, SFN: r, StateMachineArn: "arn:aws:states:us-east-1:123456789012:stateMachine:stage", Lead: 48 * time.Hour}
	if out, err := sw.Sweep(ctx, now); err != nil || out.Started != 2 {
		t.Fatalf("first sweep: %+v %v, want both started", out, err)
	}
	r.status[stage.RunName("failed", "jp-appi-26-final", 1)] = sfntypes.ExecutionStatusFailed
	out, err := sw.Sweep(ctx, now.Add(time.Minute))
	if err != nil || out.Recovered != 1 || out.Started != 1 {
		t.Fatalf("sweep after one run failed: %+v %v, want it recovered and started again", out, err)
	}
	if last := r.started[len(r.started)-1]; last != stage.RunName("failed", "jp-appi-26-final", 2) {
		t.Errorf("started %q, want the second attempt", last)
	}
	for c, attempts := range map[string]int{"failed": 2, "running": 1} {
		task, err := s.Get(ctx, c, "jp-appi-26-final")
		if err != nil || task.Status != stage.StatusStarted || task.Attempts != attempts {
			t.Errorf("%s: %+v %v, want started on attempt %d", c, task, err, attempts)
		}
	}
}
