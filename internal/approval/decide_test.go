package approval_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/google/go-cmp/cmp"

	"breachflow/internal/approval"
)

func TestOpenEmailsEachApproverButTheSubmitter(t *testing.T) {
	e := newEnv(t)
	out := e.open(t)
	if out.LinksIssued != 2 {
		t.Fatalf("links issued = %d, want 2 (alice, bob; carol submitted)", out.LinksIssued)
	}
	links := e.mail.links()
	if _, ok := links[carol]; ok || links[alice] == "" || links[bob] == "" {
		t.Fatalf("links went to %v, want alice and bob only", slices.Collect(mapsKeys(links)))
	}
	r, err := e.store.Request(context.Background(), "c1", out.RequestID)
	if err != nil {
		t.Fatal(err)
	}
	if r.TaskToken != "token-1" || r.ContentHash != "content-h1" || r.Required != 2 || r.Status != approval.StatusPending {
		t.Errorf("stored request = %+v", r)
	}
	if r.SubmitterID != approval.ApproverID(carol) || strings.Contains(strings.Join(r.Approvers, ","), "@") {
		t.Errorf("request keeps ids, not emails: submitter %q approvers %v", r.SubmitterID, r.Approvers)
	}
	want := []string{"approval.requested", "approval.link_issued", "approval.link_issued"}
	if diff := cmp.Diff(want, e.audit.actions()); diff != "" {
		t.Errorf("audit (-want +got):\n%s", diff)
	}
	// A retried invocation with the same token finds the same request.
	again := e.open(t)
	if again.RequestID != out.RequestID {
		t.Errorf("retry made request %s, want %s", again.RequestID, out.RequestID)
	}
}

func TestOpenRejectsBadInputByName(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*approval.OpenInput)
		field string
	}{
		{"no token", func(in *approval.OpenInput) { in.TaskToken = "" }, "task_token"},
		{"no content hash", func(in *approval.OpenInput) { in.ContentHash = "" }, "content_hash"},
		{"unconfigured approver", func(in *approval.OpenInput) { in.Approvers = []string{alice, dave} }, "approvers[1]"},
		{"too few approvers without the submitter", func(in *approval.OpenInput) { in.Approvers = []string{alice, carol} }, "approvers"},
		{"deadline without time", func(in *approval.OpenInput) { in.Deadlines = []approval.Deadline{{ID: "x"}} }, "deadlines[0].due_at"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			in := approval.OpenInput{CaseID: "c1", TaskToken: "t", ContentHash: "h", RecipientSetHash: "s", Submitter: carol}
			tt.edit(&in)
			_, err := e.svc.Open(context.Background(), in)
			bad, ok := err.(approval.InvalidRequestError) // unwrapped: the state machine sees the type name
			if !ok || bad.Field != tt.field {
				t.Fatalf("Open = %v, want InvalidRequestError on %s", err, tt.field)
			}
			if name := reflect.TypeOf(err).Name(); name != "InvalidRequestError" {
				t.Errorf("error type name %q", name)
			}
		})
	}
}

