//go:build integration

package approval_test

import (
	"context"
	"os"
	"regexp"
	"slices"
	"testing"
	"time"

	"breachflow/internal/approval"
	"breachflow/internal/local/localtest"
)

func TestMain(m *testing.M) { os.Exit(localtest.Main(m)) }

func TestDynamoStore(t *testing.T) {
	db := localtest.DynamoDB(t)
	testStore(t, approval.DynamoStore{DB: db, Table: localtest.NewTable(t, db)})
}

// TestApprovalOnEmulators runs a whole round through dynalite and the SES
// emulator: links arrive in the mailbox, two approvers reach quorum, and the
// case's audit chain verifies.
func TestApprovalOnEmulators(t *testing.T) {
	ctx := context.Background()
	db := localtest.DynamoDB(t)
	table := localtest.NewTable(t, db)
	ses, mailbox := localtest.SES(t)
	since := time.Now().Add(-time.Second)

	e := newEnv(t)
	log := localtest.Audit(t, table)
	e.svc.Store = approval.DynamoStore{DB: db, Table: table}
	e.svc.Mail = ses
	e.svc.Audit = log
	e.now = time.Now().UTC()
	caseID := "int-" + localtest.TableName(t, "c")
	if _, err := e.svc.Open(ctx, approval.OpenInput{
		CaseID: caseID, TaskToken: "token-" + caseID, ContentHash: "content-h1", RecipientSetHash: "recipients-h1",
		Deadlines: []approval.Deadline{{ID: "KR-PIPA/regulator", DueAt: e.now.Add(3 * time.Hour)}}, Submitter: carol,
	}); err != nil {
		t.Fatal(err)
	}

	msgs, err := mailbox.Messages(ctx, since)
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`http://console\.test/a/([A-Za-z0-9_.-]+)`)
	links := map[string]string{}
	for _, m := range msgs {
		if sub := re.FindStringSubmatch(m.Body.Text); sub != nil && len(m.Destination.To) == 1 {
			if c, err := e.svc.Signer().Verify(sub[1], e.now); err == nil && c.CaseID == caseID {
				links[m.Destination.To[0]] = sub[1]
			}
		}
	}
	if len(links) != 2 || links[alice] == "" || links[bob] == "" {
		t.Fatalf("links in the mailbox for %d approvers, want alice and bob", len(links))
	}

	// The deadline is 3h away: both thresholds (24h, 6h) fire, in one email.
	if out, err := e.svc.Escalate(ctx); err != nil || out.Escalated != 1 {
		t.Fatalf("Escalate = %+v, %v", out, err)
	}
	for _, a := range []string{alice, bob} {
		if _, err := e.svc.Decide(ctx, approval.Decision{Token: links[a], Approve: true}); err != nil {
			t.Fatalf("%s approves: %v", a, err)
		}
	}
	if len(e.tasks.successes) != 1 {
		t.Fatalf("task successes = %d, want 1", len(e.tasks.successes))
	}
	if _, err := e.svc.Decide(ctx, approval.Decision{Token: links[alice], Approve: true}); err == nil {
		t.Error("a used link decided again")
	}

	chain, err := log.Verify(ctx, caseID)
	entries := chain.Entries
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, en := range entries {
		actions = append(actions, en.Action)
	}
	for _, want := range []string{"approval.requested", "approval.link_issued", "approval.escalated", "approval.approved", "approval.quorum"} {
		if !slices.Contains(actions, want) {
			t.Errorf("audit log lacks %s: %v", want, actions)
		}
	}
}
