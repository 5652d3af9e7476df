//go:build integration

package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"breachflow/internal/approval"
	"breachflow/internal/audit"
	"breachflow/internal/cases"
	"breachflow/internal/casetable"
	"breachflow/internal/draft"
	"breachflow/internal/ledger"
	"breachflow/internal/local/emulators"
)

// editReport returns raw with edit applied to its decoded JSON.
func editReport(t *testing.T, raw []byte, edit func(doc map[string]any)) []byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	edit(doc)
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// writeReport writes raw to a file of the test's and returns its path.
func writeReport(t *testing.T, raw []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "report.json")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// runCLIErr runs a breachflow command in process and returns its error.
func runCLIErr(ctx context.Context, args ...string) (string, error) {
	var out bytes.Buffer
	cmd := newRoot()
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.ExecuteContext(ctx)
	return out.String(), err
}

// mailsTo counts the messages the SES emulator holds, by lower-cased
// recipient, apart from approval mail.
func mailsTo(ctx context.Context, t *testing.T, lc *localCase) (notices map[string][]string, filings []string) {
	t.Helper()
	msgs, err := emulators.Mailbox{URL: lc.up.stack.SES}.Messages(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	notices = map[string][]string{}
	for _, m := range msgs {
		to := strings.ToLower(strings.Join(m.Destination.To, ","))
		switch {
		case isApprover(to):
		case strings.Contains(to, "@regulators.example.org"):
			filings = append(filings, to+" "+m.Subject)
		default:
			notices[to] = append(notices[to], m.Subject)
		}
	}
	return notices, filings
}

func verifyAudit(ctx context.Context, t *testing.T, env *cliEnv, caseID string) []audit.Entry {
	t.Helper()
	chain, err := env.audit().Verify(ctx, caseID)
	if err != nil {
		t.Errorf("audit chain: %v", err)
	}
	return chain.Entries
}

// TestRejectedThenAmended is Must-show 2 of issue 17: the approvers
// reject the drafts with a reason; the reason is kept on the case (and
// shown by status), never in the execution history; the execution waits
// for a revision; the responder amends; the approvers are asked again,
// approve, and the case completes with every person noticed once.
func TestRejectedThenAmended(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	lc := startLocalCase(ctx, t, 300, 7)
	env, caseID := lc.env, lc.caseID
	const reason = "The helpline number in the notice is the old one; use the new hotline"

	cfg, err := approvalConfig(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	svc := approval.NewAWSService(env.cfg, env.CaseTable, cfg, nil)
	waitFor(ctx, t, "the approval request", func() bool {
		_, err := svc.Decide(ctx, approval.Decision{CaseID: caseID, Approver: lc.report.Approvers[0], Approve: false, Comment: reason})
		return err == nil
	})
	waitFor(ctx, t, "the case to wait for a revision", func() bool {
		c, err := env.cases().Get(ctx, caseID)
		return err == nil && c.Waiting == cases.WaitingRevision
	})
	st := runCLI(ctx, t, "status", caseID)
	for _, want := range []string{reason, "waiting for   a revision", "breachflow amend " + caseID, "breachflow redraft " + caseID} {
		if !strings.Contains(st, want) {
			t.Errorf("status of the rejected case lacks %q:\n%s", want, st)
		}
	}
	if h := history(ctx, t, env, aws.ToString(lc.arn)); strings.Contains(h, "hotline") {
		t.Errorf("the rejection's reason is in the execution history")
	}
	if notices, filings := mailsTo(ctx, t, lc); len(notices)+len(filings) != 0 {
		t.Fatalf("a rejected case sent %d notices and %d filings", len(notices), len(filings))
	}

	raw, err := env.cases().RawReport(ctx, caseID)
	if err != nil {
		t.Fatal(err)
	}
	v2 := editReport(t, raw, func(doc map[string]any) {
		doc["measures_for_individuals"] = []any{"Call our new hotline, +82-2-0000-1111, with any question", "Change your account password and enable two-step verification"}
	})
	out := runCLI(ctx, t, "amend", caseID, writeReport(t, v2))
	for _, want := range []string{"version 2 recorded", "measures_for_individuals[0]", "takes version 2 up"} {
		if !strings.Contains(out, want) {
			t.Errorf("amend said:\n%s\nwant %q", out, want)
		}
	}
	approveNewRound(ctx, t, env, caseID, lc.report.Approvers)
	if d := lc.ended(t); d.Status != sfntypes.ExecutionStatusSucceeded {
		t.Log(runCLI(ctx, t, "status", caseID))
		t.Fatalf("after the amendment: %s %s: %s", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
	}
	c, err := env.cases().Get(ctx, caseID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != cases.StatusClosed || c.Working() != 2 || c.Latest() != 2 || !c.Sent(2) || c.Sent(1) {
		t.Errorf("case after the loop: status %s, working %d, latest %d, sent %v", c.Status, c.Working(), c.Latest(), c.SentVersions)
	}
	notices, filings := mailsTo(ctx, t, lc)
	for to, subjects := range notices {
		if len(subjects) != 1 {
			t.Errorf("%d notices to one address (%.3s…)", len(subjects), to)
		}
	}
	if len(filings) == 0 || len(notices) == 0 || len(notices) != c.Delivery["sent"]+c.Delivery["delivered"] {
		t.Errorf("%d filings, %d people noticed; the ledger records %v", len(filings), len(notices), c.Delivery)
	}
	seen := map[string]int{}
	for _, e := range verifyAudit(ctx, t, env, caseID) {
		seen[e.Action]++
	}
	if seen["approval.rejected"] != 1 || seen["case.amended"] != 1 || seen["case.awaiting_revision"] != 1 || seen["case.closed"] != 1 || seen["approval.requested"] != 2 {
		t.Errorf("audit actions %v", seen)
	}
	t.Run("bad amendments", func(t *testing.T) { badAmendments(ctx, t, env, caseID, v2) })
}

// badAmendments is the bad-input list of issue 17: each amendment is
// refused with the field named, and nothing is recorded.
func badAmendments(ctx context.Context, t *testing.T, env *cliEnv, caseID string, latest []byte) {
	before, err := env.cases().Get(ctx, caseID)
	if err != nil {
		t.Fatal(err)
	}
	entries := len(verifyAudit(ctx, t, env, caseID))
	cases := []struct {
		name, caseID string
		edit         func(doc map[string]any)
		want         []string
	}{
		{"another report_id", caseID, func(doc map[string]any) { doc["report_id"] = "another-report-2024" }, []string{"report_id", "nothing recorded"}},
		{"a case that does not exist", "no-such-case-2024", func(doc map[string]any) { doc["report_id"] = "no-such-case-2024" }, []string{"no-such-case-2024: no such case", "nothing recorded"}},
		{"a data category dropped", caseID, func(doc map[string]any) { doc["data_categories"] = doc["data_categories"].([]any)[1:] }, []string{"data_categories", "--allow-narrowing", "nothing recorded"}},
		{"scope narrowed", caseID, func(doc map[string]any) {
			doc["scope"] = map[string]any{"all": []any{doc["scope"], map[string]any{"attr": "tier", "op": "=", "value": "gold"}}}
		}, []string{"scope", "widening", "nothing recorded"}},
		{"a jurisdiction's count lowered", caseID, func(doc map[string]any) { doc["subject_counts"] = map[string]any{"KR": 1} }, []string{"subject_counts.KR"}},
		{"an invalid report", caseID, func(doc map[string]any) { delete(doc["organisation"].(map[string]any), "name") }, []string{"organisation.name"}},
		{"the same report again", caseID, func(map[string]any) {}, []string{"identical to version 2"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := runCLIErr(ctx, "amend", tc.caseID, writeReport(t, editReport(t, latest, tc.edit)))
			if err == nil {
				t.Fatalf("accepted:\n%s", out)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
	after, err := env.cases().Get(ctx, caseID)
	if err != nil {
		t.Fatal(err)
	}
	if after.Latest() != before.Latest() || len(after.Versions) != len(before.Versions) || after.Status != before.Status || after.ReportSHA256 != before.ReportSHA256 {
		t.Errorf("refused amendments changed the case: %+v -> %+v", before, after)
	}
	if n := len(verifyAudit(ctx, t, env, caseID)); n != entries {
		t.Errorf("refused amendments wrote %d audit entries", n-entries)
	}
}

// approveNewRound approves the case's next approval round as each
// approver; until the workflow has asked again, the latest round is the
// one decided before, and the decision is retried.
func approveNewRound(ctx context.Context, t *testing.T, env *cliEnv, caseID string, approvers []string) {
	t.Helper()
	for {
		err := demoApprove(ctx, &bytes.Buffer{}, env, caseID, approvers)
		if err == nil {
			return
		}
		if !errors.Is(err, approval.ErrClosed) {
			t.Fatal(err)
		}
		select {
		case <-ctx.Done():
			t.Fatal("gave up waiting for a new approval round")
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// stateTrail lists the events of the execution, for a failure's log.
func stateTrail(ctx context.Context, t *testing.T, env *cliEnv, arn string) string {
	t.Helper()
	var b strings.Builder
	p := sfn.NewGetExecutionHistoryPaginator(env.sfn(), &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err.Error()
		}
		for _, e := range page.Events {
			b.WriteString(string(e.Type))
			if d := e.StateEnteredEventDetails; d != nil {
				b.WriteString(" " + aws.ToString(d.Name))
			}
			if d := e.TaskFailedEventDetails; d != nil {
				b.WriteString(" " + aws.ToString(d.Error))
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

// history is the execution's whole history as text.
func history(ctx context.Context, t *testing.T, env *cliEnv, arn string) string {
	t.Helper()
	var b strings.Builder
	p := sfn.NewGetExecutionHistoryPaginator(env.sfn(), &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page.Events {
			js, _ := json.Marshal(e)
			b.Write(js)
		}
	}
	return b.String()
}

// TestMissingElementAmendResume is Must-show 3 of issue 17: the run fails
// in DraftDocuments on a content element the report lacks (the reasons of
// a late GDPR filing); status says to amend and resume; the amendment adds
// the fact; resume continues the same execution, which takes the new
// version up, and the case completes. Nothing is sent twice.
func TestMissingElementAmendResume(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	full, err := os.ReadFile("../../" + demoReport)
	if err != nil {
		t.Fatal(err)
	}
	// The sample's own dates: the EU residents scoping finds make a GDPR
	// filing that is years late, which must state why.
	v1 := editReport(t, full, func(doc map[string]any) { delete(doc, "delay_reason") })
	lc := startLocalCaseFrom(ctx, t, localOptions{template: "../../template.yaml"}, 300, 3, v1)
	env, caseID := lc.env, lc.caseID
	d := lc.ended(t)
	if d.Status != sfntypes.ExecutionStatusFailed || aws.ToString(d.Error) != "MissingContentElement" {
		t.Fatalf("first run: %s %s: %s, want FAILED on MissingContentElement", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
	}
	if st := runCLI(ctx, t, "status", caseID); !strings.Contains(st, "breachflow amend "+caseID) || !strings.Contains(st, "breachflow resume "+caseID) {
		t.Errorf("status of the failed run does not point to amend and resume:\n%s", st)
	}
	out := runCLI(ctx, t, "amend", caseID, writeReport(t, full))
	if !strings.Contains(out, "delay_reason: (none) -> ") || !strings.Contains(out, "breachflow resume "+caseID) {
		t.Errorf("amend said:\n%s", out)
	}
	if got := runCLI(ctx, t, "resume", caseID); !strings.Contains(got, "resumed (redrive 1)") {
		t.Fatalf("resume said:\n%s", got)
	}
	if err := demoApprove(ctx, &bytes.Buffer{}, env, caseID, lc.report.Approvers); err != nil {
		t.Log(stateTrail(ctx, t, env, aws.ToString(lc.arn)))
		t.Fatal(err)
	}
	lc.succeeded(t, "after resume")
	c, err := env.cases().Get(ctx, caseID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != cases.StatusClosed || c.Working() != 2 {
		t.Errorf("case: %s at version %d", c.Status, c.Working())
	}
	notices, filings := mailsTo(ctx, t, lc)
	for to, subjects := range notices {
		if len(subjects) != 1 {
			t.Errorf("%d notices to one address (%.3s…)", len(subjects), to)
		}
	}
	seenFiling := map[string]int{}
	for _, s := range filings {
		seenFiling[s]++
	}
	for s, n := range seenFiling {
		if n != 1 {
			t.Errorf("filing %q sent %d times", s, n)
		}
	}
	if len(filings) == 0 || len(notices) != c.Delivery["sent"]+c.Delivery["delivered"] {
		t.Errorf("%d filings, %d people noticed; the ledger records %v", len(filings), len(notices), c.Delivery)
	}
	verifyAudit(ctx, t, env, caseID)
}

// TestAmendmentSendsOnlyTheDelta is Must-show 1 of issue 17. Version 1
// reaches its people and files with the regulators (PIPC/KISA among
// them); the case closes. An amendment widens the scope (more people) and
// adds a data category every person holds. amend starts a new execution;
// after approval, every address version 1 reached has exactly two
// notices (its first and one update, which says it is one), every address
// new in version 2 exactly one first notice, nobody else anything; each
// regulator filed before gets one follow-up that names the first filing;
// and the audit chain verifies across both versions.
func TestAmendmentSendsOnlyTheDelta(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	full := liveDemoReport(t)
	// Unlawful access from outside: PIPC/KISA must be told whatever the
	// number of people (PIPA Decree Art. 40(1)).
	v1 := editReport(t, full, func(doc map[string]any) { doc["cause"].(map[string]any)["external"] = true })
	lc := startLocalCaseFrom(ctx, t, localOptions{template: "../../template.yaml"}, 400, 11, v1)
	env, caseID := lc.env, lc.caseID
	if err := demoApprove(ctx, &bytes.Buffer{}, env, caseID, lc.report.Approvers); err != nil {
		t.Fatal(err)
	}
	lc.succeeded(t, "version 1")
	v1Notices, v1Filings := mailsTo(ctx, t, lc)
	if len(v1Notices) == 0 || len(v1Filings) == 0 {
		t.Fatalf("version 1 sent %d notices and %d filings", len(v1Notices), len(v1Filings))
	}
	pipc := ""
	for _, f := range v1Filings {
		if strings.Contains(f, "kr-pipa") {
			pipc = f
		}
	}
	if pipc == "" {
		t.Fatalf("version 1 filed with no PIPC/KISA address: %v", v1Filings)
	}

	raw, err := env.cases().RawReport(ctx, caseID)
	if err != nil {
		t.Fatal(err)
	}
	v2 := editReport(t, raw, func(doc map[string]any) {
		doc["data_categories"] = append(doc["data_categories"].([]any), "name")
		doc["scope"] = map[string]any{"any": []any{doc["scope"], map[string]any{"all": []any{
			map[string]any{"attr": "payment_service", "op": "=", "value": "kakaopay"},
			map[string]any{"attr": "overseas_transfer", "op": "=", "value": false},
		}}}}
	})
	out := runCLI(ctx, t, "amend", caseID, writeReport(t, v2))
	if !strings.Contains(out, "version 2 recorded") || !strings.Contains(out, "data_categories") || !strings.Contains(out, "a new execution takes version 2 up") {
		t.Fatalf("amend said:\n%s", out)
	}
	c, err := env.cases().Get(ctx, caseID)
	if err != nil {
		t.Fatal(err)
	}
	lc.arn = aws.String(c.ExecutionArn)
	approveNewRound(ctx, t, env, caseID, lc.report.Approvers)
	lc.succeeded(t, "version 2")
	notices, filings := mailsTo(ctx, t, lc)
	newPeople := 0
	for to, subjects := range notices {
		if _, old := v1Notices[to]; old {
			if len(subjects) != 2 {
				t.Errorf("a version-1 address got %d notices, want its first and one update: %q", len(subjects), subjects)
			} else if !strings.Contains(subjects[1], "추가 안내") && !strings.Contains(subjects[1], "Update") && !strings.Contains(subjects[1], "更新") && !strings.Contains(subjects[1], "Aktualisierung") {
				t.Errorf("the second notice to a version-1 address is not an update: %q", subjects[1])
			}
			continue
		}
		newPeople++
		if len(subjects) != 1 {
			t.Errorf("an address new in version 2 got %d notices", len(subjects))
		}
	}
	if newPeople == 0 {
		t.Errorf("the wider scope reached nobody new")
	}
	if len(notices) < len(v1Notices) {
		t.Errorf("%d addresses after version 2, %d after version 1", len(notices), len(v1Notices))
	}
	followups := 0
	for _, f := range filings[len(v1Filings):] {
		if strings.Contains(f, "보완 신고") || strings.Contains(f, "Supplementary report") {
			followups++
		}
	}
	if len(filings) != 2*len(v1Filings) || followups != len(v1Filings) {
		t.Errorf("filings: %d after version 1, %d after version 2 of which %d follow-ups; want one follow-up per regulator filed", len(v1Filings), len(filings), followups)
	}
	recs, err := ledger.Filings(ctx, env.dynamo(), env.CaseTable, caseID)
	if err != nil {
		t.Fatal(err)
	}
	first := map[string]ledger.FilingRecord{}
	for _, r := range recs {
		first[r.ObligationID] = r
	}
	for id, r := range first {
		base, isFollowup := strings.CutSuffix(id, "-v2")
		if !isFollowup {
			continue
		}
		if orig, ok := first[base]; !ok || orig.MessageID == "" || r.SentAt.IsZero() {
			t.Errorf("follow-up %s: first filing %+v", id, orig)
		} else if !followupNames(ctx, t, lc, orig.MessageID) {
			t.Errorf("no follow-up names the first filing's reference %s", orig.MessageID)
		}
	}
	ds, _, err := draft.Load(ctx, env.dynamo(), env.CaseTable, caseID)
	if err != nil {
		t.Fatal(err)
	}
	updates := 0
	for _, d := range ds {
		if strings.Contains(d.ID, "-update-v2") {
			updates++
		}
	}
	if updates == 0 {
		t.Errorf("the approvers of version 2 read no update notice among %d drafts", len(ds))
	}
	c, err = env.cases().Get(ctx, caseID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != cases.StatusClosed || !c.Sent(1) || !c.Sent(2) {
		t.Errorf("case after version 2: %s, sent %v", c.Status, c.SentVersions)
	}
	seen := map[string]int{}
	for _, e := range verifyAudit(ctx, t, env, caseID) {
		seen[e.Action]++
	}
	if seen["case.amended"] != 1 || seen["case.version_begun"] != 1 || seen["case.closed"] != 2 {
		t.Errorf("audit actions %v", seen)
	}

	t.Run("the evidence pack holds both versions, each with its ledger rows", func(t *testing.T) {
		sent := 0 // e-mails to people, both versions
		for _, subjects := range notices {
			sent += len(subjects)
		}
		evidencePackHoldsVersions(ctx, t, env, caseID, map[int][]byte{1: raw, 2: v2}, map[int]int{1: len(v1Notices), 2: sent - len(v1Notices)})
	})
}

// evidencePackHoldsVersions writes caseID's evidence pack and checks that it
// holds each version's report byte for byte, lists the versions with their
// hashes, has ledger.csv rows per version with e-mails as many as each
// version sent (sent), and still verifies offline.
func evidencePackHoldsVersions(ctx context.Context, t *testing.T, env *cliEnv, caseID string, reports map[int][]byte, sent map[int]int) {
	t.Helper()
	dir := t.TempDir()
	runCLI(ctx, t, "evidence", caseID, "--out", dir)
	var versions []struct {
		Version int
		File    string
		SHA256  string
		Sent    bool
		People  int
	}
	b, err := os.ReadFile(filepath.Join(dir, "versions.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &versions); err != nil {
		t.Fatal(err)
	}
	if len(versions) != len(reports) {
		t.Fatalf("versions.json lists %d versions, want %d: %s", len(versions), len(reports), b)
	}
	for _, v := range versions {
		got, err := os.ReadFile(filepath.Join(dir, v.File))
		if err != nil {
			t.Fatalf("version %d: %v", v.Version, err)
		}
		if !bytes.Equal(got, reports[v.Version]) {
			t.Errorf("version %d: %s is not the report as amended", v.Version, v.File)
		}
		if sum := sha256.Sum256(got); hex.EncodeToString(sum[:]) != v.SHA256 {
			t.Errorf("version %d: sha256 in versions.json does not match %s", v.Version, v.File)
		}
		if !v.Sent || v.People == 0 {
			t.Errorf("version %d: sent %v, %d people", v.Version, v.Sent, v.People)
		}
	}
	rows := readCSV(t, filepath.Join(dir, "ledger.csv"))
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	if _, ok := col["version"]; !ok {
		t.Fatalf("ledger.csv header %v: no version column", rows[0])
	}
	mailed := map[int]int{}
	for _, r := range rows[1:] {
		v, err := strconv.Atoi(r[col["version"]])
		if err != nil {
			t.Fatalf("ledger.csv row %v: version %q", r, r[col["version"]])
		}
		if r[col["channel"]] == "email" && r[col["message_id"]] != "" && r[col["status"]] != "duplicate" {
			mailed[v]++
		}
	}
	for v, n := range sent {
		if mailed[v] != n {
			t.Errorf("ledger.csv: version %d has %d e-mail rows with a message id, the mailbox %d notices", v, mailed[v], n)
		}
	}
	// fallback.csv lists, version by version, the people e-mail did not
	// reach: everyone whose e-mail row in ledger.csv has a fallback
	// status, and nobody that version's e-mail reached. Both versions of
	// the seeded population have people with no address.
	inVersion, mailFailed, mailReached := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, r := range rows[1:] {
		k := r[col["version"]] + " " + r[col["user_id"]]
		inVersion[k] = true
		if r[col["channel"]] == "email" {
			if slices.Contains(ledger.FallbackStatuses, casetable.Status(r[col["status"]])) {
				mailFailed[k] = true
			} else {
				mailReached[k] = true
			}
		}
	}
	fb := readCSV(t, filepath.Join(dir, "fallback.csv"))
	if !slices.Equal(fb[0], ledger.CSVHeader) {
		t.Fatalf("fallback.csv header %v", fb[0])
	}
	listed, perVersion := map[string]bool{}, map[string]int{}
	for _, r := range fb[1:] {
		k := r[len(r)-1] + " " + r[0]
		listed[k] = true
		perVersion[r[len(r)-1]]++
		if !inVersion[k] || mailReached[k] {
			t.Errorf("fallback.csv lists %s: in that version's ledger %v, reached by e-mail %v", k, inVersion[k], mailReached[k])
		}
	}
	for k := range mailFailed {
		if !listed[k] {
			t.Errorf("ledger.csv: %s was not reached by e-mail and is not on fallback.csv", k)
		}
	}
	for v := range reports {
		if perVersion[strconv.Itoa(v)] == 0 {
			t.Errorf("fallback.csv has no row of version %d: %v", v, perVersion)
		}
	}
	if got := runCLI(ctx, t, "evidence", "--verify", "--pack", dir); !strings.Contains(got, "verifies") {
		t.Errorf("offline verification of the pack: %s", got)
	}
	if summary, err := os.ReadFile(filepath.Join(dir, "summary.html")); err != nil || !strings.Contains(string(summary), "Versions of the report") {
		t.Errorf("summary.html lists no versions (%v)", err)
	}
}

// followupNames reports whether a filing in the mailbox quotes ref.
func followupNames(ctx context.Context, t *testing.T, lc *localCase, ref string) bool {
	t.Helper()
	msgs, err := emulators.Mailbox{URL: lc.up.stack.SES}.Messages(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if strings.Contains(m.Body.Text, ref) || strings.Contains(m.Body.HTML, ref) {
			return true
		}
	}
	return false
}

// TestAmendWhileApproversAreAsked: an amendment while the approvers are
// asked withdraws their round; the execution drafts the new version and
// asks again; nothing of the first version is sent.
func TestAmendWhileApproversAreAsked(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	lc := startLocalCase(ctx, t, 300, 13)
	env, caseID := lc.env, lc.caseID
	lc.awaitApproval(t)
	raw, err := env.cases().RawReport(ctx, caseID)
	if err != nil {
		t.Fatal(err)
	}
	v2 := editReport(t, raw, func(doc map[string]any) {
		doc["measures_taken"] = append(doc["measures_taken"].([]any), "Rotated the partner's API credentials")
	})
	if out := runCLI(ctx, t, "amend", caseID, writeReport(t, v2)); !strings.Contains(out, "pending approval round was withdrawn") {
		t.Fatalf("amend said:\n%s", out)
	}
	approveNewRound(ctx, t, env, caseID, lc.report.Approvers)
	lc.succeeded(t, "after the amendment")
	c, err := env.cases().Get(ctx, caseID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Working() != 2 || c.Sent(1) || !c.Sent(2) {
		t.Errorf("case: working %d, sent %v; want only version 2 sent", c.Working(), c.SentVersions)
	}
	notices, _ := mailsTo(ctx, t, lc)
	for to, subjects := range notices {
		if len(subjects) != 1 {
			t.Errorf("%d notices to one address (%.3s…)", len(subjects), to)
		}
	}
	seen := map[string]int{}
	for _, e := range verifyAudit(ctx, t, env, caseID) {
		seen[e.Action]++
	}
	if seen["approval.withdrawn"] != 1 || seen["approval.requested"] != 2 || seen["case.closed"] != 1 {
		t.Errorf("audit actions %v", seen)
	}
}

// TestAmendWhileSending: an amendment that arrives while customer notices
// go out neither stops nor races the send. Version 1's send finishes for
// everyone in it, the running execution takes version 2 up at its close
// (VersionClosed), and after the second approval every address holds at
// most its first notice and one update: nobody skipped, nobody mailed the
// same version twice.
func TestAmendWhileSending(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	full := liveDemoReport(t)
	slow := writeEnvVars(t, `{"Parameters": {"SES_MAX_SEND_RATE": "40"}}`) // several seconds of sending
	lc := startLocalCaseFrom(ctx, t, localOptions{template: "../../template.yaml", envVars: slow}, 400, 11, full)
	env, caseID := lc.env, lc.caseID
	if err := demoApprove(ctx, &bytes.Buffer{}, env, caseID, lc.report.Approvers); err != nil {
		t.Fatal(err)
	}
	waitFor(ctx, t, "customer notices going out", func() bool {
		notices, _ := mailsTo(ctx, t, lc)
		return len(notices) >= 10
	})
	firstARN := aws.ToString(lc.arn)
	raw, err := env.cases().RawReport(ctx, caseID)
	if err != nil {
		t.Fatal(err)
	}
	v2 := editReport(t, raw, func(doc map[string]any) {
		doc["data_categories"] = append(doc["data_categories"].([]any), "name")
	})
	out := runCLI(ctx, t, "amend", caseID, writeReport(t, v2))
	if !strings.Contains(out, "version 2 recorded") || !strings.Contains(out, "takes version 2 up before it closes") {
		t.Fatalf("amend during the send said:\n%s", out)
	}
	approveNewRound(ctx, t, env, caseID, lc.report.Approvers)
	if d := lc.ended(t); d.Status != sfntypes.ExecutionStatusSucceeded {
		t.Log(stateTrail(ctx, t, env, firstARN))
		t.Fatalf("after the amendment: %s %s: %s", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
	}
	c, err := env.cases().Get(ctx, caseID)
	if err != nil {
		t.Fatal(err)
	}
	if c.ExecutionArn != firstARN {
		t.Errorf("the amendment started another execution (%s), want the running one (%s) to take it up", c.ExecutionArn, firstARN)
	}
	if c.Status != cases.StatusClosed || !c.Sent(1) || !c.Sent(2) {
		t.Errorf("case: %s, sent %v", c.Status, c.SentVersions)
	}
	notices, _ := mailsTo(ctx, t, lc)
	updates := 0
	for _, subjects := range notices {
		switch len(subjects) {
		case 1:
		case 2:
			if !strings.Contains(subjects[1], "추가 안내") && !strings.Contains(subjects[1], "Update") && !strings.Contains(subjects[1], "更新") && !strings.Contains(subjects[1], "Aktualisierung") {
				t.Errorf("the second notice to an address is not an update: %q", subjects)
			}
			updates++
		default:
			t.Errorf("an address got %d notices: %q", len(subjects), subjects)
		}
	}
	// A new data category every person holds: everyone told in version 1
	// must hear of it once.
	if updates == 0 || updates != len(notices) {
		t.Errorf("%d of %d addresses got an update", updates, len(notices))
	}
}