func TestDecideRules(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		run  func(t *testing.T, e *env, links map[string]string) error
		want error
	}{
		{"replayed link", func(t *testing.T, e *env, links map[string]string) error {
			if _, err := e.svc.Decide(ctx, approval.Decision{Token: links[alice], Approve: true}); err != nil {
				t.Fatal(err)
			}
			_, err := e.svc.Decide(ctx, approval.Decision{Token: links[alice], Approve: true})
			return err
		}, approval.ErrLinkUsed},
		{"expired link", func(t *testing.T, e *env, links map[string]string) error {
			e.now = e.now.Add(approval.DefaultLinkTTL)
			_, err := e.svc.Decide(ctx, approval.Decision{Token: links[alice], Approve: true})
			return err
		}, approval.ErrLinkExpired},
		{"tampered link", func(t *testing.T, e *env, links map[string]string) error {
			_, err := e.svc.Decide(ctx, approval.Decision{Token: "x" + links[alice], Approve: true})
			return err
		}, approval.ErrBadSignature},
		{"approver not on the list", func(t *testing.T, e *env, _ map[string]string) error {
			_, err := e.svc.Decide(ctx, approval.Decision{CaseID: "c1", Approver: dave, Approve: true})
			return err
		}, approval.ErrNotApprover},
		{"approver removed from the list after the link was issued", func(t *testing.T, e *env, links map[string]string) error {
			e.svc.Config.Approvers = []string{bob, carol}
			_, err := e.svc.Decide(ctx, approval.Decision{Token: links[alice], Approve: true})
			return err
		}, approval.ErrNotApprover},
		{"submitter approves their own case", func(t *testing.T, e *env, _ map[string]string) error {
			_, err := e.svc.Decide(ctx, approval.Decision{CaseID: "c1", Approver: carol, Approve: true})
			return err
		}, approval.ErrSelfApproval},
		{"drafts changed after the link was issued", func(t *testing.T, e *env, links map[string]string) error {
			e.hashes.Content = "content-h2"
			_, err := e.svc.Decide(ctx, approval.Decision{Token: links[alice], Approve: true})
			return err
		}, approval.ErrStale},
		{"recipients changed, scripted approval", func(t *testing.T, e *env, _ map[string]string) error {
			e.hashes.RecipientSet = "recipients-h2"
			_, err := e.svc.Decide(ctx, approval.Decision{CaseID: "c1", Approver: alice, Approve: true})
			return err
		}, approval.ErrStale},
		{"same approver twice, link then CLI", func(t *testing.T, e *env, links map[string]string) error {
			if _, err := e.svc.Decide(ctx, approval.Decision{Token: links[alice], Approve: true}); err != nil {
				t.Fatal(err)
			}
			_, err := e.svc.Decide(ctx, approval.Decision{CaseID: "c1", Approver: "ALICE@corp.example", Approve: true})
			return err
		}, approval.ErrAlreadyVoted},
		{"reject without a reason", func(t *testing.T, e *env, links map[string]string) error {
			_, err := e.svc.Decide(ctx, approval.Decision{Token: links[alice]})
			return err
		}, approval.InvalidRequestError{Field: "comment", Problem: "a rejection needs a reason"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.open(t)
			err := tt.run(t, e, e.mail.links())
			if !errors.Is(err, tt.want) {
				t.Fatalf("Decide = %v, want %v", err, tt.want)
			}
			if len(e.tasks.successes) > 0 {
				t.Errorf("refused decisions answered the task: %d successes", len(e.tasks.successes))
			}
			// A refusal about a known request is evidence: it is audited.
			var bad approval.InvalidRequestError
			forged := errors.Is(err, approval.ErrLinkExpired) || errors.Is(err, approval.ErrBadSignature) || errors.As(err, &bad)
			if audited := slices.Contains(e.audit.actions(), "approval.refused"); audited == forged {
				t.Errorf("approval.refused audited = %v for %v", audited, err)
			}
		})
	}
}

func TestSubmitterCannotApproveEvenIfAsked(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	// Open never asks the submitter; a request that does anyway (written by
	// hand, or by an older version) is still refused by Decide.
	if _, err := e.svc.Open(ctx, approval.OpenInput{
		CaseID: "c1", TaskToken: "t", ContentHash: "content-h1", RecipientSetHash: "recipients-h1",
		Submitter: approval.ApproverID(alice), Approvers: []string{alice, bob, carol},
	}); err != nil {
		t.Fatal(err)
	}
	if _, ok := e.mail.links()[alice]; ok {
		t.Error("the submitter got an approval link")
	}
	r := approval.Request{CaseID: "c2", RequestID: "r", TaskToken: "t2", ContentHash: "content-h1", RecipientSetHash: "recipients-h1",
		SubmitterID: approval.ApproverID(alice), Approvers: []string{approval.ApproverID(alice), approval.ApproverID(bob)},
		Required: 2, Status: approval.StatusPending, CreatedAt: t0}
	if err := e.store.CreateRequest(ctx, r); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.Decide(ctx, approval.Decision{CaseID: "c2", Approver: alice, Approve: true})
	if !errors.Is(err, approval.ErrSelfApproval) {
		t.Errorf("submitter approval = %v, want ErrSelfApproval", err)
	}
}

