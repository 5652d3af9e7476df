package main

import (
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/spf13/cobra"

	"breachflow/internal/cases"
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
ones) are not faults: resuming them ends the same way.`,
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
