package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/spf13/cobra"

	"breachflow/internal/cases"
)

func newStartCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "start REPORT.json",
		Short: "Validate a breach report, store it once, and start (or find) its case's execution",
		Long: `start validates the report and lists every problem with its field path.
A valid report is stored once under its report_id; the execution is named after
the case, so running start again for the same report finds the same case and
execution instead of opening a second one.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			raw, r, err := readReport(args[0], time.Now())
			if err != nil {
				return err
			}
			env, err := loadCLIEnv(ctx)
			if err != nil {
				return err
			}
			caseID, created, err := env.cases().PutReport(ctx, raw, r)
			if err != nil {
				return err
			}
			smArn, err := env.stateMachine(ctx)
			if err != nil {
				return err
			}
			input, _ := json.Marshal(map[string]string{"case_id": caseID})
			out, err := env.sfn().StartExecution(ctx, &sfn.StartExecutionInput{
				StateMachineArn: aws.String(smArn),
				Name:            aws.String(cases.ExecutionName(caseID)),
				Input:           aws.String(string(input)),
			})
			var exists *sfntypes.ExecutionAlreadyExists
			switch {
			case errors.As(err, &exists):
				fmt.Fprintf(cmd.OutOrStdout(), "case %s already has an execution (%s); see `breachflow status %s`\n", caseID, cases.ExecutionName(caseID), caseID)
				return nil
			case err != nil:
				return fmt.Errorf("start execution for case %s: %w", caseID, err)
			}
			verb := "opened"
			if !created {
				verb = "found (report already stored)"
			}
			fmt.Fprintf(cmd.OutOrStdout(), "case %s %s\nexecution %s\n", caseID, verb, aws.ToString(out.ExecutionArn))
			return nil
		},
	}
}
