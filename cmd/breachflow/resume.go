package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/spf13/cobra"

	"breachflow/internal/cases"
	"breachflow/internal/reopen"
)

func newResumeCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "resume CASE",
		Short: "Continue a case's failed run where it stopped, once the cause is fixed (RedriveExecution)",
		Long: `resume redrives the case's execution, as the AWS runbook for a failed
execution does: the same execution, the same input, and only what failed or
never ran runs again. Faults that a fix outside the run cures (SES sending
paused, the daily quota, the send configuration, SES failing shards) fail
the run at the task that met them, so resume reruns that task; filings
already sent and people already notified are skipped through the ledger.
Decisions (a rejection, a report refused, drafts that are not the approved
ones) are not faults: resuming them ends the same way.

A closed case whose ledger filed failures after the close (an e-mail that
bounced, a text reported undelivered, once no round was left; status says
so) has nothing to redrive: resume starts a new execution that reopens it
and sends what those failures leave owed, on the next channel of each
person's approved plan, and closes it again.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			env, err := loadCLIEnv(ctx)
			if err != nil {
				return err
			}
			caseID := args[0]
			c, err := env.cases().Get(ctx, caseID)
			if nf, ok := errors.AsType[*cases.NotFoundError](err); ok {
				return fmt.Errorf("no case %s: %w", caseID, nf)
			}
			if err != nil {
				return err
			}
			if c.ExecutionArn == "" {
				return fmt.Errorf("case %s has no execution to resume (start it with `breachflow start`)", caseID)
			}
			arn := aws.String(c.ExecutionArn)
			d, err := env.sfn().DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: arn})
			if err != nil {
				return fmt.Errorf("describe execution: %w", err)
			}
			out := cmd.OutOrStdout()
			switch d.Status {
			case sfntypes.ExecutionStatusRunning:
				fmt.Fprintf(out, "case %s: its execution is running; nothing to resume\n", caseID)
				return nil
			case sfntypes.ExecutionStatusSucceeded:
				if reopen.Owed(c) {
					return startLateRound(ctx, out, env, c)
				}
				fmt.Fprintf(out, "case %s: its execution succeeded; nothing to resume (amend the case to change it)\n", caseID)
				return nil
			}
			fmt.Fprintf(out, "case %s: execution %s on %s: %s\n", caseID, d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
			if _, err := env.sfn().RedriveExecution(ctx, &sfn.RedriveExecutionInput{ExecutionArn: arn}); err != nil {
				return fmt.Errorf("resume case %s: %w", caseID, err)
			}
			after, err := env.sfn().DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: arn})
			if err != nil {
				return fmt.Errorf("describe execution: %w", err)
			}
			fmt.Fprintf(out, "case %s: resumed (redrive %d); follow it with `breachflow status %s --wait 10m`\n", caseID, aws.ToInt32(after.RedriveCount), caseID)
			return nil
		},
	}
}

// startLateRound starts an execution that reopens a closed case whose
// ledger filed failures after the close (a bounce, a text reported
// undelivered) and sends what they leave owed (package reopen); the
// scheduled sweep would start it after reopen.Gather, resume does now.
func startLateRound(ctx context.Context, out io.Writer, env *cliEnv, c cases.Case) error {
	starter, err := env.reopener(ctx)
	if err != nil {
		return err
	}
	arn, err := starter.LateRound(ctx, c)
	if errors.Is(err, cases.ErrTakenUp) {
		fmt.Fprintf(out, "case %s: another execution took the case up; see `breachflow status %s`\n", c.CaseID, c.CaseID)
		return nil
	}
	if err != nil {
		return fmt.Errorf("case %s: start a late round: %w", c.CaseID, err)
	}
	fmt.Fprintf(out, "case %s: closed, and the ledger filed failures in %d shard(s) since; a new execution sends what they leave owed (version %d, the approved notices, nobody twice)\nexecution %s\nfollow it with `breachflow status %s --wait 30m`\n",
		c.CaseID, c.ChangedShards(c.Working()), c.Working(), arn, c.CaseID)
	return nil
}
