package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/spf13/cobra"

	"breachflow/internal/approval"
	"breachflow/internal/audit"
	"breachflow/internal/cases"
	"breachflow/internal/report"
)

func newAmendCmd() *cobra.Command {
	var allowNarrowing bool
	cmd := &cobra.Command{
		Use:   "amend CASE REPORT.json",
		Short: "Record a new version of a case's report; the workflow notifies what it changes",
		Long: `amend records REPORT.json as the next version of CASE's report. The report
keeps the case's report_id and is validated as on start (every problem is
listed with its field path); the facts that changed are printed, field by
field, and the version and its hash go into the case's audit log. Earlier
versions are kept.

The workflow then re-scopes, re-assesses and re-drafts on the new version and
asks the approvers again. People newly in scope get the notice; people already
notified get an update only when what they must be told changed; regulators
already filed get a follow-up that names the first filing. Who takes the
version up:
  - a case waiting after a rejection: its execution, at once;
  - a case whose approvers are being asked: its execution, at once (the
    pending approval round is withdrawn; they are asked about the new
    version instead);
  - a case being worked: its running execution, before it closes (a send in
    progress finishes first; nobody is skipped or mailed twice);
  - a failed run: 'breachflow resume CASE' continues it on the new version;
  - a closed case: a new execution, which amend starts.

An amendment that may narrow the scope (a data category or a jurisdiction's
count dropped, scope criteria changed other than by widening them) is refused
unless --allow-narrowing says it is meant. People no longer in scope keep
their records and the notices they had; they are told nothing more.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return amend(cmd, args[0], args[1], allowNarrowing)
		},
	}
	cmd.Flags().BoolVar(&allowNarrowing, "allow-narrowing", false, "accept an amendment that may take people or data out of scope")
	return cmd
}

func amend(cmd *cobra.Command, caseID, path string, allowNarrowing bool) error {
	ctx := cmd.Context()
	out := cmd.OutOrStdout()
	now := time.Now()
	raw, r, err := readReport(path, now)
	if err != nil {
		return err
	}
	if got := cases.CaseID(r.ReportID); got != caseID {
		return fmt.Errorf("%s: report_id: belongs to case %s, not %s; an amendment keeps the report_id of the case it amends (nothing recorded)", path, got, caseID)
	}
	env, err := loadCLIEnv(ctx)
	if err != nil {
		return err
	}
	store := env.cases()
	c, err := store.Get(ctx, caseID)
	if _, nf := errors.AsType[*cases.NotFoundError](err); nf {
		return fmt.Errorf("case %s: no such case; `breachflow start` opens one (nothing recorded)", caseID)
	}
	if err != nil {
		return err
	}
	prevRaw, err := store.RawReportVersion(ctx, caseID, c.Latest())
	if err != nil {
		return err
	}
	prev, _, err := store.ReportVersion(ctx, caseID, c.Latest())
	if err != nil {
		return err
	}
	if ps := report.Narrowing(prev, r); len(ps) > 0 && !allowNarrowing {
		msg := fmt.Sprintf("%s: the amendment may narrow case %s's scope (nothing recorded); pass --allow-narrowing if it is meant:", path, caseID)
		for _, p := range ps {
			msg += "\n  - " + p.String()
		}
		return errors.New(msg)
	}
	if err := preflight(r, now); err != nil {
		return err
	}
	id, err := caller(ctx, env, cmd.ErrOrStderr())
	if err != nil {
		return err
	}
	by := ""
	if id != nil {
		if err := mayStart(id); err != nil {
			return err
		}
		by = id.Email
	}
	changes, err := report.Diff(prevRaw, raw)
	if err != nil {
		return err
	}
	c, err = store.Amend(ctx, caseID, raw, r, by)
	if err != nil {
		return err
	}
	v := c.Latest()
	paths := make([]string, len(changes))
	fmt.Fprintf(out, "case %s: version %d recorded (sha256 %s), %d change(s) from version %d:\n", caseID, v, c.ReportSHA256[:12], len(changes), v-1)
	for i, ch := range changes {
		paths[i] = ch.Path
		fmt.Fprintf(out, "  %s\n", clip(ch.String(), 160))
	}
	// The audit log records the paths that changed and the hashes: the
	// values are in the stored versions.
	if _, err := env.audit().Append(ctx, caseID, audit.Record{Actor: actorOf(by), Action: "case.amended", Detail: map[string]string{
		"version": fmt.Sprint(v), "report_sha256": c.ReportSHA256, "previous_version": fmt.Sprint(v - 1),
		"changed": strings.Join(paths, ","),
	}}); err != nil {
		return fmt.Errorf("case %s: version %d recorded, but not its audit entry: %w", caseID, v, err)
	}
	return handOver(ctx, out, env, c, v)
}

func actorOf(by string) string {
	if by == "" {
		return "responder"
	}
	return by
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// handOver gives the new version to whoever takes it up (see amend's help).
func handOver(ctx context.Context, out io.Writer, env *cliEnv, c cases.Case, v int) error {
	// Rejected a moment ago, the execution is about to wait for a
	// revision: wait for it (briefly), so the version is handed to it
	// rather than left for a close it would not reach.
	for deadline := time.Now().Add(30 * time.Second); c.RevisionPending() && time.Now().Before(deadline); {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		var err error
		if c, err = env.cases().Get(ctx, c.CaseID); err != nil {
			return err
		}
	}
	if c.Waiting == cases.WaitingRevision {
		handed, err := handRevision(ctx, env, c.CaseID, v)
		if err != nil {
			return err
		}
		if handed {
			fmt.Fprintf(out, "case %s: the execution waiting after the rejection takes version %d up; the approvers will be asked again\n", c.CaseID, v)
			return nil
		}
	}
	if c.ExecutionArn != "" {
		d, err := env.sfn().DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(c.ExecutionArn)})
		if err != nil {
			return fmt.Errorf("case %s: describe execution: %w", c.CaseID, err)
		}
		switch d.Status {
		case sfntypes.ExecutionStatusRunning:
			// Approvers asked about the version before should not approve
			// it now: their round is withdrawn and the execution drafts
			// the new version and asks again.
			svc := &approval.Service{
				Store: approval.DynamoStore{DB: env.dynamo(), Table: env.CaseTable}, Tasks: env.sfn(), Audit: env.audit(),
				Log: slog.New(slog.DiscardHandler),
			}
			withdrawn, err := svc.Withdraw(ctx, c.CaseID, v)
			if err != nil {
				return fmt.Errorf("case %s: withdraw the pending approval: %w", c.CaseID, err)
			}
			if withdrawn {
				fmt.Fprintf(out, "case %s: the pending approval round was withdrawn; the execution drafts version %d and asks the approvers again\n", c.CaseID, v)
				return nil
			}
			fmt.Fprintf(out, "case %s: its running execution takes version %d up before it closes\n", c.CaseID, v)
			return nil
		case sfntypes.ExecutionStatusFailed, sfntypes.ExecutionStatusTimedOut, sfntypes.ExecutionStatusAborted:
			fmt.Fprintf(out, "case %s: its execution %s (%s); `breachflow resume %s` continues it on version %d\n", c.CaseID, strings.ToLower(string(d.Status)), aws.ToString(d.Error), c.CaseID, v)
			return nil
		}
	}
	switch c.Status {
	case cases.StatusClosed, cases.StatusNoNotification:
	default:
		// A succeeded execution whose case is not closed yet: the close
		// is its last write and will see the version.
		fmt.Fprintf(out, "case %s (%s): its execution takes version %d up before it closes\n", c.CaseID, c.Status, v)
		return nil
	}
	return startVersion(ctx, out, env, c, v)
}

// handRevision takes the revision token from the case (once) and hands
// version v back with it.
func handRevision(ctx context.Context, env *cliEnv, caseID string, v int) (bool, error) {
	token, _, err := env.cases().TakeRevision(ctx, caseID)
	if err != nil || token == "" {
		return false, err
	}
	body, _ := json.Marshal(map[string]int{"version": v})
	if _, err := env.sfn().SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(token), Output: aws.String(string(body))}); err != nil {
		return false, fmt.Errorf("case %s: hand version %d to the waiting execution: %w", caseID, v, err)
	}
	return true, nil
}

// startVersion starts a new execution for a closed case to take version v
// up.
func startVersion(ctx context.Context, out io.Writer, env *cliEnv, c cases.Case, v int) error {
	starter, err := env.reopener(ctx)
	if err != nil {
		return err
	}
	arn, err := starter.Start(ctx, c, fmt.Sprintf("%s-v%d", cases.ExecutionName(c.CaseID), v), map[string]string{"case_id": c.CaseID})
	if errors.Is(err, cases.ErrTakenUp) {
		fmt.Fprintf(out, "case %s: another execution took version %d up; see `breachflow status %s`\n", c.CaseID, v, c.CaseID)
		return nil
	}
	if err != nil {
		return fmt.Errorf("case %s: version %d: %w", c.CaseID, v, err)
	}
	fmt.Fprintf(out, "case %s: closed; a new execution takes version %d up\nexecution %s\n", c.CaseID, v, arn)
	return nil
}

func newRedraftCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "redraft CASE",
		Short: "Draft a rejected case again on the same facts and ask the approvers again",
		Long: `redraft hands a case that waits after a rejection back to its execution
without new facts: it drafts again (templates or configuration may have
changed) and asks the approvers again. To change facts, amend the case
instead. 'breachflow status CASE' shows the rejection's reason.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			env, err := loadCLIEnv(ctx)
			if err != nil {
				return err
			}
			caseID := args[0]
			c, err := env.cases().Get(ctx, caseID)
			if _, nf := errors.AsType[*cases.NotFoundError](err); nf {
				return fmt.Errorf("case %s: no such case", caseID)
			}
			if err != nil {
				return err
			}
			if c.Waiting != cases.WaitingRevision {
				return fmt.Errorf("case %s (%s) is not waiting for a revision; only a rejected case is re-drafted", caseID, c.Status)
			}
			handed, err := handRevision(ctx, env, caseID, c.Latest())
			if err != nil {
				return err
			}
			if !handed {
				return fmt.Errorf("case %s: another amend or redraft took the revision first", caseID)
			}
			if _, err := env.audit().Append(ctx, caseID, audit.Record{Actor: "responder", Action: "case.redraft_requested", Detail: map[string]string{
				"version": fmt.Sprint(c.Latest()),
			}}); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "case %s: drafting version %d again; the approvers will be asked again\n", caseID, c.Latest())
			return nil
		},
	}
}