func TestQuorumOfDistinctApprovers(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.open(t)
	links := e.mail.links()

	out, err := e.svc.Decide(ctx, approval.Decision{Token: links[alice], Approve: true})
	if err != nil || out.Decided || len(out.Approvals) != 1 {
		t.Fatalf("first approval: %+v, %v", out, err)
	}
	if len(e.tasks.successes) != 0 {
		t.Fatal("one approval answered the task")
	}
	e.now = e.now.Add(time.Minute)
	out, err = e.svc.Decide(ctx, approval.Decision{CaseID: "c1", Approver: bob, Approve: true})
	if err != nil || !out.Decided {
		t.Fatalf("second approval: %+v, %v", out, err)
	}
	if len(e.tasks.successes) != 1 || aws.ToString(e.tasks.successes[0].TaskToken) != "token-1" {
		t.Fatalf("task answers: %d successes", len(e.tasks.successes))
	}
	output := aws.ToString(e.tasks.successes[0].Output)
	if strings.Contains(output, "@") {
		t.Errorf("task output carries an email: %s", output)
	}
	var rec approval.Record
	if err := json.Unmarshal([]byte(output), &rec); err != nil {
		t.Fatal(err)
	}
	want := approval.Record{
		CaseID: "c1", RequestID: approval.RequestID("token-1"), Decision: "approved", ContentHash: "content-h1",
		RecipientSetHash: "recipients-h1", Required: 2, DecidedAt: t0.Add(time.Minute),
		Approvals: []approval.Approval{{ApproverID: approval.ApproverID(alice), At: t0}, {ApproverID: approval.ApproverID(bob), At: t0.Add(time.Minute)}},
	}
	if diff := cmp.Diff(want, rec); diff != "" {
		t.Errorf("record (-want +got):\n%s", diff)
	}
	// The request is closed: bob's unused link is now void.
	if _, err := e.svc.Decide(ctx, approval.Decision{Token: links[bob], Approve: true}); !errors.Is(err, approval.ErrClosed) {
		t.Errorf("link after quorum: %v, want ErrClosed", err)
	}
	st, err := e.svc.CaseState(ctx, "c1")
	if err != nil || st.Approvals != 2 || st.Request.Status != approval.StatusApproved || !st.Request.TaskNotified {
		t.Errorf("state = %+v, %v", st, err)
	}
	if !slices.Contains(e.audit.actions(), "approval.quorum") {
		t.Errorf("audit lacks the quorum: %v", e.audit.actions())
	}
}

func TestRejectFailsTheTaskWithANamedError(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.open(t)
	if _, err := e.svc.Decide(ctx, approval.Decision{Token: e.mail.links()[bob], Comment: "the Korean notice lacks the contact point"}); err != nil {
		t.Fatal(err)
	}
	if len(e.tasks.failures) != 1 || aws.ToString(e.tasks.failures[0].Error) != approval.ErrorRejected {
		t.Fatalf("failures = %+v", e.tasks.failures)
	}
	if cause := aws.ToString(e.tasks.failures[0].Cause); strings.Contains(cause, "contact point") || strings.Contains(cause, "@") {
		t.Errorf("the cause, visible in the history, carries the comment or an email: %s", cause)
	}
	if _, err := e.svc.Decide(ctx, approval.Decision{CaseID: "c1", Approver: alice, Approve: true}); !errors.Is(err, approval.ErrClosed) {
		t.Errorf("approval after rejection: %v, want ErrClosed", err)
	}
}

func TestNewRequestSupersedesTheOld(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.open(t)
	old := e.mail.links()[alice]
	if _, err := e.svc.Open(ctx, approval.OpenInput{CaseID: "c1", TaskToken: "token-2", ContentHash: "content-h1", RecipientSetHash: "recipients-h1", Submitter: carol}); err != nil {
		t.Fatal(err)
	}
	if len(e.tasks.failures) != 1 || aws.ToString(e.tasks.failures[0].Error) != approval.ErrorSuperseded {
		t.Errorf("old task not released: %+v", e.tasks.failures)
	}
	if _, err := e.svc.Decide(ctx, approval.Decision{Token: old, Approve: true}); !errors.Is(err, approval.ErrClosed) {
		t.Errorf("old link: %v, want ErrClosed", err)
	}
}

func mapsKeys(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}
