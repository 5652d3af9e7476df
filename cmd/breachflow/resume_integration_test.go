//go:build integration

package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"breachflow/internal/audit"
	"breachflow/internal/local/emulators"
)

// TestResumeAfterTheCauseIsFixed: a run fails at its first send because no
// filing address is configured (SendConfigInvalid). The responder fixes the
// configuration, restarts the stack and runs `breachflow resume`: the same
// execution continues from the failed task, through RedriveExecution. Nothing
// before it runs again (one intake, one approval round, no new approval
// mail), and afterwards every regulator has its filing and every person in
// scope one notice.
func TestResumeAfterTheCauseIsFixed(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	broken := writeEnvVars(t, `{"SendFunction": {"FILING_ADDRESSES": "{\"no-such-obligation\":\"filings@regulators.example.org\"}"}}`)
	lc := startLocalCaseWith(ctx, t, localOptions{template: "../../template.yaml", envVars: broken}, 500, 3)
	env, caseID, r := lc.env, lc.caseID, lc.report
	if err := demoApprove(ctx, &bytes.Buffer{}, env, caseID, r.Approvers); err != nil {
		t.Fatal(err)
	}
	if d := lc.ended(t); d.Status != sfntypes.ExecutionStatusFailed || aws.ToString(d.Error) != "SendConfigInvalid" {
		t.Fatalf("first run: %s %s: %s, want FAILED on SendConfigInvalid", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
	}
	if got := runCLI(ctx, t, "status", caseID); !strings.Contains(got, "breachflow resume "+caseID) {
		t.Errorf("status of the failed run does not point to resume:\n%s", got)
	}

	// The fix: the filing addresses, then the stack restarted with them.
	lc.lo.envVars = ""
	lc.restartStack(t)
	env = lc.env
	if got := runCLI(ctx, t, "resume", caseID); !strings.Contains(got, "resumed (redrive 1)") {
		t.Fatalf("resume said:\n%s", got)
	}
	lc.succeeded(t, "after resume")
	if got := runCLI(ctx, t, "resume", caseID); !strings.Contains(got, "nothing to resume") {
		t.Errorf("a second resume said:\n%s", got)
	}

	entries, err := audit.Log{DB: env.dynamo(), Table: env.CaseTable}.List(ctx, caseID)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, e := range entries {
		seen[e.Action]++
	}
	if seen["case.opened"] != 1 || seen["approval.requested"] != 1 || seen["case.closed"] != 1 {
		t.Errorf("audit actions %v: intake, the approval round and close should each happen once", seen)
	}
	msgs, err := emulators.Mailbox{URL: lc.up.stack.SES}.Messages(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	c, err := env.cases().Get(ctx, caseID)
	if err != nil {
		t.Fatal(err)
	}
	filings, notices := 0, map[string]int{}
	for _, m := range msgs {
		to := strings.Join(m.Destination.To, ",")
		switch {
		case isApprover(to):
			t.Errorf("an approval mail went out again after the resume: %s", m.Subject)
		case strings.Contains(to, "@regulators.example.org"):
			filings++
		default:
			notices[strings.ToLower(to)]++
		}
	}
	for addr, n := range notices {
		if n != 1 {
			t.Errorf("%d notices to one address (%.3s…)", n, addr)
		}
	}
	if filings == 0 || len(notices) != c.Delivery["sent"]+c.Delivery["delivered"] {
		t.Errorf("%d filings and %d people noticed; the ledger records %v", filings, len(notices), c.Delivery)
	}
}
