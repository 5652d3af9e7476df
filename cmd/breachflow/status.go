package main

import (
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/spf13/cobra"

	"breachflow/internal/breach"
	"breachflow/internal/cases"
)

func newStatusCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "status CASE",
		Short: "Show a case: its stage, people in scope, deadlines and the execution's state",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			env, err := loadCLIEnv(ctx)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			c, err := env.cases().Get(ctx, args[0])
			var nf *cases.NotFoundError
			if errors.As(err, &nf) {
				if _, _, rerr := env.cases().Report(ctx, args[0]); rerr == nil {
					fmt.Fprintf(out, "case %s: report stored, case not opened yet (the execution's intake has not run)\n", args[0])
					return nil
				}
				return fmt.Errorf("no case %s (start one with `breachflow start REPORT.json`)", args[0])
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "case          %s  (%s)\n", c.CaseID, c.Organisation)
			fmt.Fprintf(out, "status        %s\n", c.Status)
			fmt.Fprintf(out, "opened        %s\n", c.OpenedAt.Format(time.RFC3339))
			if !c.EarliestDue.IsZero() {
				fmt.Fprintf(out, "earliest due  %s (%s from now)\n", c.EarliestDue.Format(time.RFC3339), time.Until(c.EarliestDue).Round(time.Minute))
			}
			if len(c.Subjects) > 0 {
				total := 0
				keys := make([]string, 0, len(c.Subjects))
				for j, n := range c.Subjects {
					total += n
					keys = append(keys, string(j))
				}
				sort.Strings(keys)
				fmt.Fprintf(out, "people        %d\n", total)
				for _, j := range keys {
					fmt.Fprintf(out, "  %-8s %d\n", j, c.Subjects[breach.Jurisdiction(j)])
				}
			}
			if c.ExecutionArn != "" {
				d, err := env.sfn().DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(c.ExecutionArn)})
				if err != nil {
					return fmt.Errorf("describe execution: %w", err)
				}
				fmt.Fprintf(out, "execution     %s (%s)\n", d.Status, c.ExecutionArn)
				if d.Error != nil {
					fmt.Fprintf(out, "error         %s: %s\n", aws.ToString(d.Error), aws.ToString(d.Cause))
				}
			}
			return nil
		},
	}
}
