package approval_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"breachflow/internal/approval"
)

// TestVerifyApproval reproduces the ways a send could be started without a
// real quorum, each of which the send stage must refuse by name.
func TestVerifyApproval(t *testing.T) {
	ctx := context.Background()
	vote := func(t *testing.T, e *env, who string, approve bool) {
		t.Helper()
		d := approval.Decision{CaseID: "c1", Approver: who, Approve: approve}
		if !approve {
			d.Comment = "the Korean notice misses the remedies"
		}
		if _, err := e.svc.Decide(ctx, d); err != nil {
			t.Fatalf("vote of %s: %v", who, err)
		}
	}
	approved := func(t *testing.T, e *env) string {
		e.open(t)
		vote(t, e, alice, true)
		vote(t, e, bob, true)
		reqs, _ := e.store.Requests(ctx, "c1")
		return reqs[len(reqs)-1].RequestID
	}
	tests := []struct {
		name string
		// arrange returns the config to verify with and the claimed hash.
		arrange func(t *testing.T, e *env) (approval.Config, string)
		reason  string // "" means verified
	}{
		{"quorum of two", func(t *testing.T, e *env) (approval.Config, string) {
			approved(t, e)
			return e.svc.Config, "content-h1"
		}, ""},
		{"nothing requested", func(t *testing.T, e *env) (approval.Config, string) {
			return e.svc.Config, "content-h1"
		}, "no approval request"},
		{"forged task success: request still pending", func(t *testing.T, e *env) (approval.Config, string) {
			e.open(t)
			return e.svc.Config, "content-h1"
		}, "is pending"},
		{"one vote of two", func(t *testing.T, e *env) (approval.Config, string) {
			e.open(t)
			vote(t, e, alice, true)
			return e.svc.Config, "content-h1"
		}, "is pending"},
		{"rejected", func(t *testing.T, e *env) (approval.Config, string) {
			e.open(t)
			vote(t, e, alice, false)
			return e.svc.Config, "content-h1"
		}, "is rejected"},
		{"request written into the table by someone else", func(t *testing.T, e *env) (approval.Config, string) {
			forged := approval.Request{CaseID: "c1", RequestID: "rforged", ContentHash: "content-h1", RecipientSetHash: "recipients-h1",
				SubmitterID: approval.ApproverID(carol), Approvers: []string{approval.ApproverID(alice)}, Required: 1,
				Status: approval.StatusApproved, CreatedAt: t0}
			if err := e.store.CreateRequest(ctx, forged); err != nil {
				t.Fatal(err)
			}
			return e.svc.Config, "content-h1"
		}, "does not carry the approval service's seal"},
		{"request edited in the table to need one vote", func(t *testing.T, e *env) (approval.Config, string) {
			e.open(t)
			vote(t, e, alice, true)
			reqs, _ := e.store.Requests(ctx, "c1")
			r := reqs[0]
			edited := r
			edited.RequestID, edited.Required, edited.Status = "redited", 1, approval.StatusApproved
			edited.CreatedAt = r.CreatedAt.Add(1)
			if err := e.store.CreateRequest(ctx, edited); err != nil {
				t.Fatal(err)
			}
			return e.svc.Config, "content-h1"
		}, "does not carry the approval service's seal"},
		{"vote written into the table by someone else", func(t *testing.T, e *env) (approval.Config, string) {
			id := approved(t, e)
			if err := e.store.AddVote(ctx, approval.Vote{CaseID: "c1", RequestID: id, ApproverID: approval.ApproverID(dave), Approve: true,
				At: t0, ContentHash: "content-h1", RecipientSetHash: "recipients-h1"}); err != nil {
				t.Fatal(err)
			}
			return e.svc.Config, "content-h1"
		}, "vote on request"},
		{"drafts changed after approval", func(t *testing.T, e *env) (approval.Config, string) {
			approved(t, e)
			e.hashes.Content = "content-h2"
			return e.svc.Config, "content-h2"
		}, "drafts hash"},
		{"recipients changed after approval", func(t *testing.T, e *env) (approval.Config, string) {
			approved(t, e)
			e.hashes.RecipientSet = "recipients-h2"
			return e.svc.Config, "content-h1"
		}, "recipient set hash"},
		{"workflow carries another content hash", func(t *testing.T, e *env) (approval.Config, string) {
			approved(t, e)
			return e.svc.Config, "content-h0"
		}, "the workflow carries content hash"},
		{"an approver removed from the configuration since", func(t *testing.T, e *env) (approval.Config, string) {
			approved(t, e)
			c := e.svc.Config
			c.Approvers = []string{alice, carol, dave}
			return c, "content-h1"
		}, "1 of 2 required approvals"},
		{"signed with another key", func(t *testing.T, e *env) (approval.Config, string) {
			approved(t, e)
			c := e.svc.Config
			c.Key = []byte("another key of at least 32 bytes.")
			return c, "content-h1"
		}, "seal"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			c, claimed := tc.arrange(t, e)
			got, err := approval.VerifyApproval(ctx, c, e.store, "c1", claimed, e.hashes)
			if tc.reason == "" {
				if err != nil {
					t.Fatalf("VerifyApproval: %v", err)
				}
				if len(got.Approvers) != 2 || got.ContentHash != "content-h1" {
					t.Errorf("verified %+v, want two approvers of content-h1", got)
				}
				return
			}
			na, ok := errors.AsType[*approval.NotApproved](err)
			if !ok {
				t.Fatalf("err = %v (%T), want *approval.NotApproved", err, err)
			}
			if !strings.Contains(na.Reason, tc.reason) {
				t.Errorf("reason %q, want it to say %q", na.Reason, tc.reason)
			}
			if strings.Contains(err.Error(), "@") {
				t.Errorf("error names an address: %v", err)
			}
		})
	}
}
