//go:build integration

package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"breachflow/internal/local/emulators"
)

// TestTemplateChangeReachesTheLocalFunction changes one environment
// variable of one function in a copy of template.yaml, the send function's
// SENDER_ADDRESS, and runs a case on a local stack deployed from the copy:
// every filing and notice the locally running send function sends comes
// from the new address, while the approval mails, which the approval
// function sends from a variable of its own, keep the template's sender.
// Nothing but the template line changes: template.yaml is the one source
// of every function's settings, locally as in Lambda.
func TestTemplateChangeReachesTheLocalFunction(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	const (
		line    = "          SENDER_ADDRESS: !Ref SenderAddress\n"
		changed = "          SENDER_ADDRESS: notices@changed.example.org\n"
	)
	tpl := copyTemplate(t, func(s string) string {
		if strings.Count(s, line) != 1 {
			t.Fatalf("template.yaml holds %q %d times, want once (the send function's)", line, strings.Count(s, line))
		}
		return strings.Replace(s, line, changed, 1)
	})

	lc := startLocalCaseWith(ctx, t, localOptions{template: tpl}, 200, 5)
	if err := demoApprove(ctx, &syncBuffer{}, lc.env, lc.caseID, lc.report.Approvers); err != nil {
		t.Fatal(err)
	}
	lc.succeeded(t, "the execution")
	msgs, err := emulators.Mailbox{URL: lc.up.stack.SES}.Messages(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	sent, approvalMails := 0, 0
	for _, m := range msgs {
		want := "notices@changed.example.org"
		if len(m.Destination.To) == 1 && isApprover(m.Destination.To[0]) {
			want = "privacy@example.com" // BREACHFLOW_APPROVAL_FROM, unchanged
			approvalMails++
		} else {
			sent++
		}
		if !strings.Contains(m.From, want) {
			t.Errorf("message %q from %q, want %s", m.Subject, m.From, want)
		}
	}
	if sent == 0 || approvalMails == 0 {
		t.Fatalf("%d messages sent and %d approval mails: the case did not run", sent, approvalMails)
	}
}

// copyTemplate writes template.yaml, changed by edit, to a folder of the
// test's, beside what the local stack reads next to it: the state machine
// definitions and infra/local-env.json. It returns the copy's path.
func copyTemplate(t *testing.T, edit func(string) string) string {
	t.Helper()
	dir := t.TempDir()
	raw, err := os.ReadFile("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "template.yaml")
	if err := os.WriteFile(path, []byte(edit(string(raw))), 0o600); err != nil {
		t.Fatal(err)
	}
	machines, err := filepath.Abs("../../statemachine")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(machines, filepath.Join(dir, "statemachine")); err != nil {
		t.Fatal(err)
	}
	env, err := os.ReadFile("../../" + localEnvFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "infra"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, localEnvFile), env, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
