package approval_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"breachflow/internal/approval"
	"breachflow/internal/approval/approvaltest"
)

// testStore checks the once-only semantics every Store must have; it runs
// on MemStore here and on DynamoStore against dynalite in the integration
// tests.
func testStore(t *testing.T, s approval.Store) {
	ctx := context.Background()
	r := approval.Request{CaseID: "sc", RequestID: "r1", TaskToken: "tok", ContentHash: "h", RecipientSetHash: "s",
		Deadlines: []approval.Deadline{{ID: "d1", DueAt: t0.Add(10 * time.Hour)}}, SubmitterID: "ap-s",
		Approvers: []string{"ap-a", "ap-b"}, Required: 2, Status: approval.StatusPending, CreatedAt: t0}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.CreateRequest(ctx, r))
	if err := s.CreateRequest(ctx, r); !errors.Is(err, approval.ErrExists) {
		t.Errorf("second CreateRequest = %v, want ErrExists", err)
	}
	if _, err := s.Request(ctx, "sc", "nope"); !errors.Is(err, approval.ErrNotFound) {
		t.Errorf("missing request = %v, want ErrNotFound", err)
	}
	got, err := s.Request(ctx, "sc", "r1")
	must(err)
	if got.TaskToken != "tok" || len(got.Deadlines) != 1 || !got.Deadlines[0].DueAt.Equal(t0.Add(10*time.Hour)) || len(got.Approvers) != 2 {
		t.Errorf("request round trip = %+v", got)
	}

	pending, err := s.Pending(ctx, t0.Add(11*time.Hour))
	must(err)
	if !hasRequest(pending, "r1") {
		t.Errorf("Pending before the deadline+1h misses r1: %+v", pending)
	}
	pending, err = s.Pending(ctx, t0.Add(9*time.Hour))
	must(err)
	if hasRequest(pending, "r1") {
		t.Error("Pending lists r1 before its window")
	}

	l := approval.Link{CaseID: "sc", RequestID: "r1", Nonce: "n1", ApproverID: "ap-a", IssuedAt: t0, Expires: t0.Add(time.Hour)}
	must(s.PutLink(ctx, l))
	if err := s.ConsumeLink(ctx, "sc", "n2", t0); !errors.Is(err, approval.ErrNotFound) {
		t.Errorf("consume unknown link = %v, want ErrNotFound", err)
	}
	must(s.ConsumeLink(ctx, "sc", "n1", t0))
	if err := s.ConsumeLink(ctx, "sc", "n1", t0); !errors.Is(err, approval.ErrLinkUsed) {
		t.Errorf("second consume = %v, want ErrLinkUsed", err)
	}
	if got, err := s.Link(ctx, "sc", "n1"); err != nil || got.ConsumedAt.IsZero() {
		t.Errorf("consumed link = %+v, %v", got, err)
	}

	must(s.AddVote(ctx, approval.Vote{CaseID: "sc", RequestID: "r1", ApproverID: "ap-a", Approve: true, At: t0, Via: "cli"}))
	if err := s.AddVote(ctx, approval.Vote{CaseID: "sc", RequestID: "r1", ApproverID: "ap-a", At: t0, Via: "link"}); !errors.Is(err, approval.ErrAlreadyVoted) {
		t.Errorf("second vote = %v, want ErrAlreadyVoted", err)
	}
	must(s.AddVote(ctx, approval.Vote{CaseID: "sc", RequestID: "r1", ApproverID: "ap-b", Approve: true, At: t0.Add(time.Second), Via: "cli"}))
	votes, err := s.Votes(ctx, "sc", "r1")
	must(err)
	if len(votes) != 2 || votes[0].ApproverID != "ap-a" {
		t.Errorf("votes = %+v", votes)
	}

	must(s.SetStatus(ctx, "sc", "r1", approval.StatusPending, approval.StatusApproved, t0))
	if err := s.SetStatus(ctx, "sc", "r1", approval.StatusPending, approval.StatusRejected, t0); !errors.Is(err, approval.ErrConflict) {
		t.Errorf("second status change = %v, want ErrConflict", err)
	}
	must(s.MarkNotified(ctx, "sc", "r1"))
	got, err = s.Request(ctx, "sc", "r1")
	must(err)
	if got.Status != approval.StatusApproved || !got.TaskNotified {
		t.Errorf("after approval: %+v", got)
	}
	pending, err = s.Pending(ctx, t0.Add(100*time.Hour))
	must(err)
	if hasRequest(pending, "r1") {
		t.Error("an approved request is still pending")
	}

	e := approval.Escalation{CaseID: "sc", RequestID: "r1", Margin: 6 * time.Hour, DueAt: t0, At: t0, Notified: 1}
	must(s.ClaimEscalation(ctx, e))
	if err := s.ClaimEscalation(ctx, e); !errors.Is(err, approval.ErrAlreadyEscalated) {
		t.Errorf("second escalation = %v, want ErrAlreadyEscalated", err)
	}
	es, err := s.Escalations(ctx, "sc")
	must(err)
	if len(es) != 1 || es[0].Margin != 6*time.Hour {
		t.Errorf("escalations = %+v", es)
	}
	rs, err := s.Requests(ctx, "sc")
	must(err)
	if len(rs) != 1 {
		t.Errorf("requests = %d, want 1 (links, votes and escalations are not requests)", len(rs))
	}
}

func hasRequest(rs []approval.Request, id string) bool {
	for _, r := range rs {
		if r.RequestID == id {
			return true
		}
	}
	return false
}

func TestMemStore(t *testing.T) { testStore(t, approvaltest.NewMemStore()) }
