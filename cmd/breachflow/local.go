package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"breachflow/internal/local/emulators"
)

func newLocalCmd() *cobra.Command {
	local := &cobra.Command{Use: "local", Short: "Run the local AWS stack (no AWS account, no Docker)"}
	local.AddCommand(newLocalUpCmd())
	return local
}

func newLocalUpCmd() *cobra.Command {
	var opts emulators.Options
	var lo localOptions
	var verbose bool
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Start DynamoDB, SES, Step Functions and the approval console on 127.0.0.1 and run until Ctrl-C",
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			opts.Log = io.Discard
			if verbose {
				opts.Log, lo.log = cmd.ErrOrStderr(), cmd.ErrOrStderr()
			}
			if opts.DataDir != "" {
				lo.stateDir = filepath.Dir(opts.DataDir)
			}
			up, err := startLocal(ctx, opts, lo)
			if err != nil {
				return err
			}
			defer up.Close()
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "breachflow local stack is up (Ctrl-C to stop)\n\n")
			fmt.Fprintf(out, "  DynamoDB          %s\n", up.stack.DynamoDB)
			fmt.Fprintf(out, "  SES v2            %s\n", up.stack.SES)
			fmt.Fprintf(out, "  SES mailbox       %s/\n", up.stack.SES)
			fmt.Fprintf(out, "  KMS               %s (audit key %s)\n", up.stack.KMS, up.stack.AuditKeyARN)
			fmt.Fprintf(out, "  SMS               %s (End User Messaging SMS; outbox %s/)\n", up.stack.SMS, up.stack.SMS)
			fmt.Fprintf(out, "  S3                %s (bucket %s)\n", up.stack.S3, emulators.NoticeBucket)
			fmt.Fprintf(out, "  notice site       %s/ (posted notices, SMS link pages)\n", up.siteAt)
			fmt.Fprintf(out, "  Step Functions    %s (state machines: %s)\n", up.runtime.Endpoint, strings.Join(up.machineNames(), ", "))
			fmt.Fprintf(out, "  approval console  %s/\n", up.consoleAt)
			fmt.Fprintf(out, "  tables            %s (cases), %s (users)\n", up.caseTable, up.userTable)
			fmt.Fprintf(out, "  approvers         %s\n\n", up.approvers())
			fmt.Fprintf(out, "Point the SDK, the AWS CLI and breachflow at it:\n")
			for _, kv := range up.env() {
				fmt.Fprintf(out, "  export %s\n", kv)
			}
			fmt.Fprintf(out, "\nThen, for example: breachflow seed --users 20000 (see the README). Ctrl-C here stops the stack.\n")
			<-ctx.Done()
			fmt.Fprintln(out, "\nstopping")
			return up.Close()
		},
	}
	f := cmd.Flags()
	f.IntVar(&opts.DynamoDBPort, "dynamodb-port", envInt("BREACHFLOW_DYNAMODB_PORT", emulators.DefaultDynamoDBPort), "DynamoDB port on 127.0.0.1 ($BREACHFLOW_DYNAMODB_PORT)")
	f.IntVar(&opts.SESPort, "ses-port", envInt("BREACHFLOW_SES_PORT", emulators.DefaultSESPort), "SES port on 127.0.0.1 ($BREACHFLOW_SES_PORT)")
	f.IntVar(&opts.KMSPort, "kms-port", envInt("BREACHFLOW_KMS_PORT", emulators.DefaultKMSPort), "KMS port on 127.0.0.1, which signs audit chains ($BREACHFLOW_KMS_PORT)")
	f.IntVar(&opts.SMSPort, "sms-port", envInt("BREACHFLOW_SMS_PORT", emulators.DefaultSMSPort), "SMS (End User Messaging) port on 127.0.0.1 ($BREACHFLOW_SMS_PORT)")
	f.IntVar(&opts.S3Port, "s3-port", envInt("BREACHFLOW_S3_PORT", emulators.DefaultS3Port), "S3 port on 127.0.0.1, whose bucket holds the posted notices ($BREACHFLOW_S3_PORT)")
	f.IntVar(&lo.sitePort, "site-port", envInt("BREACHFLOW_SITE_PORT", defaultSite), "notice site port on 127.0.0.1: the posted notices and the SMS link pages ($BREACHFLOW_SITE_PORT)")
	f.IntVar(&lo.sfnPort, "sfn-port", envInt("BREACHFLOW_SFN_PORT", 8083), "Step Functions API port on 127.0.0.1 ($BREACHFLOW_SFN_PORT)")
	f.IntVar(&lo.consolePort, "console-port", envInt("BREACHFLOW_CONSOLE_PORT", defaultConsole), "approval console port on 127.0.0.1 ($BREACHFLOW_CONSOLE_PORT)")
	f.StringVar(&opts.DataDir, "data", filepath.Join(".breachflow", "dynamodb"), "folder that keeps DynamoDB data across restarts (its parent keeps executions and the approval key; empty: memory only)")
	f.StringVar(&lo.template, "template", "template.yaml", "the SAM template whose functions and state machines run locally")
	f.StringVar(&lo.envVars, "env-vars", "", "JSON file of the functions' environment values over template.yaml and "+localEnvFile+", as `sam local invoke --env-vars` takes it")
	f.BoolVarP(&verbose, "verbose", "v", false, "show the emulators' and functions' own output")
	return cmd
}

// envInt reads a port or count from the environment, falling back to def.
func envInt(name string, def int) int {
	var v int
	if s := os.Getenv(name); s != "" {
		if _, err := fmt.Sscan(s, &v); err == nil {
			return v
		}
	}
	return def
}
