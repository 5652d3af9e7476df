package stage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"breachflow/internal/cases"
)

// Executions is the part of the Step Functions client the sweeper uses.
type Executions interface {
	StartExecution(ctx context.Context, in *sfn.StartExecutionInput, opts ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error)
	DescribeExecution(ctx context.Context, in *sfn.DescribeExecutionInput, opts ...func(*sfn.Options)) (*sfn.DescribeExecutionOutput, error)
}

// CaseReader reads a case record (cases.Store).
type CaseReader interface {
	Get(ctx context.Context, caseID string) (cases.Case, error)
}

// Sweeper starts a stage run for every staged duty that comes due: the
// scheduled function (functions/stage-due) in AWS, a ticker in the local
// stack. It is safe to run on any schedule and from several places at
// once: a task moves to started with one conditional write before its run
// starts, and run names are fixed per attempt.
type Sweeper struct {
	Tasks Store
	Cases CaseReader
	SFN   Executions
	// StateMachineArn is the stage state machine (statemachine/stage.asl.json).
	StateMachineArn string
	// Lead is how long before its due time a task's run starts, so that
	// drafting and approval fit before the deadline.
	Lead  time.Duration
	Audit Auditor
	Log   *slog.Logger
}

// SweepOutput counts one sweep.
type SweepOutput struct {
	// Due is how many scheduled tasks were within the lead time.
	Due int `json:"due"`
	// Started is how many stage runs were started.
	Started int `json:"started"`
	// Deferred is how many waited for the case's own run, or for another
	// stage run of the same case, to finish.
	Deferred int `json:"deferred"`
}

// RunInput is the stage state machine's input: ids and the sweep time.
type RunInput struct {
	CaseID       string    `json:"case_id"`
	ObligationID string    `json:"obligation_id"`
	Now          time.Time `json:"now"`
}

// Sweep starts the runs of the tasks due by now + Lead. A task waits while
// its case's own execution runs (an amendment or the first run: its
// approval round would otherwise supersede the stage's, or the other way
// round) and while another stage run of the case is under way; it is
// counted as deferred and started at a later sweep.
func (s *Sweeper) Sweep(ctx context.Context, now time.Time) (SweepOutput, error) {
	due, err := s.Tasks.Due(ctx, now.Add(s.Lead))
	if err != nil {
		return SweepOutput{}, err
	}
	out := SweepOutput{Due: len(due)}
	busy := map[string]bool{}
	for _, t := range due {
		if busy[t.CaseID] {
			out.Deferred++
			continue
		}
		ok, err := s.idle(ctx, t.CaseID)
		if err != nil {
			return out, err
		}
		if !ok {
			busy[t.CaseID] = true
			out.Deferred++
			continue
		}
		started, err := s.start(ctx, t, now)
		if err != nil {
			return out, err
		}
		if started {
			busy[t.CaseID] = true
			out.Started++
		}
	}
	if s.Log != nil {
		s.Log.InfoContext(ctx, "stage sweep", "due", out.Due, "started", out.Started, "deferred", out.Deferred)
	}
	return out, nil
}

// idle reports whether nothing else runs for the case: neither its own
// execution nor a stage run.
func (s *Sweeper) idle(ctx context.Context, caseID string) (bool, error) {
	tasks, err := s.Tasks.List(ctx, caseID)
	if err != nil {
		return false, err
	}
	for _, t := range tasks {
		if t.Status == StatusStarted {
			return false, nil
		}
	}
	c, err := s.Cases.Get(ctx, caseID)
	if err != nil {
		return false, fmt.Errorf("stage sweep %s: %w", caseID, err)
	}
	if c.ExecutionArn == "" {
		return true, nil
	}
	ex, err := s.SFN.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(c.ExecutionArn)})
	var missing *sfntypes.ExecutionDoesNotExist
	switch {
	case errors.As(err, &missing):
		return true, nil
	case err != nil:
		return false, fmt.Errorf("stage sweep %s: %w", caseID, err)
	}
	return ex.Status != sfntypes.ExecutionStatusRunning, nil
}

// start claims t and starts its run; false when another sweeper claimed it.
func (s *Sweeper) start(ctx context.Context, t Task, now time.Time) (bool, error) {
	run := RunName(t.CaseID, t.ObligationID, t.Attempts+1)
	claimed, err := s.Tasks.Start(ctx, t, run, now)
	if errors.Is(err, ErrConflict) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	input, err := json.Marshal(RunInput{CaseID: t.CaseID, ObligationID: t.ObligationID, Now: now.UTC()})
	if err != nil {
		return false, err
	}
	_, err = s.SFN.StartExecution(ctx, &sfn.StartExecutionInput{
		StateMachineArn: aws.String(s.StateMachineArn), Name: aws.String(run), Input: aws.String(string(input)),
	})
	var exists *sfntypes.ExecutionAlreadyExists
	if err != nil && !errors.As(err, &exists) {
		// Give the task back; the next sweep tries again.
		_, rerr := s.Tasks.Update(context.WithoutCancel(ctx), claimed.CaseID, claimed.ObligationID, func(x *Task) error {
			x.Status, x.Note = StatusScheduled, "the stage run could not be started; retried at the next sweep"
			return nil
		})
		return false, errors.Join(fmt.Errorf("start stage run %s: %w", run, err), rerr)
	}
	if s.Audit != nil {
		due := t.DueAt.UTC().Format(time.RFC3339)
		if _, err := s.Audit.Append(ctx, t.CaseID, auditRecord("stage.started", map[string]string{
			"obligation_id": t.ObligationID, "run": run, "due_at": due, "citation": t.Citation,
		})); err != nil {
			return true, fmt.Errorf("stage sweep %s: %w", t.CaseID, err)
		}
	}
	return true, nil
}

// RunName is the execution name of a task's attempt-th run: readable when
// it fits Step Functions' 80 characters, else a hash of the two ids.
func RunName(caseID, obligationID string, attempt int) string {
	suffix := "-" + strconv.Itoa(attempt)
	name := "stage-" + caseID + "-" + obligationID
	if len(name)+len(suffix) > 80 {
		sum := sha256.Sum256([]byte(caseID + "\x00" + obligationID))
		name = "stage-" + hex.EncodeToString(sum[:16])
	}
	return name + suffix
}
