//go:build integration

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	assessstore "breachflow/internal/assess"
	"breachflow/internal/audit"
	"breachflow/internal/breach"
	"breachflow/internal/cases"
	"breachflow/internal/casetable"
	"breachflow/internal/draft"
	"breachflow/internal/evidence"
	"breachflow/internal/local/emulators"
	"breachflow/internal/notice"
	"breachflow/internal/report"
	"breachflow/internal/rules"
	"breachflow/internal/scope"
	"breachflow/internal/usertable"
)

// e2eUsers is the synthetic population of the end-to-end test: a few
// thousand people, enough for every shard and several segments to matter.
const e2eUsers = 3000

// syncBuffer collects the functions' logs from many goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestEndToEnd runs the Kakao Pay-style case through the deployed state
// machine on the real emulators, restarts the whole local stack while the
// case waits for approval, approves, and then checks the outcome against
// what it should be, computed independently of the pipeline.
func TestEndToEnd(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	state := t.TempDir()
	logs := &syncBuffer{}
	opts := emulators.Options{DataDir: filepath.Join(state, "dynamodb"), Log: logs}
	lo := localOptions{template: "../../template.yaml", stateDir: state, log: logs}
	t.Setenv("BREACHFLOW_APPROVERS", "")
	t.Setenv("BREACHFLOW_CONSOLE_URL", "")
	t.Setenv("FILING_ADDRESSES", "")
	t.Setenv("SES_MAX_SEND_RATE", "")

	up, err := startLocal(ctx, opts, lo)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { up.Close() }()
	env, err := loadCLIEnv(ctx)
	if err != nil {
		t.Fatal(err)
	}
	db := dynamodb.NewFromConfig(env.cfg)
	if err := usertable.Seed(ctx, db, up.userTable, usertable.SeedOptions{Users: e2eUsers, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("../../" + demoReport)
	if err != nil {
		t.Fatal(err)
	}
	if raw, err = liveTimeline(raw, time.Now().Add(-2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	r, err := report.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	caseID, _, err := env.cases().PutReport(ctx, raw, r)
	if err != nil {
		t.Fatal(err)
	}
	started, err := env.sfn().StartExecution(ctx, &sfn.StartExecutionInput{
		StateMachineArn: aws.String(up.runtime.StateMachines[stateMachineName]),
		Name:            aws.String(cases.ExecutionName(caseID)),
		Input:           aws.String(`{"case_id":"` + caseID + `"}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	execArn := aws.ToString(started.ExecutionArn)

	// Wait until the approval task is waiting on its token.
	waitFor(ctx, t, "the approval request", func() bool {
		c, err := env.cases().Get(ctx, caseID)
		return err == nil && c.ContentHash != "" && hasEvent(ctx, t, env.sfn(), execArn, sfntypes.HistoryEventTypeTaskSubmitted)
	})

	// A responder asking for the case now learns what it waits for.
	if got := runCLI(ctx, t, "status", caseID); !strings.Contains(got, "approval      pending, 0 of 2 approvals") ||
		!strings.Contains(got, "breachflow approve "+caseID) || !strings.Contains(got, "left") {
		t.Errorf("status while approval is pending:\n%s", got)
	}

	// Restart everything: the engine persists the waiting execution and
	// dynalite keeps its data on disk.
	if err := up.Close(); err != nil {
		t.Fatal(err)
	}
	if up, err = startLocal(ctx, opts, lo); err != nil {
		t.Fatal(err)
	}
	if env, err = loadCLIEnv(ctx); err != nil {
		t.Fatal(err)
	}
	db = dynamodb.NewFromConfig(env.cfg)
	if err := demoApprove(ctx, &bytes.Buffer{}, env, caseID, r.Approvers); err != nil {
		t.Fatal(err)
	}
	var final *sfn.DescribeExecutionOutput
	waitFor(ctx, t, "the execution to end", func() bool {
		final, err = env.sfn().DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(execArn)})
		return err == nil && final.Status != sfntypes.ExecutionStatusRunning
	})
	if final.Status != sfntypes.ExecutionStatusSucceeded {
		t.Fatalf("execution %s: %s: %s\n%v", final.Status, aws.ToString(final.Error), aws.ToString(final.Cause), failures(ctx, env.sfn(), execArn, 3))
	}

	if got := runCLI(ctx, t, "status", caseID); !strings.Contains(got, "status        closed") ||
		!strings.Contains(got, "approval      approved, 2 of 2 approvals") || !strings.Contains(got, "delivery      ") ||
		!strings.Contains(got, "verifies against its signed head") {
		t.Errorf("status after the case closed:\n%s", got)
	}

	msgs, err := emulators.Mailbox{URL: up.stack.SES}.Messages(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("every person in scope got exactly one notice and nobody else any", func(t *testing.T) {
		want := map[string]bool{} // normalised addresses of the people the criteria select
		for i := range e2eUsers {
			u := usertable.Generate(7, i)
			if u.PaymentService != "kakaopay" || !u.OverseasTransfer {
				continue
			}
			if addr, ok := scope.NormaliseEmail(u.Email); ok {
				want[addr] = true
			}
		}
		if len(want) < 500 {
			t.Fatalf("only %d people in scope: the population no longer exercises the case", len(want))
		}
		got := map[string]int{}
		for _, m := range msgs {
			for _, to := range m.Destination.To {
				if strings.HasSuffix(to, "@regulators.example.org") || isApprover(to) {
					continue
				}
				got[strings.ToLower(to)]++
			}
		}
		for addr := range want {
			if got[addr] != 1 {
				t.Errorf("a person in scope got %d notices, want 1", got[addr])
			}
		}
		for addr := range got {
			if !want[addr] {
				t.Errorf("a notice went to an address outside the scope")
			}
		}
		t.Logf("%d addresses in scope, %d notified", len(want), len(got))

		// Each notice speaks its reader's language, and a Californian's
		// carries the title California prescribes.
		byAddr := map[string]emulators.Message{}
		for _, m := range msgs {
			for _, to := range m.Destination.To {
				byAddr[strings.ToLower(to)] = m
			}
		}
		// An address two users share gets one notice, in the language of
		// whoever claimed it first, written for all of them: the language
		// checks below are for unshared addresses, the shared ones after.
		owners := map[string]int{}
		holders := map[string][]string{} // address -> jurisdictions of its users
		for i := range e2eUsers {
			u := usertable.Generate(7, i)
			if a, ok := scope.NormaliseEmail(u.Email); ok && u.PaymentService == "kakaopay" && u.OverseasTransfer {
				owners[a]++
				holders[a] = append(holders[a], scope.Jurisdiction(usertable.DefaultMapping(), u.Country, u.Region))
			}
		}
		checked := map[string]int{}
		for i := range e2eUsers {
			u := usertable.Generate(7, i)
			addr, ok := scope.NormaliseEmail(u.Email)
			if !ok || u.PaymentService != "kakaopay" || !u.OverseasTransfer || owners[addr] > 1 {
				continue
			}
			m := byAddr[addr]
			switch {
			case strings.HasPrefix(u.Locale, "ko") && u.Country == "KR":
				checked["ko"]++
				if !strings.Contains(m.Subject, "개인정보") {
					t.Errorf("a Korean reader's notice (user %d, locale %q) has subject %q", i, u.Locale, m.Subject)
				}
			case u.Country == "US" && u.Region == "CA" && strings.HasPrefix(u.Locale, "en"):
				checked["us-ca"]++
				if !strings.Contains(m.Body.HTML, "Notice of Data Breach") {
					t.Error("a Californian's notice lacks the \"Notice of Data Breach\" title")
				}
			case strings.HasPrefix(u.Locale, "ja"):
				checked["ja"]++
				if !strings.ContainsAny(m.Subject, "個人情報漏えい") {
					t.Errorf("a Japanese reader's notice has subject %q", m.Subject)
				}
			}
		}
		if checked["ko"] == 0 || checked["us-ca"] == 0 || checked["ja"] == 0 {
			t.Errorf("languages checked %v: the population no longer covers them", checked)
		}

		// The one notice to a shared address carries what each holder's law
		// requires: every element of each individuals duty covering them,
		// and the sections only their law has.
		a, err := assessmentOf(ctx, env, caseID)
		if err != nil {
			t.Fatal(err)
		}
		for addr, js := range holders {
			if len(js) < 2 {
				continue
			}
			checked["shared"]++
			if notice.Combination(js...) != "" {
				checked["shared across jurisdictions"]++
			}
			html := byAddr[addr].Body.HTML
			for _, j := range js {
				for _, o := range a.Obligations {
					if o.Required && o.RecipientKind == breach.RecipientIndividuals && notice.Covers(o.Jurisdiction, j) {
						if err := notice.Check("notice to an address shared by "+strings.Join(js, ", "), html, draft.Duty(o)); err != nil {
							t.Error(err)
						}
					}
				}
				for _, want := range map[string][]string{"KR": {"kopico.go.kr"}, "US-CA": {"Notice of Data Breach", "identitytheft.gov"}}[j] {
					if !strings.Contains(html, want) {
						t.Errorf("the notice to an address shared by %v lacks %q, which a %s holder needs", js, want, j)
					}
				}
			}
		}
		if checked["shared across jurisdictions"] == 0 {
			t.Errorf("addresses checked %v: the population no longer shares an address across jurisdictions", checked)
		}
	})

	t.Run("every regulator due a filing got one with its required content", func(t *testing.T) {
		a, err := assessmentOf(ctx, env, caseID)
		if err != nil {
			t.Fatal(err)
		}
		drafts, _, err := draft.Load(ctx, db, env.CaseTable, caseID)
		if err != nil {
			t.Fatal(err)
		}
		filings := map[string]emulators.Message{} // by address
		for _, m := range msgs {
			for _, to := range m.Destination.To {
				if strings.HasSuffix(to, "@regulators.example.org") {
					if _, dup := filings[to]; dup {
						t.Errorf("filing %s sent twice", to)
					}
					filings[to] = m
				}
			}
		}
		due := 0
		for _, o := range a.Obligations {
			if !o.Required || o.RecipientKind != breach.RecipientRegulator {
				continue
			}
			due++
			var addr string
			for _, d := range drafts {
				if d.Kind == draft.KindFiling && slices.Contains(d.ObligationIDs, o.ID) {
					addr = "filings+" + d.ID + "@regulators.example.org"
				}
			}
			m, ok := filings[addr]
			if addr == "" || !ok {
				t.Errorf("no filing was sent for %s (%s)", o.ID, o.Citation)
				continue
			}
			els := notice.Elements(m.Body.HTML)
			for _, e := range o.Elements {
				if !els[e] {
					t.Errorf("filing for %s lacks %q, which %s requires", o.ID, e, o.Citation)
				}
			}
			if len(m.Attachments) == 0 {
				t.Errorf("filing for %s has no attachment", o.ID)
			}
		}
		t.Logf("%d regulator duties, %d filings sent", due, len(filings))
		if due == 0 || len(filings) == 0 {
			t.Fatalf("%d regulator duties, %d filings sent: the case no longer exercises filings", due, len(filings))
		}
	})

	t.Run("no personal data in execution history or logs", func(t *testing.T) {
		hist, err := env.sfn().GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(execArn), IncludeExecutionData: aws.Bool(true), MaxResults: 1000})
		if err != nil {
			t.Fatal(err)
		}
		h, _ := json.Marshal(hist.Events)
		for name, text := range map[string]string{"execution history": string(h), "logs": logs.String()} {
			if len(text) < 1000 {
				t.Fatalf("%s is nearly empty (%d bytes): nothing was checked", name, len(text))
			}
			for i := range e2eUsers {
				u := usertable.Generate(7, i)
				for _, v := range []string{u.Email, u.Phone, u.Name} {
					if len(v) > 5 && strings.Contains(text, v) {
						t.Fatalf("%s contains personal data of seeded user %d", name, i)
					}
				}
			}
		}
	})

	t.Run("the evidence pack proves delivery per person without addresses", func(t *testing.T) {
		dir := t.TempDir()
		p, err := evidence.Source{DB: db, Table: env.CaseTable, Audit: env.audit()}.Write(ctx, caseID, dir)
		if err != nil {
			t.Fatal(err)
		}
		if p.AuditError != nil {
			t.Fatalf("audit chain: %v", p.AuditError)
		}
		for _, f := range []string{"report.json", "case.json", "obligations.json", "drafts/index.json", "approvals.json", "audit.json", "audit-head.json", "manifest.json", "ledger.csv", "fallback.csv", "summary.html"} {
			if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
				t.Errorf("pack lacks %s", f)
			}
		}
		// The case's Korean notices print the mediation committee's
		// number, which the research did not verify: the summary says so.
		if summary, err := os.ReadFile(filepath.Join(dir, "summary.html")); err != nil || !strings.Contains(string(summary), "not verified") || !strings.Contains(string(summary), "www.kopico.go.kr") {
			t.Errorf("summary.html does not list the unverified contact details the documents print (read error %v)", err)
		}
		ledgerCSV, err := os.ReadFile(filepath.Join(dir, "ledger.csv"))
		if err != nil {
			t.Fatal(err)
		}
		rows := strings.Count(string(ledgerCSV), "\n") - 1
		people := 0
		for _, n := range p.Case.Subjects {
			people += n
		}
		if rows != people {
			t.Errorf("ledger has %d rows for %d people in scope", rows, people)
		}
		if strings.Contains(string(ledgerCSV), "@") {
			t.Error("ledger.csv carries an address: proof is by user id and SES message id")
		}
		if len(p.Rounds) != 1 || len(p.Rounds[0].Votes) != 2 {
			t.Errorf("approval rounds %+v: want one round with two votes", p.Rounds)
		}
		// The pack proves itself offline, and a changed ledger.csv is named.
		if got := runCLI(ctx, t, "evidence", "--verify", "--pack", dir); !strings.Contains(got, "verifies") {
			t.Errorf("offline verification of a fresh pack: %s", got)
		}
		if err := os.WriteFile(filepath.Join(dir, "ledger.csv"), append(ledgerCSV, []byte("u-forged,0,KR,ko,sent,,m,,,\n")...), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := newRoot()
		cmd.SetArgs([]string{"evidence", "--verify", "--pack", dir})
		cmd.SetOut(&bytes.Buffer{})
		if err := cmd.ExecuteContext(ctx); err == nil || !strings.Contains(err.Error(), "ledger.csv: changed since the pack was written") {
			t.Errorf("offline verification of a pack with a tampered ledger.csv: %v", err)
		}
	})

	t.Run("the audit chain verifies and a tampered or deleted entry is caught", func(t *testing.T) {
		log := env.audit()
		chain, err := log.Verify(ctx, caseID)
		if err != nil {
			t.Fatalf("untouched chain: %v", err)
		}
		entries := chain.Entries
		if len(entries) < 4 {
			t.Fatalf("audit log has %d entries; want links issued, votes, quorum and close", len(entries))
		}
		t.Logf("audit chain of %d entries verifies against its signed head", len(entries))
		var actions []string
		for _, e := range entries {
			actions = append(actions, e.Action)
		}
		for _, want := range []string{"case.opened", "case.scoped", "case.assessed", "case.drafted", "approval.quorum", "case.closed", "evidence.pack_written"} {
			if !slices.Contains(actions, want) {
				t.Errorf("audit log lacks %s: %v", want, actions)
			}
		}
		if actions[0] != "case.opened" {
			t.Errorf("audit log starts with %s, want case.opened", actions[0])
		}
		// Issue 22: deleting the last two entries went unnoticed.
		n := int64(len(entries))
		for _, seq := range []int64{n, n - 1} {
			_, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(env.CaseTable), Key: map[string]ddbtypes.AttributeValue{
				casetable.AttrPK: &ddbtypes.AttributeValueMemberS{Value: casetable.CasePK(caseID)},
				casetable.AttrSK: &ddbtypes.AttributeValueMemberS{Value: audit.SortKey(seq)},
			}})
			if err != nil {
				t.Fatal(err)
			}
		}
		cmd := newRoot()
		cmd.SetArgs([]string{"evidence", caseID, "--verify"})
		cmd.SetOut(&bytes.Buffer{})
		err = cmd.ExecuteContext(ctx)
		if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("breaks at entry %d: entries %d to %d", n-1, n-1, n)) {
			t.Fatalf("breachflow evidence --verify after deleting the last two entries: %v", err)
		}
		if got := runCLI(ctx, t, "status", caseID); !strings.Contains(got, fmt.Sprintf("audit log     DOES NOT VERIFY: entries %d to %d", n-1, n)) {
			t.Errorf("status after deleting the last two audit entries:\n%s", got)
		}
		victim := entries[len(entries)/2]
		_, err = db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: aws.String(env.CaseTable),
			Key: map[string]ddbtypes.AttributeValue{
				casetable.AttrPK: &ddbtypes.AttributeValueMemberS{Value: casetable.CasePK(caseID)},
				casetable.AttrSK: &ddbtypes.AttributeValueMemberS{Value: audit.SortKey(victim.Seq)},
			},
			UpdateExpression:          aws.String("SET actor = :a"),
			ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":a": &ddbtypes.AttributeValueMemberS{Value: "someone-else"}},
		})
		if err != nil {
			t.Fatal(err)
		}
		_, err = log.Verify(ctx, caseID)
		var brk *audit.BreakError
		if !errors.As(err, &brk) || brk.Seq != victim.Seq {
			t.Fatalf("tampered entry %d: Verify = %v, want a break at it", victim.Seq, err)
		}
	})
}

func isApprover(addr string) bool {
	for _, a := range demoApprovers {
		if strings.EqualFold(a, addr) {
			return true
		}
	}
	return false
}

func assessmentOf(ctx context.Context, env *cliEnv, caseID string) (rules.Assessment, error) {
	return (&assessstore.Store{DB: env.dynamo(), Table: env.CaseTable}).Get(ctx, caseID)
}

func hasEvent(ctx context.Context, t *testing.T, c *sfn.Client, arn string, typ sfntypes.HistoryEventType) bool {
	out, err := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn), MaxResults: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range out.Events {
		if e.Type == typ {
			return true
		}
	}
	return false
}

// runCLI runs a breachflow command in process and returns what it printed.
func runCLI(ctx context.Context, t *testing.T, args ...string) string {
	t.Helper()
	var out bytes.Buffer
	cmd := newRoot()
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	if err := cmd.ExecuteContext(ctx); err != nil {
		t.Fatalf("breachflow %v: %v", args, err)
	}
	return out.String()
}

// waitFor polls cond until it holds; the test's context bounds the wait.
func waitFor(ctx context.Context, t *testing.T, what string, cond func() bool) {
	t.Helper()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("gave up waiting for %s", what)
		case <-time.After(50 * time.Millisecond):
		}
	}
}
