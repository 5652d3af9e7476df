package main

import (
	"breachflow/internal/stage"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/spf13/cobra"

	"breachflow/internal/approval"
	"breachflow/internal/awsenv"
)

const decideLong = `Applies the same rules as the approval console: --as must be a configured
approver ($BREACHFLOW_APPROVERS) who was asked in the case's pending approval
round, the submitter cannot approve, the drafts and the recipient set must be
unchanged since approval was requested, each approver counts once, and the
configured number of distinct approvers ($BREACHFLOW_APPROVALS_REQUIRED,
default 2) completes the approval and lets the workflow go on. The decision
is written to the case's audit log.

In AWS, who decides is who AWS says runs the command: sts:GetCallerIdentity,
mapped to a staff email by $BREACHFLOW_PRINCIPALS (the stack's Principals
output). --as may be left out; naming anyone else is refused. On the local
stack there is nothing to prove identities with, so --as is required and taken
as given, and the command says so.`

func newApproveCmd() *cobra.Command {
	var as, comment string
	var wait time.Duration
	cmd := &cobra.Command{
		Use:   "approve CASE [--as EMAIL]",
		Short: "Approve a case's drafts and recipients as one of the configured approvers",
		Long:  decideLong,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return decide(cmd, approval.Decision{CaseID: args[0], Approver: as, Approve: true, Comment: comment}, wait)
		},
	}
	cmd.Flags().StringVar(&as, "as", "", "your approver email (required locally; in AWS taken from AWS)")
	cmd.Flags().StringVar(&comment, "comment", "", "optional comment for the audit log")
	cmd.Flags().DurationVar(&wait, "wait", 2*time.Minute, "how long to wait for the case to reach approval when it has not yet")
	return cmd
}

func newRejectCmd() *cobra.Command {
	var as, reason string
	cmd := &cobra.Command{
		Use:   "reject CASE [--as EMAIL] --reason TEXT",
		Short: "Reject a case's drafts; the workflow stops and nothing is sent",
		Long:  decideLong,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return decide(cmd, approval.Decision{CaseID: args[0], Approver: as, Comment: reason}, 0)
		},
	}
	cmd.Flags().StringVar(&as, "as", "", "your approver email (required locally; in AWS taken from AWS)")
	cmd.Flags().StringVar(&reason, "reason", "", "why the drafts are rejected (required)")
	cmd.MarkFlagRequired("reason")
	return cmd
}

// decide applies one decision. A case whose workflow has not reached
// approval yet has no request to decide: with wait > 0 it is asked again
// each second until the request exists or wait runs out.
func decide(cmd *cobra.Command, d approval.Decision, wait time.Duration) error {
	ctx := cmd.Context()
	env, err := loadCLIEnv(ctx)
	if err != nil {
		return err
	}
	id, err := caller(ctx, env, cmd.ErrOrStderr())
	if err != nil {
		return err
	}
	switch {
	case id != nil:
		if err := id.Check(d.Approver); err != nil {
			return fmt.Errorf("case %s: refused, nothing recorded: %w", d.CaseID, err)
		}
		d.Approver = id.Email
	case d.Approver == "":
		return errors.New("--as EMAIL is required on the local stack, where identities are asserted")
	}
	cfg, err := approvalConfig(ctx, env)
	if err != nil {
		return err
	}
	quiet := slog.New(slog.DiscardHandler)
	svc := approvalService(env, cfg, quiet)
	out, err := svc.Decide(ctx, d)
	for until, told := time.Now().Add(wait), false; errors.Is(err, approval.ErrNotFound) && time.Now().Before(until); out, err = svc.Decide(ctx, d) {
		if !told {
			fmt.Fprintf(cmd.ErrOrStderr(), "case %s has not reached approval yet; waiting up to %s\n", d.CaseID, wait)
			told = true
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
	if err != nil {
		return explainRefusal(d.CaseID, err)
	}
	w := cmd.OutOrStdout()
	switch {
	case !d.Approve:
		fmt.Fprintf(w, "case %s: rejected; the workflow stops and nothing is sent\n", d.CaseID)
	case out.Decided:
		fmt.Fprintf(w, "case %s: approved, %d of %d approvals: the workflow goes on to send\n", d.CaseID, len(out.Approvals), out.Request.Required)
	default:
		fmt.Fprintf(w, "case %s: approval recorded, %d of %d approvals so far\n", d.CaseID, len(out.Approvals), out.Request.Required)
	}
	return nil
}

// approvalConfig reads the approval configuration from the environment,
// through the approval functions' own loader. Votes are sealed with the
// approval key (the send stage refuses unsealed ones), so the CLI needs the
// same key as the approval functions: locally the key file of the running
// stack (BREACHFLOW_APPROVAL_KEY_DIR, which `local up` prints, or
// .breachflow), in AWS the secret BREACHFLOW_APPROVAL_KEY_SECRET names.
func approvalConfig(ctx context.Context, env *cliEnv) (approval.Config, error) {
	if local, _ := awsenv.Local(); local {
		dir := os.Getenv(envApprovalKeyDir)
		if dir == "" {
			dir = ".breachflow"
		}
		key, err := approval.LocalKey(dir)
		if err != nil {
			return approval.Config{}, err
		}
		return approval.LoadConfig(ctx, func(name string) (string, bool) {
			if name == approval.EnvKey {
				return hex.EncodeToString(key), true
			}
			return os.LookupEnv(name)
		}, nil)
	}
	if os.Getenv(approval.EnvKey) == "" && os.Getenv(approval.EnvKeySecret) == "" {
		return approval.Config{}, fmt.Errorf("set %s to the approval key's secret (the stack's ApprovalKeySecret): votes are sealed with it", approval.EnvKeySecret)
	}
	return approval.LoadConfig(ctx, os.LookupEnv, secretsmanager.NewFromConfig(env.cfg))
}

// envApprovalKeyDir names the folder of the local stack's approval key.
const envApprovalKeyDir = "BREACHFLOW_APPROVAL_KEY_DIR"

func explainRefusal(caseID string, err error) error {
	switch {
	case errors.Is(err, approval.ErrNotFound):
		return fmt.Errorf("case %s has no approval request (has the workflow reached approval? see `breachflow status %s`)", caseID, caseID)
	case errors.Is(err, approval.ErrStale):
		return fmt.Errorf("case %s: the drafts or the recipient set changed after approval was requested; a new approval round is needed", caseID)
	}
	return err
}

// approvalService is the approval service the CLI decides through, on the
// case table: the same rules as the console, stage rounds included.
func approvalService(env *cliEnv, cfg approval.Config, log *slog.Logger) *approval.Service {
	svc := approval.NewAWSService(env.cfg, env.CaseTable, cfg, log)
	svc.Stages = stage.Store{DB: env.dynamo(), Table: env.CaseTable}
	return svc
}
