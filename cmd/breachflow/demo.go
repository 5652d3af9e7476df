package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/spf13/cobra"

	"breachflow/internal/cases"
	"breachflow/internal/localstack"
	"breachflow/internal/report"
)

// demoReport is the Kakao Pay -> Alipay style report the demo runs.
const demoReport = "events/reports/kakaopay-alipay.json"

func newDemoCmd() *cobra.Command {
	var (
		reportPath string
		keep       bool
		sfnPort    int
		opts       localstack.Options
	)
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the Kakao Pay-style case end to end on a fresh local stack (no AWS account)",
		Long: `demo starts the local stack (DynamoDB, SES, Step Functions on 127.0.0.1),
opens the case from the sample report through the Step Functions API, and
follows the execution state by state until it ends. With --keep the stack
stays up afterwards so the mailbox and the case can be inspected.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			out := cmd.OutOrStdout()
			began := time.Now()
			raw, err := os.ReadFile(reportPath)
			if err != nil {
				return err
			}
			r, err := report.Parse(raw)
			if err != nil {
				return reportError(reportPath, err)
			}
			opts.Log = io.Discard
			opts.DataDir = "" // a demo starts from nothing
			up, err := startLocal(ctx, opts, "template.yaml", sfnPort)
			if err != nil {
				return err
			}
			defer up.Close()
			fmt.Fprintf(out, "local stack up: DynamoDB %s, SES %s (mailbox %s/), Step Functions %s\n",
				up.stack.DynamoDB, up.stack.SES, up.stack.SES, up.runtime.Endpoint)

			env, err := loadCLIEnv(ctx)
			if err != nil {
				return err
			}
			caseID, _, err := env.cases().PutReport(ctx, raw, r)
			if err != nil {
				return err
			}
			client := env.sfn()
			started, err := client.StartExecution(ctx, &sfn.StartExecutionInput{
				StateMachineArn: aws.String(up.runtime.StateMachines[stateMachineName]),
				Name:            aws.String(cases.ExecutionName(caseID)),
				Input:           aws.String(`{"case_id":"` + caseID + `"}`),
			})
			if err != nil {
				return fmt.Errorf("start case %s: %w", caseID, err)
			}
			fmt.Fprintf(out, "case %s: %s\n", caseID, r.Title)
			final, err := follow(ctx, out, client, aws.ToString(started.ExecutionArn))
			if err != nil {
				return err
			}
			c, err := env.cases().Get(ctx, caseID)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "\ncase %s is %s; execution %s in %s\n", c.CaseID, c.Status, final.Status, time.Since(began).Round(time.Millisecond))
			if final.Status != sfntypes.ExecutionStatusSucceeded {
				return fmt.Errorf("execution ended %s: %s: %s", final.Status, aws.ToString(final.Error), aws.ToString(final.Cause))
			}
			if keep {
				fmt.Fprintf(out, "stack stays up (Ctrl-C to stop); the mailbox is at %s/\n", up.stack.SES)
				<-ctx.Done()
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&reportPath, "report", demoReport, "the breach report to run")
	f.BoolVar(&keep, "keep", false, "keep the local stack running after the case ends")
	f.IntVar(&opts.DynamoDBPort, "dynamodb-port", envInt("BREACHFLOW_DYNAMODB_PORT", localstack.DefaultDynamoDBPort), "DynamoDB port on 127.0.0.1")
	f.IntVar(&opts.SESPort, "ses-port", envInt("BREACHFLOW_SES_PORT", localstack.DefaultSESPort), "SES port on 127.0.0.1")
	f.IntVar(&sfnPort, "sfn-port", envInt("BREACHFLOW_SFN_PORT", 8083), "Step Functions API port on 127.0.0.1")
	return cmd
}

// follow prints each state as the execution enters and leaves it, from the
// execution history, until the execution ends.
func follow(ctx context.Context, out io.Writer, client *sfn.Client, arn string) (*sfn.DescribeExecutionOutput, error) {
	seen := int64(0)
	entered := map[string]time.Time{}
	for {
		p := sfn.NewGetExecutionHistoryPaginator(client, &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn)})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("execution history: %w", err)
			}
			for _, ev := range page.Events {
				if ev.Id <= seen {
					continue
				}
				seen = ev.Id
				if d := ev.StateEnteredEventDetails; d != nil {
					entered[aws.ToString(d.Name)] = aws.ToTime(ev.Timestamp)
					fmt.Fprintf(out, "  > %s\n", aws.ToString(d.Name))
				}
				if d := ev.StateExitedEventDetails; d != nil {
					name := aws.ToString(d.Name)
					fmt.Fprintf(out, "  < %s (%s)\n", name, aws.ToTime(ev.Timestamp).Sub(entered[name]).Round(time.Millisecond))
				}
			}
		}
		d, err := client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
		if err != nil {
			return nil, err
		}
		if d.Status != sfntypes.ExecutionStatusRunning {
			return d, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
