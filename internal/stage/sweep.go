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
	"strings"
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
	// Recovered is how many started tasks were given back to be run again:
	// their run ended without giving them back (it failed on an error no
	// Catch names), or never began (the sweep stopped between claiming the
	// task and starting its run).
	Recovered int `json:"recovered"`
	// LateRounds is how many late rounds the same scheduled function
	// started for closed cases owed one (package reopen).
	LateRounds int `json:"late_rounds"`
}

// StartGrace is how long a claimed task may have no run before the sweeper
// takes it for one whose start was lost: a sweep claims and starts within
// seconds, so a task claimed this long ago with no execution never got one.
const StartGrace = 5 * time.Minute

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
	recovered, err := s.recover(ctx, now)
	if err != nil {
		return SweepOutput{}, err
	}
	due, err := s.Tasks.Due(ctx, now.Add(s.Lead))
	if err != nil {
		return SweepOutput{}, err
	}
	out := SweepOutput{Due: len(due), Recovered: recovered}
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
		s.Log.InfoContext(ctx, "stage sweep", "due", out.Due, "started", out.Started, "deferred", out.Deferred, "recovered", out.Recovered)
	}
	return out, nil
}

// recover gives back to the schedule every started task whose run is not
// running: one that ended without the ReleaseStage or FileStage state
// moving its task on (an error no Catch names, a Lambda that kept
// crashing, an operator's StopExecution), and one whose run was never
// started because the sweep stopped after the claim (no execution after
// StartGrace). Left alone, such a task would stay started for good, and
// every other staged duty of its case would wait behind it. The task is
// scheduled again with a note saying what happened, so the same sweep's
// due query, or the next, starts a new attempt. The write is conditional
// on the task being unchanged, so a run that moves it meanwhile wins.
func (s *Sweeper) recover(ctx context.Context, now time.Time) (int, error) {
	started, err := s.Tasks.Started(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, t := range started {
		arn := strings.Replace(s.StateMachineArn, ":stateMachine:", ":execution:", 1) + ":" + t.Run
		ex, err := s.SFN.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
		var missing *sfntypes.ExecutionDoesNotExist
		var note string
		switch {
		case errors.As(err, &missing):
			if now.Sub(t.UpdatedAt) < StartGrace {
				continue // a sweep may be starting it right now
			}
			note = "the stage run " + t.Run + " was never started (the sweep stopped after claiming the task); retried"
		case err != nil:
			return n, fmt.Errorf("stage sweep: run %s: %w", t.Run, err)
		case ex.Status == sfntypes.ExecutionStatusRunning:
			continue
		default:
			note = "the stage run " + t.Run + " ended " + string(ex.Status) + " without giving the task back"
			if e := aws.ToString(ex.Error); e != "" {
				note += " (" + e + ")"
			}
			note += "; retried"
		}
		_, err = s.Tasks.Update(ctx, t.CaseID, t.ObligationID, func(x *Task) error {
			if x.Status != StatusStarted || x.Run != t.Run {
				return ErrConflict
			}
			x.Status, x.Note, x.UpdatedAt = StatusScheduled, note, now
			return nil
		})
		if errors.Is(err, ErrConflict) {
			continue // the run, or another sweep, moved it first
		}
		if err != nil {
			return n, err
		}
		n++
		if s.Audit != nil {
			if _, err := s.Audit.Append(ctx, t.CaseID, auditRecord("stage.recovered", map[string]string{
				"obligation_id": t.ObligationID, "run": t.Run, "note": note,
			})); err != nil {
				return n, fmt.Errorf("stage sweep %s: %w", t.CaseID, err)
			}
		}
	}
	return n, nil
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
