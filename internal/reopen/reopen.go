// Package reopen starts a new execution of the breach state machine for a
// case that has closed: for a new version of its report (`breachflow
// amend`), and for a late round, which sends what failures filed after the
// close leave owed (an e-mail that bounced, a text reported undelivered,
// once no round of the closed execution was left to act on them).
//
// A late round starts two ways: `breachflow resume CASE`, and on its own
// from the scheduled function that sweeps staged duties (StageDueFunction,
// every 15 minutes; a one-minute ticker in the local stack), once the first
// failure still noted on the case is Gather old. The execution reopens the
// case at the version it closed (intake's late round) and goes straight to
// the send rounds with the approved drafts, which the send stage verifies
// against the sealed approval records itself; the rounds skip whoever has
// a record on their channel, so only the people the failures moved to the
// next channel of their approved plan get anything. Starting it needs no
// person because it sends nothing the approvers did not approve: the same
// notices, on the channels each person's approved plan gives them, as the
// closed execution's own late rounds do before the close.
package reopen

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"breachflow/internal/cases"
)

// Gather is how long the sweep lets failures gather after the first one
// noted on a closed case before it starts a late round: receipts and
// bounces come in bursts (a carrier's batch, a mail server's retries), and
// one round sends to all of them. A person need not wait for it:
// `breachflow resume` starts the round at once.
const Gather = 15 * time.Minute

// Cases is the part of the case store a starter uses (cases.Store).
type Cases interface {
	List(ctx context.Context) ([]cases.Case, error)
	ClaimClosed(ctx context.Context, caseID, old, arn string) error
}

// Executions is the part of the Step Functions client a starter uses.
type Executions interface {
	StartExecution(ctx context.Context, in *sfn.StartExecutionInput, opts ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error)
}

// Starter starts executions of the breach state machine for closed cases.
type Starter struct {
	Cases           Cases
	SFN             Executions
	StateMachineArn string
	Log             *slog.Logger
}

// Start starts an execution named name, with input, for the closed case c
// as read. It first records the execution's ARN on the case
// (cases.Store.ClaimClosed), so intake lets that execution and no other run
// the case; cases.ErrTakenUp says another starter got there first. If the
// start then fails, the case is given back to the execution that closed
// it. An execution of that name already started (a retry) is no error.
func (s *Starter) Start(ctx context.Context, c cases.Case, name string, input any) (string, error) {
	body, err := json.Marshal(input)
	if err != nil {
		return "", err
	}
	arn := strings.Replace(s.StateMachineArn, ":stateMachine:", ":execution:", 1) + ":" + name
	if err := s.Cases.ClaimClosed(ctx, c.CaseID, c.ExecutionArn, arn); err != nil {
		return "", err
	}
	started, err := s.SFN.StartExecution(ctx, &sfn.StartExecutionInput{
		StateMachineArn: aws.String(s.StateMachineArn), Name: aws.String(name), Input: aws.String(string(body)),
	})
	if _, exists := errors.AsType[*sfntypes.ExecutionAlreadyExists](err); err != nil && !exists {
		if gerr := s.Cases.ClaimClosed(context.WithoutCancel(ctx), c.CaseID, arn, c.ExecutionArn); gerr != nil {
			err = errors.Join(err, fmt.Errorf("give the case back: %w", gerr))
		}
		return "", fmt.Errorf("start execution %s: %w", name, err)
	}
	if started != nil {
		arn = aws.ToString(started.ExecutionArn)
	}
	return arn, nil
}

// LateRoundInput is the input of a late round's execution (the state
// machine's WhichPass routes on late_round).
type LateRoundInput struct {
	CaseID    string `json:"case_id"`
	LateRound bool   `json:"late_round"`
}

// Owed reports whether c is closed with failures noted since the close in
// the version it closed: what a late round sends to.
func Owed(c cases.Case) bool {
	return c.Status == cases.StatusClosed && c.ChangedSince != nil && c.ChangedShards(c.Working()) > 0
}

// LateRound starts a late round for c (Owed). Its name comes from the
// first failure noted (cases.LateRoundName), so a resume and a sweep, or
// two sweeps before the round has reopened the case, start one execution:
// the second claim names the same one, and its start finds it exists.
func (s *Starter) LateRound(ctx context.Context, c cases.Case) (string, error) {
	if !Owed(c) {
		return "", fmt.Errorf("case %s (%s): no failure noted since the close of version %d; no late round is owed", c.CaseID, c.Status, c.Working())
	}
	return s.Start(ctx, c, cases.LateRoundName(c), LateRoundInput{CaseID: c.CaseID, LateRound: true})
}

// Sweep starts a late round for every case Owed one whose first noted
// failure is at least Gather old at now, and returns how many it started.
// A case another starter took up is skipped; any other error stops the
// sweep (the next one tries again).
func (s *Starter) Sweep(ctx context.Context, now time.Time) (int, error) {
	all, err := s.Cases.List(ctx)
	if err != nil {
		return 0, fmt.Errorf("late rounds: %w", err)
	}
	n := 0
	for _, c := range all {
		if !Owed(c) || now.Sub(*c.ChangedSince) < Gather {
			continue
		}
		arn, err := s.LateRound(ctx, c)
		if errors.Is(err, cases.ErrTakenUp) {
			continue
		}
		if err != nil {
			return n, fmt.Errorf("late round for %s: %w", c.CaseID, err)
		}
		n++
		if s.Log != nil {
			s.Log.InfoContext(ctx, "late round started", "case_id", c.CaseID, "version", c.Working(), "changed_shards", c.ChangedShards(c.Working()), "execution_arn", arn)
		}
	}
	return n, nil
}
