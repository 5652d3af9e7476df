package posting

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"breachflow/internal/draft"
	"breachflow/internal/rules"
)

// ApprovalCheck verifies from the sealed approval records that the case
// may be published and returns the content hash the approvers bound
// (approval.VerifyApproval, as the send stage asks it). A refusal is a
// named error (NotApproved) returned unwrapped.
type ApprovalCheck func(ctx context.Context, caseID, claimed string) (approved string, err error)

// Drafts loads a case's stored drafts and their content hash (draft.Load).
type Drafts func(ctx context.Context, caseID string) ([]draft.Draft, string, error)

// Assessments reads a case's assessment (assess.Store).
type Assessments interface {
	Get(ctx context.Context, caseID string) (rules.Assessment, error)
}

// Request is the publish state's input: ids and a hash only.
type Request struct {
	CaseID      string `json:"case_id"`
	ContentHash string `json:"content_hash"`
}

// Response is what the execution history keeps: counts and dates.
type Response struct {
	Pages    int       `json:"pages"`
	Days     int       `json:"days"`
	PostedAt time.Time `json:"posted_at,omitzero"`
	Until    time.Time `json:"until,omitzero"`
}

// Handler is the publish Lambda: after approval, before the customer
// notices go out, it posts the approved substitute and public notices.
type Handler struct {
	Approval    ApprovalCheck
	Drafts      Drafts
	Assessments Assessments
	Publisher   *Publisher
	Log         *slog.Logger
}

// Handle publishes the case's posted notices. It refuses with
// *approval.NotApproved (from Approval) or *draft.UnapprovedContent,
// unwrapped, so the state machine routes on their names; nothing goes up.
func (h *Handler) Handle(ctx context.Context, in Request) (Response, error) {
	approved, err := h.Approval(ctx, in.CaseID, in.ContentHash)
	if err != nil {
		return Response{}, err
	}
	ds, hash, err := h.Drafts(ctx, in.CaseID)
	if err != nil {
		return Response{}, fmt.Errorf("publish %s: %w", in.CaseID, err)
	}
	if approved == "" || hash != approved {
		return Response{}, &draft.UnapprovedContent{CaseID: in.CaseID, Approved: approved, Current: hash}
	}
	a, err := h.Assessments.Get(ctx, in.CaseID)
	if err != nil {
		return Response{}, fmt.Errorf("publish %s: %w", in.CaseID, err)
	}
	period := PeriodFor(a)
	pages, err := h.Publisher.Publish(ctx, in.CaseID, approved, ds, period)
	if err != nil {
		return Response{}, err
	}
	out := Response{Pages: len(pages), Days: period.Days}
	for _, p := range pages {
		if out.PostedAt.IsZero() || p.PostedAt.Before(out.PostedAt) {
			out.PostedAt = p.PostedAt
		}
		if p.Until.After(out.Until) {
			out.Until = p.Until
		}
	}
	if h.Log != nil {
		h.Log.Info("publish", "case_id", in.CaseID, "pages", out.Pages, "days", out.Days, "period", period.Cites())
	}
	return out, nil
}
