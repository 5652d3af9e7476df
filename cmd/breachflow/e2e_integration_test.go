//go:build integration

package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	assessstore "breachflow/internal/assess"
	"breachflow/internal/audit"
	"breachflow/internal/breach"
	"breachflow/internal/cases"
	"breachflow/internal/casetable"
	"breachflow/internal/draft"
	"breachflow/internal/evidence"
	"breachflow/internal/ledger"
	"breachflow/internal/local/emulators"
	"breachflow/internal/notice"
	"breachflow/internal/posting"
	"breachflow/internal/report"
	"breachflow/internal/rules"
	"breachflow/internal/scope"
	"breachflow/internal/sms"
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
	raw := liveDemoReport(t)
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
				street, _, _ := strings.Cut(u.Postal, "\n")
				for _, v := range []string{u.Email, u.Phone, u.Name, street} {
					if len(v) > 5 && strings.Contains(text, v) {
						t.Fatalf("%s contains personal data of seeded user %d", name, i)
					}
				}
			}
		}
	})

	t.Run("the posted notice is live with its period, in the pack, and status warns when it comes down early", func(t *testing.T) {
		pages, err := posting.Store{DB: db, Table: env.CaseTable}.Pages(ctx, caseID)
		if err != nil {
			t.Fatal(err)
		}
		if len(pages) == 0 {
			t.Fatal("nothing posted: the case's substitute notices were not published")
		}
		for _, pg := range pages {
			if pg.Until.Sub(pg.PostedAt) != 30*24*time.Hour || pg.Period.Basis == nil || pg.Period.Basis.Regime != "kr-pipa" {
				t.Errorf("%s: posted %s until %s (%s); want PIPA Decree 39(3)'s 30 days", pg.DraftID, pg.PostedAt, pg.Until, pg.Period.Cites())
			}
			// Live on the local site, as a person opens it in a browser.
			res, err := http.Get(pg.URL)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			sum := sha256.Sum256(body)
			if res.StatusCode != http.StatusOK || hex.EncodeToString(sum[:]) != pg.SHA256 || !strings.HasPrefix(pg.URL, up.siteAt+"/notices/") {
				t.Errorf("%s at %s: %d, sha256 %x, recorded %s", pg.DraftID, pg.URL, res.StatusCode, sum, pg.SHA256)
			}
		}
		until := pages[0].Until
		for _, pg := range pages {
			if pg.Until.After(until) {
				until = pg.Until
			}
		}
		got := runCLI(ctx, t, "status", caseID)
		if !strings.Contains(got, fmt.Sprintf("posted        %d pages since", len(pages))) || !strings.Contains(got, "required until "+until.Format(time.RFC3339)) || strings.Contains(got, "WARNING") {
			t.Errorf("status with the notice posted:\n%s", got)
		}
		dir := t.TempDir()
		if out := runCLI(ctx, t, "evidence", caseID, "--out", dir); !strings.Contains(out, "may come down "+pages[0].Until.Format(time.RFC3339)) {
			t.Errorf("breachflow evidence does not show the posting dates:\n%s", out)
		}
		raw, err := os.ReadFile(filepath.Join(dir, "postings.json"))
		if err != nil {
			t.Fatal(err)
		}
		var pf struct {
			Pages    []posting.Page `json:"pages"`
			Checked  bool           `json:"checked"`
			Problems []string       `json:"problems"`
		}
		if err := json.Unmarshal(raw, &pf); err != nil || len(pf.Pages) != len(pages) || !pf.Checked || len(pf.Problems) != 0 ||
			pf.Pages[0].PostedAt.IsZero() || pf.Pages[0].Until.IsZero() || pf.Pages[0].SHA256 == "" {
			t.Errorf("postings.json: %s (%v)", raw, err)
		}
		if got := runCLI(ctx, t, "evidence", "--verify", "--pack", dir); !strings.Contains(got, "verifies") {
			t.Errorf("pack with postings.json: %s", got)
		}
		// A person's link, as the SMS sender asks for it, opens their own
		// notice on the site, rendered from the approved notices.
		var person *casetable.Subject
		for shard := 0; person == nil && shard < casetable.DefaultShards; shard++ {
			ledger.Walk(ctx, db, env.CaseTable, caseID, shard, func(s *casetable.Subject) error {
				if person == nil && s.Jurisdiction == "KR" && s.Name != "" && s.Status != casetable.StatusDuplicate {
					person = s
				}
				return nil
			})
		}
		if person == nil {
			t.Fatal("no Korean person in scope")
		}
		link, err := (&posting.Links{DB: db, Table: env.CaseTable, BaseURL: up.siteAt}).Link(ctx, caseID, person.UserID, person.Shard)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(link, person.UserID) || !strings.HasPrefix(link, up.siteAt+"/n/") {
			t.Errorf("link %s", link)
		}
		res, err := http.Get(link)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !strings.Contains(string(body), person.Name) || !strings.Contains(string(body), `lang="ko"`) {
			t.Errorf("link page: %d; names the person: %v", res.StatusCode, strings.Contains(string(body), person.Name))
		}
		if strings.Contains(logs.String(), link[strings.LastIndex(link, "/")+1:]) {
			t.Error("the link's token is in the logs")
		}

		// Someone takes a page down eight days in: status warns, naming it.
		if _, err := up.stack.S3Client().DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(emulators.NoticeBucket), Key: aws.String(pages[0].Key)}); err != nil {
			t.Fatal(err)
		}
		if got := runCLI(ctx, t, "status", caseID); !strings.Contains(got, "WARNING       posted notice "+pages[0].DraftID+" taken down") {
			t.Errorf("status after a page came down early:\n%s", got)
		}
		res, err = http.Get(up.consoleAt + "/cases/" + caseID)
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if !strings.Contains(string(page), "WARNING:</strong> posted notice "+pages[0].DraftID+" taken down") || !strings.Contains(string(page), pages[1].URL) {
			t.Errorf("the console's case page does not warn of the page taken down early")
		}
		// Put it back for the rest of the test, as the approved bytes.
		var html string
		ds, _, _ := draft.Load(ctx, db, env.CaseTable, caseID)
		for _, d := range ds {
			if d.ID == pages[0].DraftID {
				html = d.HTML
			}
		}
		if _, err := up.stack.S3Client().PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(emulators.NoticeBucket), Key: aws.String(pages[0].Key), Body: strings.NewReader(html)}); err != nil {
			t.Fatal(err)
		}
		if got := runCLI(ctx, t, "status", caseID); strings.Contains(got, "WARNING") {
			t.Errorf("status after the page is back:\n%s", got)
		}
	})

	// The local stack's SMS senders (infra/local-env.json) cover some of
	// the population's countries and leave others (Ireland, the
	// Netherlands) without one, so both a text and its refusal happen.
	senders := localSMSSenders(t)
	texted := func(u usertable.User) bool { return u.Email == "" && u.Phone != "" && senders[u.Country] }

	t.Run("everyone with no e-mail and a phone in a country with a sender got exactly one text, and nobody else any", func(t *testing.T) {
		want := map[string]bool{}
		for i := range e2eUsers {
			u := usertable.Generate(7, i)
			if u.PaymentService == "kakaopay" && u.OverseasTransfer && texted(u) {
				want[u.ID] = true
			}
		}
		if len(want) < 5 {
			t.Fatalf("only %d people to text in scope: the population no longer exercises SMS", len(want))
		}
		got := map[string]int{}
		for _, m := range up.stack.SMSServer.Messages() {
			got[m.Context[sms.ContextUser]]++
		}
		for id := range want {
			if got[id] != 1 {
				t.Errorf("user %s got %d texts, want 1", id, got[id])
			}
		}
		for id := range got {
			if !want[id] {
				t.Errorf("user %s was texted: not due a text", id)
			}
		}
		t.Logf("%d people texted", len(got))
	})

	t.Run("the postal export writes one letter per person their plan puts on post, in their language", func(t *testing.T) {
		// On post: everyone with no e-mail and a postal address whom no
		// text reached: the postal-only people, and those whose number is
		// in a country without an SMS sender (refused: unknown_country).
		want := map[string]string{} // user id -> locale
		for i := range e2eUsers {
			u := usertable.Generate(7, i)
			if u.PaymentService == "kakaopay" && u.OverseasTransfer && u.Email == "" && u.Postal != "" && !texted(u) {
				want[u.ID] = u.Locale
			}
		}
		if len(want) < 3 {
			t.Fatalf("only %d postal-only people in scope: the population no longer exercises the export", len(want))
		}
		dir := t.TempDir()
		got := runCLI(ctx, t, "export", "postal", caseID, "--out", dir)
		if !strings.Contains(got, fmt.Sprintf("%d letters", len(want))) {
			t.Errorf("breachflow export postal, %d postal-only people in scope:\n%s", len(want), got)
		}
		letters, err := os.ReadFile(filepath.Join(dir, "letters.html"))
		if err != nil {
			t.Fatal(err)
		}
		for id, locale := range want {
			lang := "ko"
			if !strings.HasPrefix(locale, "ko") {
				lang = strings.SplitN(locale, "-", 2)[0]
			}
			if !regexp.MustCompile(`<section class="letter" lang="` + lang + `[^"]*"[^>]*data-ref="` + id + `"`).Match(letters) {
				t.Errorf("no letter in %s for postal-only user %s", lang, id)
			}
		}
		if n := strings.Count(string(letters), `<section class="letter"`); n != len(want) {
			t.Errorf("%d letters for %d postal-only people", n, len(want))
		}
		if got := runCLI(ctx, t, "status", caseID); !strings.Contains(got, fmt.Sprintf("postal        %d letters exported", len(want))) {
			t.Errorf("status after the postal export:\n%s", got)
		}
		manifest, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
		if err != nil || strings.Contains(string(manifest), "예시로") || strings.Contains(string(manifest), "Example Street") {
			t.Errorf("manifest.json carries addresses or is missing (%v)", err)
		}
		pack := t.TempDir()
		runCLI(ctx, t, "evidence", caseID, "--out", pack)
		raw, err := os.ReadFile(filepath.Join(pack, "postal.json"))
		if err != nil || !strings.Contains(string(raw), fmt.Sprintf(`"letters": %d`, len(want))) || !strings.Contains(string(raw), "letters.html") ||
			strings.Contains(string(raw), "예시로") || strings.Contains(string(raw), "Example Street") {
			t.Errorf("postal.json in the pack: %s (%v)", raw, err)
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
		// One row per person per channel: every person in scope has at
		// least one, and every row names its channel.
		lines := strings.Split(strings.TrimSpace(string(ledgerCSV)), "\n")
		ids := map[string]bool{}
		for _, l := range lines[1:] {
			cells := strings.Split(l, ",")
			ids[cells[0]] = true
			if cells[2] == "" {
				t.Errorf("a ledger.csv row names no channel")
			}
		}
		people := 0
		for _, n := range p.Case.Subjects {
			people += n
		}
		if len(ids) != people {
			t.Errorf("ledger has rows for %d people, %d in scope", len(ids), people)
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

// localSMSSenders are the countries the local stack's SMS senders
// (infra/local-env.json, SMS_SENDERS) reach, read as the send function reads
// the setting.
func localSMSSenders(t *testing.T) map[string]bool {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", localEnvFile))
	if err != nil {
		t.Fatal(err)
	}
	var env struct{ Parameters map[string]string }
	if err := json.Unmarshal(raw, &env); err != nil {
		t.Fatal(err)
	}
	s, err := sms.ParseSenders(strings.Split(env.Parameters["SMS_SENDERS"], ","))
	if err != nil {
		t.Fatalf("%s: %v", localEnvFile, err)
	}
	out := map[string]bool{}
	for country := range s {
		out[country] = true
	}
	return out
}
