//go:build integration

package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"breachflow/internal/identity"
	"breachflow/internal/local/emulators"
	"breachflow/internal/local/localsts"
	"breachflow/internal/usertable"
)

// TestProvenIdentities runs `start` and `approve` as they run in AWS, the
// caller's identity taken from sts:GetCallerIdentity through the real SDK
// (a local STS endpoint that checks each request's SigV4 signature) and
// mapped by BREACHFLOW_PRINCIPALS: issue 22's "one person casts both votes"
// is refused, and the submitter is who started the case, whatever the
// report says.
func TestProvenIdentities(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	const account = "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Responder_0a1b/"
	people := map[string]localsts.Principal{
		"ir-lead@example.com":    {AccessKeyID: "AKIDIRLEAD", SecretAccessKey: "ir-secret", ARN: account + "ir-lead@example.com"},
		"legal-lead@example.com": {AccessKeyID: "AKIDLEGAL", SecretAccessKey: "legal-secret", ARN: account + "legal-lead@example.com"},
		"ciso@example.com":       {AccessKeyID: "AKIDCISO", SecretAccessKey: "ciso-secret", ARN: account + "ciso@example.com"},
	}
	var principals []localsts.Principal
	var pairs []string
	for email, p := range people {
		principals = append(principals, p)
		pairs = append(pairs, p.ARN+"="+email)
	}
	// A principal AWS knows but the map does not.
	stranger := localsts.Principal{AccessKeyID: "AKIDOTHER", SecretAccessKey: "other", ARN: account + "someone@example.com"}
	sts, err := localsts.Start("127.0.0.1:0", append(principals, stranger)...)
	if err != nil {
		t.Fatal(err)
	}
	defer sts.Close()

	state := t.TempDir()
	logs := &syncBuffer{}
	for _, v := range []string{"BREACHFLOW_APPROVERS", "BREACHFLOW_CONSOLE_URL", "SES_MAX_SEND_RATE", "FILING_ADDRESSES"} {
		t.Setenv(v, "") // startLocal sets what local up prints
	}
	up, err := startLocal(ctx, emulators.Options{DataDir: filepath.Join(state, "dynamodb"), Log: logs},
		localOptions{template: "../../template.yaml", stateDir: state, log: logs})
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()
	env, err := loadCLIEnv(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := usertable.Seed(ctx, env.dynamo(), up.userTable, usertable.SeedOptions{Users: 300, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	raw := liveDemoReport(t)
	reportFile := filepath.Join(t.TempDir(), "report.json")
	if err := os.WriteFile(reportFile, raw, 0o644); err != nil {
		t.Fatal(err)
	}

	t.Setenv("AWS_ENDPOINT_URL_STS", sts.Endpoint)
	t.Setenv(identity.EnvPrincipals, strings.Join(pairs, ","))
	t.Setenv(identity.EnvResponders, "ir-lead@example.com")
	as := func(p localsts.Principal) {
		t.Setenv("AWS_ACCESS_KEY_ID", p.AccessKeyID)
		t.Setenv("AWS_SECRET_ACCESS_KEY", p.SecretAccessKey)
	}
	run := func(args ...string) (string, error) {
		var out, errOut bytes.Buffer
		cmd := newRoot()
		cmd.SetArgs(args)
		cmd.SetOut(&out)
		cmd.SetErr(&errOut)
		err := cmd.ExecuteContext(ctx)
		return out.String() + errOut.String(), err
	}

	as(stranger)
	if _, err := run("start", reportFile); !errors.As(err, new(*identity.UnknownPrincipal)) {
		t.Fatalf("start by a principal the map lacks: %v, want UnknownPrincipal", err)
	}
	as(people["ir-lead@example.com"])
	got, err := run("start", reportFile)
	if err != nil || !strings.Contains(got, "submitted by ir-lead@example.com") || strings.Contains(got, "asserted") {
		t.Fatalf("start as the responder: %v\n%s", err, got)
	}
	caseID := strings.Fields(got[strings.Index(got, "case ")+5:])[0]
	c, err := env.cases().Get(ctx, caseID)
	for err != nil || c.Submitter == "" { // intake opens the case record
		select {
		case <-ctx.Done():
			t.Fatalf("case %s not opened: %v", caseID, err)
		case <-time.After(50 * time.Millisecond):
		}
		c, err = env.cases().Get(ctx, caseID)
	}
	if c.Submitter != "ir-lead@example.com" {
		t.Errorf("case submitter %q, want the authenticated principal's (the report names ir-oncall@example.com)", c.Submitter)
	}

	// Issue 22: one person with table and Step Functions access casts both
	// votes with --as. In AWS mode --as someone else is refused.
	as(people["legal-lead@example.com"])
	got, err = run("approve", caseID, "--as", "ciso@example.com")
	if !errors.Is(err, identity.ErrNotYou) {
		t.Fatalf("approve --as someone else: %v\n%s", err, got)
	}
	if got, err = run("approve", caseID); err != nil || !strings.Contains(got, "1 of 2 approvals") {
		t.Fatalf("approve as legal-lead: %v\n%s", err, got)
	}
	if got, err = run("approve", caseID, "--as", "legal-lead@example.com"); err == nil {
		t.Fatalf("a second vote by the same principal counted:\n%s", got)
	}
	as(people["ciso@example.com"])
	if got, err = run("approve", caseID); err != nil || !strings.Contains(got, "approved, 2 of 2 approvals") {
		t.Fatalf("approve as ciso: %v\n%s", err, got)
	}
	if got, err = run("status", caseID, "--wait", "2m"); err != nil || !strings.Contains(got, "closed") {
		t.Fatalf("status after approval: %v\n%s", err, got)
	}
}

// TestAssertedIdentitiesSaySo: on the local stack with no principal map,
// approve says on screen that identities are asserted.
func TestAssertedIdentitiesSaySo(t *testing.T) {
	t.Setenv(identity.EnvPrincipals, "")
	t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:1")
	var errOut bytes.Buffer
	cmd := newRoot()
	cmd.SetArgs([]string{"approve", "no-such-case", "--as", "legal-lead@example.com", "--wait", "0s"})
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&errOut)
	cmd.ExecuteContext(context.Background())
	if !strings.Contains(errOut.String(), "identities are asserted, not proven") {
		t.Errorf("approve on a local stack said:\n%s", errOut.String())
	}
}
