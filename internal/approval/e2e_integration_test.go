//go:build integration

package approval_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"breachflow/internal/approval"
	"breachflow/internal/awsenv"
	"breachflow/internal/cases"
	"breachflow/internal/local/localtest"
	"breachflow/internal/local/sfnapi"
	"breachflow/internal/local/stepfunctions"
	"breachflow/internal/report"
)

const approvalASL = `{
  "StartAt": "Approve",
  "States": {
    "Approve": {
      "Type": "Task",
      "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
      "Parameters": {"FunctionName": "approval-request", "Payload": {
        "case_id.$": "$.case_id", "task_token.$": "$$.Task.Token", "content_hash.$": "$.content_hash",
        "recipient_set_hash.$": "$.recipient_set_hash", "deadlines.$": "$.deadlines", "submitter.$": "$.submitter"}},
      "TimeoutSecondsPath": "$.approval_timeout_seconds",
      "ResultPath": "$.approval",
      "Catch": [{"ErrorEquals": ["ApprovalRejected"], "Next": "Rejected"}],
      "End": true
    },
    "Rejected": {"Type": "Fail", "Error": "ApprovalRejected"}
  }
}`

// TestWiredAsInAWS runs the service exactly as the Lambdas and the CLI wire
// it (NewAWSService: dynalite, the SES emulator, and the local Step
// Functions API through the SDK), with the hashes read from the case record:
// a link issued before a re-draft is void, a link and a scripted approval
// make the quorum, and the waiting execution succeeds.
func TestWiredAsInAWS(t *testing.T) {
	ctx := context.Background()
	localtest.Stack(t)
	db := localtest.DynamoDB(t)
	table := localtest.NewTable(t, db)
	_, mailbox := localtest.SES(t)
	since := time.Now().Add(-time.Second)

	var svc *approval.Service
	engine, err := stepfunctions.New(stepfunctions.Options{Functions: map[string]lambda.Handler{
		"approval-request": lambda.NewHandler(func(ctx context.Context, in approval.OpenInput) (approval.OpenOutput, error) {
			return svc.Open(ctx, in)
		}),
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { engine.Close() })
	api := httptest.NewServer(sfnapi.NewHandler(engine, slog.New(slog.NewTextHandler(io.Discard, nil))))
	t.Cleanup(api.Close)
	t.Setenv("AWS_ENDPOINT_URL_SFN", api.URL)
	cfg, err := awsenv.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	svc = approval.NewAWSService(cfg, table, approval.Config{
		Approvers: []string{alice, bob, carol}, Key: []byte("0123456789abcdef0123456789abcdef"),
		ConsoleURL: "http://console.test", From: "approvals@corp.example",
	}, slog.New(slog.NewTextHandler(io.Discard, nil)))

	// A case record with the hashes scoping and drafting recorded.
	store := &cases.Store{DB: db, Table: table}
	raw, err := os.ReadFile(filepath.Join("..", "..", "events", "reports", "kakaopay-alipay.json"))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := report.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	caseID, _, err := store.PutReport(ctx, raw, rep)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := store.Open(ctx, caseID); err != nil {
		t.Fatal(err)
	}
	setHash := func(content string) {
		t.Helper()
		if _, err := store.Update(ctx, caseID, func(c *cases.Case) error {
			c.ContentHash, c.RecipientSetHash = content, "recipients-h1"
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	setHash("content-h1")

	client := sfn.NewFromConfig(cfg)
	sm, err := client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name: aws.String("approval"), Definition: aws.String(approvalASL), RoleArn: aws.String("arn:aws:iam::123456789012:role/local"),
	})
	if err != nil {
		t.Fatal(err)
	}
	deadlines := []approval.Deadline{{ID: "kr-pipa-34-authority", DueAt: time.Now().UTC().Add(72 * time.Hour)}}
	input, _ := json.Marshal(map[string]any{
		"case_id": caseID, "content_hash": "content-h1", "recipient_set_hash": "recipients-h1", "deadlines": deadlines,
		"submitter": approval.ApproverID(carol), "approval_timeout_seconds": approval.WaitTimeoutSeconds(deadlines, time.Now(), 12*time.Hour),
	})
	ex, err := client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Input: aws.String(string(input))})
	if err != nil {
		t.Fatal(err)
	}

	// Alice's link arrives by email.
	re := regexp.MustCompile(`http://console\.test/a/([A-Za-z0-9_.-]+)`)
	var aliceLink string
	poll(t, "alice's link in the mailbox", func() bool {
		msgs, err := mailbox.Messages(ctx, since)
		if err != nil {
			return false
		}
		for _, m := range msgs {
			if sub := re.FindStringSubmatch(m.Body.Text); sub != nil && len(m.Destination.To) == 1 && m.Destination.To[0] == alice {
				if c, err := svc.VerifyLink(sub[1]); err == nil && c.CaseID == caseID {
					aliceLink = sub[1]
				}
			}
		}
		return aliceLink != ""
	})

	// A re-draft after the link went out voids it; restoring the content
	// (same hash) makes it valid again, since it binds content, not time.
	setHash("content-h2")
	if _, err := svc.Decide(ctx, approval.Decision{Token: aliceLink, Approve: true}); !errors.Is(err, approval.ErrStale) {
		t.Fatalf("link after re-draft: %v, want ErrStale", err)
	}
	setHash("content-h1")
	if _, err := svc.Decide(ctx, approval.Decision{Token: aliceLink, Approve: true}); err != nil {
		t.Fatal(err)
	}
	// Bob approves from the command line (what `breachflow approve` does).
	out, err := svc.Decide(ctx, approval.Decision{CaseID: caseID, Approver: bob, Approve: true})
	if err != nil || !out.Decided {
		t.Fatalf("bob: %+v, %v", out, err)
	}

	poll(t, "the execution to succeed", func() bool {
		d, err := client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: ex.ExecutionArn})
		return err == nil && d.Status == "SUCCEEDED"
	})
	chain, err := localtest.Audit(t, table).Verify(ctx, caseID)
	entries := chain.Entries
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) < 6 {
		t.Errorf("audit log has %d entries", len(entries))
	}
}

func poll(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
