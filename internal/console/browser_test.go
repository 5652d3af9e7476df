//go:build browser

package console_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/chromedp/chromedp"

	"breachflow/internal/approval"
	"breachflow/internal/console"
	"breachflow/internal/local/sfnapi"
	"breachflow/internal/local/stepfunctions"
)

const chromiumPath = "/usr/bin/chromium"

// TestApproveInBrowser drives the real console in Debian's chromium: two
// approvers open their emailed links, see the drafts and approve; the
// execution of the local Step Functions engine that waits on the task token
// moves on and succeeds.
func TestApproveInBrowser(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("chromium is required for the browser test (apt-get install -y chromium): %v", err)
	}
	ctx := context.Background()
	f := newFixture(t, true) // its own request (token-1) is superseded below by the engine's

	// The engine runs the approval task in process; the service answers
	// it through the real SDK client and the local Step Functions API.
	engine, err := stepfunctions.New(stepfunctions.Options{Functions: map[string]lambda.Handler{
		"approval-request": lambda.NewHandler(func(ctx context.Context, in approval.OpenInput) (approval.OpenOutput, error) {
			return f.svc.Open(ctx, in)
		}),
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { engine.Close() })
	api := httptest.NewServer(sfnapi.NewHandler(engine, slog.New(slog.NewTextHandler(io.Discard, nil))))
	t.Cleanup(api.Close)
	client := sfn.New(sfn.Options{
		BaseEndpoint: aws.String(api.URL), Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", ""),
	})
	f.svc.Tasks = client

	def, err := os.ReadFile(filepath.Join("testdata", "approval.asl.json"))
	if err != nil {
		t.Fatal(err)
	}
	sm, err := client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name: aws.String("approval"), Definition: aws.String(string(def)), RoleArn: aws.String("arn:aws:iam::123456789012:role/local"),
	})
	if err != nil {
		t.Fatal(err)
	}
	due := time.Now().UTC().Add(28 * time.Hour)
	deadlines := []approval.Deadline{{ID: "GDPR/sa", DueAt: due}}
	input, _ := json.Marshal(map[string]any{
		"case_id": f.case1.ID, "content_hash": "content-h1", "recipient_set_hash": "recipients-h1",
		"deadlines": deadlines, "submitter": approval.ApproverID(submitter),
		"approval_timeout_seconds": approval.WaitTimeoutSeconds(deadlines, time.Now(), 6*time.Hour),
	})
	ex, err := client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Name: aws.String(f.case1.ID), Input: aws.String(string(input))})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the approval emails of the engine's request", func() bool {
		st, err := f.svc.CaseState(ctx, f.case1.ID)
		if err != nil || st.Request == nil || st.Request.TaskToken == "token-1" {
			return false
		}
		for _, addr := range []string{alice, bob} {
			f.mail.mu.Lock()
			u := linkRE.FindString(f.mail.text[addr])
			f.mail.mu.Unlock()
			c, err := f.svc.VerifyLink(u[strings.LastIndex(u, "/")+1:])
			if err != nil || c.RequestID != st.Request.RequestID {
				return false
			}
		}
		return true
	})

	browser := newBrowser(t)
	approve := func(addr string) string {
		t.Helper()
		link := f.mail.link(t, addr)
		var shown string
		if err := chromedp.Do(browser,
			chromedp.Navigate(link),
			chromedp.WaitVisible(chromedp.ID("approve")),
		); err != nil {
			t.Fatalf("%s opens the link: %v", addr, err)
		}
		shown, err := chromedp.Run(browser, chromedp.Text(chromedp.CSS("main")))
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"개인정보 유출 신고 (PIPC)", "Notice of a data breach", addr, "KR PIPA", "left"} {
			if !strings.Contains(shown, want) {
				t.Errorf("%s's page does not show %q", addr, want)
			}
		}
		// The drafts render in script-less sandboxed frames: their HTML is
		// shown as it will be sent, and the notice's planted script did
		// not run.
		framed, err := chromedp.Run(browser, chromedp.Evaluate[string](
			`Array.from(document.querySelectorAll("iframe[sandbox]")).map(f => f.contentDocument.body.innerText).join("\n")`))
		if err != nil || !strings.Contains(framed, "개인정보 유출 신고") || !strings.Contains(framed, "고객님의 개인정보가 유출되었습니다.") {
			t.Errorf("draft frames show %q, %v", framed, err)
		}
		if title, err := chromedp.Run(browser, chromedp.Evaluate[string](`document.title`)); err != nil || strings.Contains(title, "pwned") {
			t.Errorf("a draft's script ran: title %q, %v", title, err)
		}
		if addr == bob {
			// The countdown is live: its text moves on by itself.
			before, _ := chromedp.Run(browser, chromedp.Text(chromedp.CSS("time.countdown")))
			after, err := chromedp.Run(browser, func(ctx context.Context, tg *chromedp.Target) (string, error) {
				time.Sleep(1100 * time.Millisecond)
				return chromedp.Text(chromedp.CSS("time.countdown"))(ctx, tg)
			})
			if err != nil || before == after || !strings.HasSuffix(after, " left") {
				t.Errorf("countdown %q then %q (%v), want a live countdown", before, after, err)
			}
			saveScreenshot(t, browser)
		}
		if err := chromedp.Do(browser, chromedp.Click(chromedp.ID("approve")), chromedp.WaitVisible(chromedp.ID("result"))); err != nil {
			t.Fatalf("%s approves: %v", addr, err)
		}
		result, err := chromedp.Run(browser, chromedp.Text(chromedp.ID("result")))
		if err != nil {
			t.Fatal(err)
		}
		return result
	}

	if got := approve(alice); !strings.Contains(got, "1 of 2") {
		t.Fatalf("after alice: %q", got)
	}
	desc, err := client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: ex.ExecutionArn})
	if err != nil || desc.Status != "RUNNING" {
		t.Fatalf("after one approval the execution is %s (%v), want RUNNING", desc.Status, err)
	}
	if got := approve(bob); !strings.Contains(got, "quorum reached") {
		t.Fatalf("after bob: %q", got)
	}

	var out string
	waitFor(t, "the execution to succeed", func() bool {
		d, err := client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: ex.ExecutionArn})
		out = aws.ToString(d.Output)
		return err == nil && d.Status == "SUCCEEDED"
	})
	var result struct {
		Approval approval.Record `json:"approval"`
	}
	if err := json.Unmarshal([]byte(out), &result); err != nil {
		t.Fatal(err)
	}
	rec := result.Approval
	if rec.Decision != "approved" || len(rec.Approvals) != 2 || rec.ContentHash != "content-h1" {
		t.Errorf("execution output approval = %+v", rec)
	}
	if strings.Contains(out, "@") {
		t.Errorf("the execution output carries an email: %s", out)
	}
}

// newBrowser starts a headless chromium with a fresh profile.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	for _, flag := range []string{"headless", "no-sandbox", "disable-gpu", "disable-background-networking",
		"disable-component-update", "disable-sync", "no-first-run", "disable-dev-shm-usage"} {
		opts = append(opts, chromedp.Flag(flag, true))
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(cancel)
	// Start the browser on a context without a timeout (see chromedp.Run).
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// saveScreenshot keeps a full-page screenshot as a test artifact: in
// $BREACHFLOW_ARTIFACTS when set (make test sets out/artifacts), else in the
// test's temporary folder.
func saveScreenshot(t *testing.T, browser context.Context) {
	t.Helper()
	png, err := chromedp.Run(browser, chromedp.FullScreenshot(100)) // 100 means PNG
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	dir := os.Getenv("BREACHFLOW_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "console-approval.png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot of the approval page: %s", path)
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var _ = console.New
