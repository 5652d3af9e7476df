package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/spf13/cobra"

	"breachflow/internal/approval"
	assessstore "breachflow/internal/assess"
	"breachflow/internal/audit"
	"breachflow/internal/breach"
	"breachflow/internal/capacity"
	"breachflow/internal/cases"
	"breachflow/internal/casetable"
	"breachflow/internal/ledger"
	"breachflow/internal/postal"
	"breachflow/internal/posting"
	"breachflow/internal/reopen"
	"breachflow/internal/stage"
)

func newStatusCmd() *cobra.Command {
	var wait time.Duration
	cmd := &cobra.Command{
		Use:   "status CASE [--wait DURATION]",
		Short: "Show a case: its stage, deadlines and time left, people in scope, approval, delivery, and what to do next",
		Long: `status shows where a case stands. --wait first waits, up to the duration
given, until the case's execution has ended (closed, or stopped on an error),
printing a line each minute; a case that waits for approval waits for it.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			env, err := loadCLIEnv(ctx)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			caseID := args[0]
			if wait > 0 {
				if err := waitForEnd(ctx, cmd.ErrOrStderr(), env, caseID, wait); err != nil {
					return err
				}
			}
			c, err := env.cases().Get(ctx, caseID)
			var nf *cases.NotFoundError
			if errors.As(err, &nf) {
				if _, _, rerr := env.cases().Report(ctx, caseID); rerr == nil {
					fmt.Fprintf(out, "case %s: report stored, case not opened yet (the execution's intake has not run)\n", caseID)
					return nil
				}
				return fmt.Errorf("no case %s (start one with `breachflow start REPORT.json`)", caseID)
			}
			if err != nil {
				return err
			}
			now := time.Now()
			fmt.Fprintf(out, "case          %s  (%s)\n", c.CaseID, c.Organisation)
			fmt.Fprintf(out, "status        %s\n", c.Status)
			fmt.Fprintf(out, "opened        %s\n", c.OpenedAt.Format(time.RFC3339))
			printVersions(out, c)
			printPeople(out, c)
			printDuties(ctx, out, env, caseID, now)
			tasks := printStages(ctx, out, env, caseID, now)
			printApproval(ctx, out, env, caseID)
			if len(c.Delivery) > 0 {
				fmt.Fprintf(out, "delivery      %s\n", counts(c.Delivery))
			}
			printReach(out, c)
			printPosting(ctx, out, env, caseID, now)
			printPostal(ctx, out, env, caseID)
			printAudit(ctx, out, env, caseID)
			if c.ExecutionArn != "" {
				d, err := env.sfn().DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(c.ExecutionArn)})
				if err != nil {
					return fmt.Errorf("describe execution: %w", err)
				}
				fmt.Fprintf(out, "execution     %s (%s)\n", d.Status, c.ExecutionArn)
				if d.Error != nil {
					fmt.Fprintf(out, "error         %s: %s\n", aws.ToString(d.Error), aws.ToString(d.Cause))
				}
				printSendFailures(ctx, out, env, c)
				if aws.ToString(d.Error) == "MissingContentElement" && d.Status != "RUNNING" {
					fmt.Fprintf(out, "next          add the missing fact: `breachflow amend %s REPORT.json`, then `breachflow resume %s`\n", caseID, caseID)
					return nil
				}
				if resumable[aws.ToString(d.Error)] && d.Status != "RUNNING" {
					fmt.Fprintf(out, "next          fix the cause, then continue where it stopped: `breachflow resume %s`\n", caseID)
					return nil
				}
			}
			if next := nextStep(c); next != "" {
				fmt.Fprintf(out, "next          %s\n", next)
			}
			for _, t := range tasks {
				if t.Status == stage.StatusStarted {
					fmt.Fprintf(out, "next          %s is being drafted or waits for approval (run %s): read it in the console and approve: `breachflow approve %s --as EMAIL`\n", t.ObligationID, t.Run, caseID)
				}
			}
			return nil
		},
	}
	cmd.Flags().DurationVar(&wait, "wait", 0, "wait up to this long for the case's execution to end (e.g. 10m)")
	return cmd
}

// waitForEnd polls the case's execution until it is no longer running.
func waitForEnd(ctx context.Context, log io.Writer, env *cliEnv, caseID string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	lastNote := time.Now()
	for {
		c, err := env.cases().Get(ctx, caseID)
		if err == nil && c.ExecutionArn != "" {
			d, err := env.sfn().DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(c.ExecutionArn)})
			if err != nil {
				return fmt.Errorf("describe execution: %w", err)
			}
			if d.Status != "RUNNING" {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("case %s: still running after %s", caseID, limit)
		}
		if time.Since(lastNote) >= time.Minute {
			lastNote = time.Now()
			fmt.Fprintf(log, "still waiting for case %s (status %s)\n", caseID, c.Status)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

func printPeople(out io.Writer, c cases.Case) {
	if len(c.Subjects) == 0 {
		return
	}
	total := 0
	var parts []string
	for _, j := range byCount(c.Subjects) {
		total += c.Subjects[j]
		parts = append(parts, fmt.Sprintf("%s %d", j, c.Subjects[j]))
	}
	fmt.Fprintf(out, "people        %d (%s)\n", total, strings.Join(parts, ", "))
}

// printReach shows the channel plans the approvers saw and how every
// person is accounted for at the last reconcile, with a warning while
// anyone is not.
func printReach(out io.Writer, c cases.Case) {
	if len(c.Channels) > 0 {
		fmt.Fprintf(out, "channels      %s\n", counts(c.Channels))
	}
	if len(c.Reach) == 0 {
		return
	}
	fmt.Fprintf(out, "reach         %s\n", counts(c.Reach))
	if len(c.ChangedAfterClose) > 0 {
		fmt.Fprintf(out, "changed       since the close, the ledger filed failures (a bounce, a text reported undelivered) in %d shard(s), the last at %s: the reach above is as counted at the close, and someone there may now be owed a notice\n",
			len(c.ChangedAfterClose), c.ChangedAt.Format(time.RFC3339))
	}
	if n := c.Reach["unreached"]; n > 0 {
		fmt.Fprintf(out, "warning       %d people neither reached on a channel, nor in the postal export, nor covered by the posted notice\n", n)
	} else if len(c.ChangedAfterClose) == 0 {
		fmt.Fprintf(out, "accounted     every person in scope: reached on a channel, in the postal export, covered by the posted notice, or an explained exception\n")
	}
}

// byCount orders jurisdictions by how many people each has, most first.
func byCount(m map[breach.Jurisdiction]int) []breach.Jurisdiction {
	js := make([]breach.Jurisdiction, 0, len(m))
	for j := range m {
		js = append(js, j)
	}
	sort.Slice(js, func(a, b int) bool {
		if m[js[a]] != m[js[b]] {
			return m[js[a]] > m[js[b]]
		}
		return js[a] < js[b]
	})
	return js
}

// printDuties lists the required duties by deadline with the time left.
func printDuties(ctx context.Context, out io.Writer, env *cliEnv, caseID string, now time.Time) {
	a, err := (&assessstore.Store{DB: env.dynamo(), Table: env.CaseTable}).Get(ctx, caseID)
	if err != nil {
		return
	}
	fmt.Fprintf(out, "duties\n")
	for _, o := range a.Obligations {
		if !o.Required || o.Staged() {
			continue
		}
		left := "no fixed deadline"
		if !o.DueAt.IsZero() {
			if d := o.DueAt.Sub(now); d > 0 {
				left = "due " + o.DueAt.UTC().Format("2006-01-02 15:04Z") + ", " + capacity.Span(d) + " left"
			} else {
				left = "due " + o.DueAt.UTC().Format("2006-01-02 15:04Z") + ", OVERDUE by " + capacity.Span(-d)
			}
		}
		mark := ""
		if o.Verification == "UNVERIFIED" {
			mark = "  [UNVERIFIED]"
		}
		fmt.Fprintf(out, "  %-36s %s%s\n", o.ID, left, mark)
	}
}

// dueSoon is when status starts warning that a staged duty comes due.
const dueSoon = 7 * 24 * time.Hour

// printStages lists the case's staged duties (second stages drafted and
// filed when due): where each stands, when it falls due and the time left,
// what it follows up, and its citation with the research's mark.
func printStages(ctx context.Context, out io.Writer, env *cliEnv, caseID string, now time.Time) []stage.Task {
	tasks, err := stage.Store{DB: env.dynamo(), Table: env.CaseTable}.List(ctx, caseID)
	if err != nil {
		fmt.Fprintf(out, "staged        not shown: %v\n", err)
		return nil
	}
	if len(tasks) == 0 {
		return nil
	}
	fmt.Fprintf(out, "staged        second stages, drafted and filed when due\n")
	for _, t := range tasks {
		fmt.Fprintf(out, "  %-36s %s\n", t.ObligationID, stageLine(t, now))
		fmt.Fprintf(out, "  %-36s follows %s; %s [%s]\n", "", t.StageOf, t.Citation, t.Verification)
	}
	return tasks
}

// stageLine says where a staged duty stands, warning as it comes due.
func stageLine(t stage.Task, now time.Time) string {
	due := ""
	if !t.DueAt.IsZero() {
		due = "due " + t.DueAt.UTC().Format("2006-01-02 15:04Z")
		switch d := t.DueAt.Sub(now); {
		case d <= 0:
			due += ", OVERDUE by " + capacity.Span(-d)
		case d <= dueSoon:
			due += ", DUE SOON: " + capacity.Span(d) + " left"
		default:
			due += ", " + capacity.Span(d) + " left"
		}
	}
	switch t.Status {
	case stage.StatusFiled:
		return "filed " + t.FiledAt.UTC().Format("2006-01-02 15:04Z") + " (" + t.MessageID + "), following up " + t.FirstFiling + " (" + t.FirstFilingRef + ")"
	case stage.StatusWaiting:
		return "waiting, " + t.Note
	case stage.StatusCancelled:
		return "cancelled: " + t.Note
	case stage.StatusStarted:
		return "started (run " + t.Run + "), " + due
	}
	line := "scheduled, " + due
	if t.Note != "" {
		line += "; " + t.Note
	}
	return line
}

// printAudit checks the case's audit chain against its signed head, as
// `evidence CASE --verify` does, so a cut or rewritten log shows here too.
func printAudit(ctx context.Context, out io.Writer, env *cliEnv, caseID string) {
	chain, err := env.audit().Verify(ctx, caseID)
	switch brk, broken := errors.AsType[*audit.BreakError](err); {
	case broken:
		fmt.Fprintf(out, "audit log     DOES NOT VERIFY: %s\n", brk.Reason)
		if !brk.Head {
			fmt.Fprintf(out, "              (at entry %d; see `breachflow evidence %s --verify`)\n", brk.Seq, caseID)
		}
	case err != nil:
		fmt.Fprintf(out, "audit log     not checked: %v\n", err)
	default:
		fmt.Fprintf(out, "audit log     %d entries, verifies against its signed head\n", len(chain.Entries))
	}
}

// printPosting shows the posted notices, their required period, and a
// WARNING for each page that would end early: missing (taken down) or
// changed before its period ends.
func printPosting(ctx context.Context, out io.Writer, env *cliEnv, caseID string, now time.Time) {
	st := posting.Store{DB: env.dynamo(), Table: env.CaseTable}
	pages, err := st.Pages(ctx, caseID)
	if err != nil {
		fmt.Fprintf(out, "posted        not shown: %v\n", err)
		return
	}
	if len(pages) == 0 {
		return
	}
	first, until := pages[0].PostedAt, pages[0].Until
	for _, p := range pages {
		if p.PostedAt.Before(first) {
			first = p.PostedAt
		}
		if p.Until.After(until) {
			until = p.Until
		}
	}
	state := "required until"
	if !now.Before(until) {
		state = "period served; may come down since"
	}
	fmt.Fprintf(out, "posted        %d pages since %s, %s %s (%s)\n", len(pages), first.Format(time.RFC3339), state, until.Format(time.RFC3339), pages[0].Period.Cites())
	for _, p := range pages {
		fmt.Fprintf(out, "              %s\n", p.URL)
	}
	if env.NoticeBucket == "" {
		fmt.Fprintf(out, "              pages not checked: set NOTICE_BUCKET (the stack output NoticeBucketName)\n")
		return
	}
	_, probs, err := env.postings().Check(ctx, caseID, now)
	if err != nil {
		fmt.Fprintf(out, "              pages not checked: %v\n", err)
		return
	}
	for _, p := range probs {
		fmt.Fprintf(out, "WARNING       %s\n", p)
	}
}

// printPostal shows the case's postal exports: counts only.
func printPostal(ctx context.Context, out io.Writer, env *cliEnv, caseID string) {
	exports, err := (postal.Store{DB: env.dynamo(), Table: env.CaseTable}).List(ctx, caseID)
	if err != nil {
		fmt.Fprintf(out, "postal        not shown: %v\n", err)
		return
	}
	for _, e := range exports {
		fmt.Fprintf(out, "postal        %d letters exported %s %v\n", e.Letters, e.At.Format(time.RFC3339), e.ByLocale)
	}
}

func printApproval(ctx context.Context, out io.Writer, env *cliEnv, caseID string) {
	cfg, err := approvalConfig(ctx, env)
	if err != nil {
		fmt.Fprintf(out, "approval      not shown: %v\n", err)
		return
	}
	st, err := approval.ReadState(ctx, approval.DynamoStore{DB: env.dynamo(), Table: env.CaseTable}, cfg, caseID)
	if err != nil || st.Request == nil {
		return
	}
	fmt.Fprintf(out, "approval      %s, %d of %d approvals", st.Request.Status, st.Approvals, st.Required)
	if len(st.Escalations) > 0 {
		fmt.Fprintf(out, ", escalated %d time(s)", len(st.Escalations))
	}
	fmt.Fprintln(out)
}

// printSendFailures names the shards whose last send run failed, and why:
// when SES dies the execution ends in the send Map's
// States.ExceedToleratedFailureThreshold, which says neither.
func printSendFailures(ctx context.Context, out io.Writer, env *cliEnv, c cases.Case) {
	if c.Shards == 0 {
		return
	}
	fs, err := ledger.ShardFailures(ctx, env.dynamo(), env.CaseTable, casetable.SetID(c.CaseID, c.Working()), c.Shards)
	if err != nil {
		fmt.Fprintf(out, "send failures not shown: %v\n", err)
		return
	}
	for _, f := range fs {
		fmt.Fprintf(out, "send failed   %s\n", f)
	}
}

// nextStep says what the responder can do now, if anything.
// resumable are the errors that fail a run at its task, uncaught, because a
// fix outside the run cures them (statemachine/breach.asl.json): resume
// reruns that task.
var resumable = map[string]bool{
	"SendingPaused": true, "DailyQuotaExceeded": true, "SendConfigInvalid": true,
	"States.ExceedToleratedFailureThreshold": true, "States.TaskFailed": true, "States.Timeout": true,
}

// printVersions shows the report's versions, which one the workflow works
// on, and a rejection the case waits on, with the approver's reason.
func printVersions(out io.Writer, c cases.Case) {
	if c.Latest() > 1 {
		fmt.Fprintf(out, "report        version %d of %d", c.Working(), c.Latest())
		if c.Latest() != c.Working() {
			fmt.Fprintf(out, " (version %d is taken up next)", c.Latest())
		}
		fmt.Fprintln(out)
		for _, v := range c.Versions {
			fmt.Fprintf(out, "  version %d  %s  sha256 %s\n", v.Version, v.RecordedAt.Format(time.RFC3339), v.SHA256[:12])
		}
	}
	if len(c.SentVersions) > 0 {
		vs := make([]string, len(c.SentVersions))
		for i, v := range c.SentVersions {
			vs[i] = fmt.Sprint(v)
		}
		fmt.Fprintf(out, "sent versions %s\n", strings.Join(vs, ", "))
	}
	if r := c.Rejection; r != nil && c.Status == cases.StatusRejected {
		fmt.Fprintf(out, "rejected      version %d by %s at %s: %q\n", r.Version, r.By, r.At.Format(time.RFC3339), r.Reason)
	}
	if c.Waiting == cases.WaitingRevision {
		fmt.Fprintf(out, "waiting for   a revision: an amendment (`breachflow amend %s REPORT.json`) or a re-draft (`breachflow redraft %s`)\n", c.CaseID, c.CaseID)
	}
}

func nextStep(c cases.Case) string {
	if c.Waiting == cases.WaitingRevision {
		return fmt.Sprintf("answer the rejection: `breachflow amend %s REPORT.json` with the corrected facts, or `breachflow redraft %s`", c.CaseID, c.CaseID)
	}
	switch c.Status {
	case cases.StatusDrafted, cases.StatusAwaitingApproval:
		return fmt.Sprintf("read the drafts in the console and approve: `breachflow approve %s --as EMAIL` (or reject with --reason)", c.CaseID)
	case cases.StatusClosed:
		if reopen.Owed(c) {
			// Failures filed after the close: a late round sends what
			// they leave owed, and only a recount says who that is.
			return fmt.Sprintf("the scheduled sweep sends what the failures filed since the close leave owed once they have gathered (%s), or `breachflow resume %s` now (a round for exactly those people); then `breachflow evidence %s`, which recounts every person from the ledger and names anyone still unreached in ledger.csv", reopen.Gather, c.CaseID, c.CaseID)
		}
		if len(c.ChangedAfterClose) > 0 {
			// Failures in an earlier version's set, which a late round
			// of this version does not send to.
			return fmt.Sprintf("write the evidence pack: `breachflow evidence %s`; it recounts every person from the ledger, failures after the close included, and its ledger.csv names each one unreached (reach column), to be told another way", c.CaseID)
		}
		if n := c.Reach["unreached"]; n > 0 {
			// Closed with people owed a notice: a failure after the last
			// round the workflow allowed. The pack names each of them.
			return fmt.Sprintf("write the evidence pack: `breachflow evidence %s`; its ledger.csv names the %d unreached (reach column), to be told another way", c.CaseID, n)
		}
		return fmt.Sprintf("write the evidence pack: `breachflow evidence %s`", c.CaseID)
	case cases.StatusNoNotification:
		return "no one need be told now; a dated duty listed above (such as the assessment of a suspected breach) still stands"
	}
	return ""
}

func counts(m map[string]int) string {
	var parts []string
	for k, n := range m {
		parts = append(parts, fmt.Sprintf("%s %d", k, n))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}
