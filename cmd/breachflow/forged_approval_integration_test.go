//go:build integration

package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"breachflow/internal/local/emulators"
)

// TestForgedTaskSuccessSendsNothing is the attack review's first finding,
// replayed through the real SDK against the local stack: an insider reads
// the approval task's token from the execution history and answers it with
// SendTaskSuccess and an output that claims approval with no votes. The
// send stage must check the approval records itself, send nothing, and end
// the run on NotApproved.
func TestForgedTaskSuccessSendsNothing(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	lc := startLocalCase(ctx, t, 400, 11)
	env, up, caseID, arn := lc.env, lc.up, lc.caseID, aws.ToString(lc.arn)
	var token string
	waitFor(ctx, t, "the approval task's token in the history", func() bool {
		token = scheduledToken(ctx, env.sfn(), arn)
		return token != "" && hasEvent(ctx, t, env.sfn(), arn, sfntypes.HistoryEventTypeTaskSubmitted)
	})
	c, err := env.cases().Get(ctx, caseID)
	if err != nil {
		t.Fatal(err)
	}
	before, err := emulators.Mailbox{URL: up.stack.SES}.Messages(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}

	forged, _ := json.Marshal(map[string]any{
		"case_id": caseID, "decision": "approved", "content_hash": c.ContentHash,
		"recipient_set_hash": c.RecipientSetHash, "approvals": []any{},
	})
	if _, err := env.sfn().SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(token), Output: aws.String(string(forged))}); err != nil {
		t.Fatalf("the local API refused the forged answer itself (%v): the attack is not reproduced", err)
	}
	final := lc.ended(t)
	if final.Status != sfntypes.ExecutionStatusFailed || aws.ToString(final.Error) != "NotApproved" {
		t.Fatalf("execution %s (%s: %s), want FAILED on NotApproved", final.Status, aws.ToString(final.Error), aws.ToString(final.Cause))
	}
	if cause := aws.ToString(final.Cause); !strings.Contains(cause, "is pending") {
		t.Errorf("cause %q does not say the request is still pending", cause)
	}
	after, err := emulators.Mailbox{URL: up.stack.SES}.Messages(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before) {
		t.Errorf("the forged approval sent %d messages (approval mails before it: %d)", len(after)-len(before), len(before))
	}
	if got := runCLI(ctx, t, "status", caseID); !strings.Contains(got, "0 of 2 approvals") {
		t.Errorf("status after the forged answer:\n%s", got)
	}
}

// scheduledToken reads the approval task's token from the TaskScheduled
// event, where anyone with states:GetExecutionHistory can read it.
func scheduledToken(ctx context.Context, c *sfn.Client, arn string) string {
	out, err := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn), MaxResults: 1000})
	if err != nil {
		return ""
	}
	for _, ev := range out.Events {
		d := ev.TaskScheduledEventDetails
		if d == nil || !strings.Contains(aws.ToString(d.Parameters), "task_token") {
			continue
		}
		var p struct {
			Payload struct {
				TaskToken string `json:"task_token"`
			} `json:"Payload"`
		}
		if json.Unmarshal([]byte(aws.ToString(d.Parameters)), &p) == nil && p.Payload.TaskToken != "" {
			return p.Payload.TaskToken
		}
	}
	return ""
}
