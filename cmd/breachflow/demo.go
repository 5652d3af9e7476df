package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/spf13/cobra"

	"breachflow/internal/approval"
	assessstore "breachflow/internal/assess"
	"breachflow/internal/cases"
	"breachflow/internal/casetable"
	"breachflow/internal/draft"
	"breachflow/internal/ledger"
	"breachflow/internal/local/emulators"
	"breachflow/internal/posting"
	"breachflow/internal/reconcile"
	"breachflow/internal/report"
	"breachflow/internal/usertable"
)

// demoReport is the Kakao Pay -> Alipay style report the demo runs.
const demoReport = "events/reports/kakaopay-alipay.json"

type demoOptions struct {
	report      string
	users       int
	keep        bool
	interactive bool
	historic    bool
}

func newDemoCmd() *cobra.Command {
	var (
		d    demoOptions
		opts emulators.Options
		lo   localOptions
	)
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the Kakao Pay-style case end to end on a fresh local stack (no AWS account)",
		Long: `demo starts the local stack (DynamoDB, SES, Step Functions and the approval
console on 127.0.0.1), seeds a synthetic user population, starts the case from
the sample report through the Step Functions API and follows it state by
state: scope, assess, draft, approval (two demo approvers sign off, or you do
with --interactive), regulator filings, customer notices, reconcile.

By default the report's timeline is moved so that the organisation became
aware two hours ago: the legal clocks are then live, as they would be in a
real response. --historic keeps the report's own dates (Kakao Pay's were in
2024, so every deadline shows as missed).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.Log = io.Discard
			lo.template = "template.yaml"
			return runDemo(cmd.Context(), cmd.OutOrStdout(), d, opts, lo)
		},
	}
	f := cmd.Flags()
	f.StringVar(&d.report, "report", demoReport, "the breach report to run")
	f.IntVar(&d.users, "users", envInt("DEMO_USERS", 50000), "synthetic users to seed ($DEMO_USERS)")
	f.BoolVar(&d.keep, "keep", false, "keep the local stack running after the case ends")
	f.BoolVar(&d.interactive, "interactive", false, "wait for people to approve in the console or with `breachflow approve` instead of approving as the demo approvers")
	f.BoolVar(&d.historic, "historic", false, "keep the report's own dates instead of making the case two hours old")
	f.IntVar(&opts.DynamoDBPort, "dynamodb-port", envInt("BREACHFLOW_DYNAMODB_PORT", emulators.DefaultDynamoDBPort), "DynamoDB port on 127.0.0.1")
	f.IntVar(&opts.SESPort, "ses-port", envInt("BREACHFLOW_SES_PORT", emulators.DefaultSESPort), "SES port on 127.0.0.1")
	f.IntVar(&lo.sfnPort, "sfn-port", envInt("BREACHFLOW_SFN_PORT", 8083), "Step Functions API port on 127.0.0.1")
	f.IntVar(&lo.consolePort, "console-port", envInt("BREACHFLOW_CONSOLE_PORT", defaultConsole), "approval console port on 127.0.0.1")
	f.IntVar(&lo.sitePort, "site-port", envInt("BREACHFLOW_SITE_PORT", defaultSite), "notice site port on 127.0.0.1 (posted notices, SMS link pages)")
	return cmd
}

func runDemo(ctx context.Context, out io.Writer, d demoOptions, opts emulators.Options, lo localOptions) error {
	began := time.Now()
	raw, err := os.ReadFile(d.report)
	if err != nil {
		return err
	}
	if !d.historic {
		if raw, err = liveTimeline(raw, began.Add(-2*time.Hour)); err != nil {
			return err
		}
	}
	r, err := report.ParseAt(raw, time.Now())
	if err != nil {
		return reportError(d.report, err)
	}
	up, err := startLocal(ctx, opts, lo)
	if err != nil {
		return err
	}
	defer up.Close()
	fmt.Fprintf(out, "local stack: DynamoDB %s · SES %s · Step Functions %s\n", up.stack.DynamoDB, up.stack.SES, up.runtime.Endpoint)
	fmt.Fprintf(out, "mailbox:     %s/\nconsole:     %s/\n\n", up.stack.SES, up.consoleAt)

	env, err := loadCLIEnv(ctx)
	if err != nil {
		return err
	}
	t := time.Now()
	bar := newProgress(out, d.users, "  seeding users", "users")
	err = usertable.Seed(ctx, dynamodb.NewFromConfig(env.cfg), up.userTable, usertable.SeedOptions{
		Users: d.users, Seed: 1, Written: func(n int) { bar.Add(n) },
	})
	bar.Finish()
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	fmt.Fprintf(out, "seeded %d synthetic users in %s\n", d.users, time.Since(t).Round(time.Millisecond))

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
	if !d.historic {
		fmt.Fprintf(out, "  (timeline moved: aware %s, so the legal clocks are live)\n", r.Timeline.Aware.Local().Format(time.RFC3339))
	}

	approve := func(ctx context.Context) error {
		if d.interactive {
			fmt.Fprintf(out, "  waiting for approval: open %s/ or run `breachflow approve %s --as EMAIL` (approvers: %s)\n",
				up.consoleAt, caseID, strings.Join(r.Approvers, ", "))
			return nil
		}
		return demoApprove(ctx, out, env, caseID, r.Approvers)
	}
	sending := &sendBar{out: out, env: env, caseID: caseID}
	final, err := follow(ctx, out, client, aws.ToString(started.ExecutionArn), followHooks{
		approval: approve,
		exited: func(ctx context.Context, state string) {
			if state == "SendCustomerNotices" {
				sending.finish(ctx)
			}
			afterState(ctx, out, env, caseID, state)
		},
		tick: sending.tick,
	})
	if err != nil {
		return err
	}
	if err := summarise(ctx, out, env, up, caseID, final, began); err != nil {
		return err
	}
	pack, err := env.evidence().Write(ctx, caseID, filepath.Join("out", caseID))
	if err != nil {
		return fmt.Errorf("evidence pack: %w", err)
	}
	printPack(out, pack)
	if final.Status != sfntypes.ExecutionStatusSucceeded {
		for _, f := range failures(ctx, client, aws.ToString(started.ExecutionArn), 3) {
			fmt.Fprintf(out, "  failure: %s\n", f)
		}
		return fmt.Errorf("execution ended %s: %s: %s", final.Status, aws.ToString(final.Error), aws.ToString(final.Cause))
	}
	if d.keep {
		fmt.Fprintf(out, "\nthe stack stays up (Ctrl-C to stop): mailbox %s/, console %s/, notice site %s/\n", up.stack.SES, up.consoleAt, up.siteAt)
		<-ctx.Done()
	}
	return nil
}

// liveTimeline moves every timeline date of the report by the same amount,
// so that "aware" falls at aware and the intervals between dates stay.
func liveTimeline(raw []byte, aware time.Time) ([]byte, error) {
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	tl, _ := doc["timeline"].(map[string]any)
	was, err := time.Parse(time.RFC3339, fmt.Sprint(tl["aware"]))
	if err != nil {
		return nil, fmt.Errorf("report timeline.aware: %w", err)
	}
	shift := aware.Sub(was)
	// Moved to now, nothing is late any more, so a reason for lateness
	// would be false in every filing that printed it.
	delete(doc, "delay_reason")
	for k, v := range tl {
		if s, ok := v.(string); ok {
			if t, err := time.Parse(time.RFC3339, s); err == nil {
				tl[k] = t.Add(shift).UTC().Format(time.RFC3339)
			}
		}
	}
	return json.Marshal(doc)
}

// demoApprove signs off as each approver in turn, through the same rules
// the console and `breachflow approve` apply, once the request exists.
func demoApprove(ctx context.Context, out io.Writer, env *cliEnv, caseID string, approvers []string) error {
	cfg, err := approvalConfig(ctx, env)
	if err != nil {
		return err
	}
	svc := approvalService(env, cfg, nil)
	for _, who := range approvers {
		for {
			res, err := svc.Decide(ctx, approval.Decision{CaseID: caseID, Approver: who, Approve: true, Comment: "demo approval"})
			if errors.Is(err, approval.ErrNotFound) {
				select {
				case <-ctx.Done():
					return ctx.Err()
				case <-time.After(50 * time.Millisecond):
					continue
				}
			}
			if err != nil {
				return fmt.Errorf("approve as %s: %w", who, err)
			}
			fmt.Fprintf(out, "  approved by %s (%d of %d)\n", who, len(res.Approvals), res.Request.Required)
			if res.Decided {
				return nil
			}
			break
		}
	}
	return nil
}

// followHooks let a caller act as the execution moves: once the approval
// task waits, when a state is left, and every tick while a state runs.
type followHooks struct {
	approval func(ctx context.Context) error
	exited   func(ctx context.Context, state string)
	tick     func(ctx context.Context, state string)
}

// follow prints each state as the execution enters and leaves it, from the
// execution history, and returns when the execution ends.
func follow(ctx context.Context, out io.Writer, client *sfn.Client, arn string, h followHooks) (*sfn.DescribeExecutionOutput, error) {
	seen := int64(0)
	entered := map[string]time.Time{}
	current := ""
	asked := false
	var final *sfn.DescribeExecutionOutput
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
					current = aws.ToString(d.Name)
					entered[current] = aws.ToTime(ev.Timestamp)
					fmt.Fprintf(out, "  > %s\n", current)
				}
				if d := ev.StateExitedEventDetails; d != nil {
					name := aws.ToString(d.Name)
					fmt.Fprintf(out, "  < %s (%s)\n", name, aws.ToTime(ev.Timestamp).Sub(entered[name]).Round(time.Millisecond))
					if h.exited != nil {
						h.exited(ctx, name)
					}
					current = ""
				}
				if ev.Type == sfntypes.HistoryEventTypeTaskSubmitted && !asked && h.approval != nil {
					asked = true
					if err := h.approval(ctx); err != nil {
						return nil, err
					}
				}
			}
		}
		if final != nil {
			return final, nil
		}
		d, err := client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
		if err != nil {
			return nil, err
		}
		if d.Status != sfntypes.ExecutionStatusRunning {
			// The execution may have moved on after the history was read:
			// read it once more so the last states are shown.
			final = d
			continue
		}
		if current != "" && h.tick != nil {
			h.tick(ctx, current)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// summarise prints what a responder reports upward: people by jurisdiction,
// each duty with its deadline and whether it was met, what was sent.
func summarise(ctx context.Context, out io.Writer, env *cliEnv, up *localUp, caseID string, final *sfn.DescribeExecutionOutput, began time.Time) error {
	c, err := env.cases().Get(ctx, caseID)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\n== case %s: %s (execution %s)\n", c.CaseID, c.Status, final.Status)
	total := 0
	for _, n := range c.Subjects {
		total += n
	}
	fmt.Fprintf(out, "people in scope: %d\n", total)
	for _, j := range byCount(c.Subjects) {
		fmt.Fprintf(out, "  %-6s %7d\n", j, c.Subjects[j])
	}
	a, err := (&assessstore.Store{DB: env.dynamo(), Table: env.CaseTable}).Get(ctx, caseID)
	if err == nil {
		done := aws.ToTime(final.StopDate)
		fmt.Fprintf(out, "obligations:\n")
		for _, o := range a.Obligations {
			if !o.Required {
				continue
			}
			due, met := "no fixed deadline", ""
			if !o.DueAt.IsZero() {
				due = "due " + o.DueAt.UTC().Format("2006-01-02 15:04Z")
				met = "  MET"
				if done.IsZero() || done.After(o.DueAt) {
					met = "  MISSED"
				}
			}
			fmt.Fprintf(out, "  %-40s %-28s %s%s\n", o.ID, o.RecipientName, due, met)
		}
	}
	if len(c.Delivery) > 0 {
		var parts []string
		for s, n := range c.Delivery {
			parts = append(parts, fmt.Sprintf("%s %d", s, n))
		}
		sort.Strings(parts)
		fmt.Fprintf(out, "e-mail ledger: %s (no_contact: no e-mail address; reach below says how each was told)\n", strings.Join(parts, ", "))
	}
	printReach(out, c)
	msgs, err := emulators.Mailbox{URL: up.stack.SES}.Messages(ctx, time.Time{})
	if err == nil {
		filings := 0
		for _, m := range msgs {
			if strings.Contains(strings.Join(m.Destination.To, ","), "@regulators.example.org") {
				filings++
			}
		}
		fmt.Fprintf(out, "mailbox: %d messages (%d regulator filings, %d to approvers and people)\n", len(msgs), filings, len(msgs)-filings)
	}
	fmt.Fprintf(out, "time taken: %s\n", time.Since(began).Round(time.Millisecond))
	return nil
}

// failures returns the first n task, Lambda or Map-iteration failures in the
// execution's history, where the error that ended a run starts.
func failures(ctx context.Context, client *sfn.Client, arn string, n int) []string {
	var out []string
	p := sfn.NewGetExecutionHistoryPaginator(client, &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn)})
	for p.HasMorePages() && len(out) < n {
		page, err := p.NextPage(ctx)
		if err != nil {
			return append(out, err.Error())
		}
		for _, ev := range page.Events {
			var e, c *string
			switch {
			case ev.LambdaFunctionFailedEventDetails != nil:
				e, c = ev.LambdaFunctionFailedEventDetails.Error, ev.LambdaFunctionFailedEventDetails.Cause
			case ev.TaskFailedEventDetails != nil:
				e, c = ev.TaskFailedEventDetails.Error, ev.TaskFailedEventDetails.Cause
			case ev.MapRunFailedEventDetails != nil:
				e, c = ev.MapRunFailedEventDetails.Error, ev.MapRunFailedEventDetails.Cause
			default:
				continue
			}
			if len(out) < n {
				out = append(out, fmt.Sprintf("%s (event %d): %s: %s", ev.Type, ev.Id, aws.ToString(e), aws.ToString(c)))
			}
		}
	}
	return out
}

// afterState prints what a finished stage produced: counts and hashes.
func afterState(ctx context.Context, out io.Writer, env *cliEnv, caseID, state string) {
	switch state {
	case "CountAffectedPeople":
		if c, err := env.cases().Get(ctx, caseID); err == nil {
			total := 0
			for _, n := range c.Subjects {
				total += n
			}
			fmt.Fprintf(out, "    %d people in %d jurisdictions; recipient set %.12s\n", total, len(c.Subjects), c.RecipientSetHash)
		}
	case "AssessObligations":
		if a, err := (&assessstore.Store{DB: env.dynamo(), Table: env.CaseTable}).Get(ctx, caseID); err == nil {
			req, unv := 0, 0
			for _, o := range a.Obligations {
				if o.Required {
					req++
					if o.Verification == "UNVERIFIED" {
						unv++
					}
				}
			}
			fmt.Fprintf(out, "    %d duties required, %d considered and not required (%d rest on UNVERIFIED research); risk %s\n",
				req, len(a.Obligations)-req, unv, a.Risk.Level)
		}
	case "DraftDocuments":
		if ds, hash, err := draft.Load(ctx, env.dynamo(), env.CaseTable, caseID); err == nil {
			kinds := map[draft.Kind]int{}
			locales := map[string]bool{}
			for _, d := range ds {
				kinds[d.Kind]++
				if d.Kind == draft.KindNotice {
					locales[d.Locale] = true
				}
			}
			var ls []string
			for l := range locales {
				ls = append(ls, l)
			}
			sort.Strings(ls)
			fmt.Fprintf(out, "    %d regulator filings, %d sample notices (%s), %d substitute notices, %d text messages; content hash %.12s\n",
				kinds[draft.KindFiling], kinds[draft.KindNotice], strings.Join(ls, " "), kinds[draft.KindSubstitute], kinds[draft.KindSMS], hash)
		}
	case "SendTextMessages":
		if c, err := env.cases().Get(ctx, caseID); err == nil {
			printTexts(ctx, out, env, c)
		}
	case "PublishPostedNotices":
		if pages, err := (posting.Store{DB: env.dynamo(), Table: env.CaseTable}).Pages(ctx, caseID); err == nil && len(pages) > 0 {
			fmt.Fprintf(out, "    %d pages posted until %s (%s); open %s\n",
				len(pages), pages[0].Until.Format(time.RFC3339), pages[0].Period.Cites(), pages[0].URL)
		}
	}
}

// printTexts sums the SMS records of the case's working version: texts
// accepted, and texts refused by reason (a refused person moves on along
// their channel plan). Counts only; the records hold no number.
func printTexts(ctx context.Context, out io.Writer, env *cliEnv, c cases.Case) {
	set := casetable.SetID(c.CaseID, c.Working())
	sent, refused := 0, map[string]int{}
	for shard := range c.Shards {
		err := ledger.ChannelSends(ctx, env.dynamo(), env.CaseTable, set, shard, casetable.ChannelSMS, func(s ledger.ChannelSend) error {
			if s.Failed != "" {
				refused[s.Failed]++
			} else {
				sent++
			}
			return nil
		})
		if err != nil {
			return
		}
	}
	var why []string
	for code, n := range refused {
		why = append(why, fmt.Sprintf("%s %d", code, n))
	}
	sort.Strings(why)
	line := fmt.Sprintf("    %d texts sent so far", sent)
	if len(why) > 0 {
		line += "; refused, so on to the next channel of their plan: " + strings.Join(why, ", ")
	}
	fmt.Fprintln(out, line)
}

// sendBar shows, every two seconds while the notices go out, how many
// people the ledger records as done, and their final count when the stage
// ends.
type sendBar struct {
	out    io.Writer
	env    *cliEnv
	caseID string
	bar    *progress
	last   time.Time
}

func (b *sendBar) tick(ctx context.Context, state string) {
	if state == "SendCustomerNotices" && time.Since(b.last) >= 2*time.Second {
		b.last = time.Now()
		b.update(ctx)
	}
}

func (b *sendBar) finish(ctx context.Context) {
	if b.bar != nil {
		b.update(ctx)
		b.bar.Finish()
		b.bar = nil // the e-mail stage's second round draws a bar of its own
	}
}

func (b *sendBar) update(ctx context.Context) {
	c, err := b.env.cases().Get(ctx, b.caseID)
	if err != nil {
		return
	}
	by, err := reconcile.Count(ctx, b.env.dynamo(), b.env.CaseTable, b.caseID, c.Shards)
	if err != nil {
		return
	}
	if b.bar == nil {
		total := 0
		for _, n := range by {
			total += n
		}
		b.bar = newProgress(b.out, total-by["duplicate"]-by["no_contact"], "  sending notices", "notices")
	}
	b.bar.Set(by["sent"] + by["delivered"] + by["bounced"] + by["complained"] + by["failed"])
}
