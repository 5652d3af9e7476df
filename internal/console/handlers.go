package console

import (
	"errors"
	"net/http"
	"net/url"

	"breachflow/internal/approval"
)

func (h *handler) caseList(w http.ResponseWriter, r *http.Request) {
	cases, err := h.deps.Cases.Cases(r.Context())
	if err != nil {
		h.fail(w, r, "case list", err)
		return
	}
	h.render(w, http.StatusOK, "list", cases)
}

// casePage is the read-only case page (Browse mode): no forms.
func (h *handler) casePage(w http.ResponseWriter, r *http.Request) {
	c, st, ok := h.load(w, r, r.PathValue("id"))
	if !ok {
		return
	}
	v := h.caseView(c, st, h.deps.Now())
	if h.deps.Delivery != nil {
		ds, err := h.deps.Delivery(r.Context(), c.ID)
		if err != nil {
			h.fail(w, r, "delivery", err)
			return
		}
		v.Delivery, v.LiveURL = ds, "/cases/"+url.PathEscape(c.ID)+"/delivery"
	}
	h.render(w, http.StatusOK, "case", v)
}

func (h *handler) load(w http.ResponseWriter, r *http.Request, caseID string) (Case, approval.State, bool) {
	c, err := h.deps.Cases.Case(r.Context(), caseID)
	if errors.Is(err, ErrNotFound) {
		h.problem(w, http.StatusNotFound, "No such case", "There is no case with this id.")
		return Case{}, approval.State{}, false
	}
	if err != nil {
		h.fail(w, r, "case", err)
		return Case{}, approval.State{}, false
	}
	st, err := h.deps.Approval.CaseState(r.Context(), caseID)
	if err != nil {
		h.fail(w, r, "approval state", err)
		return Case{}, approval.State{}, false
	}
	return c, st, true
}

// linkPage shows an approver the case and the decision forms. It decides
// nothing, whatever the query says: mail scanners and previewers fetch links.
func (h *handler) linkPage(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	ls, err := h.deps.Approval.CheckLink(r.Context(), token)
	if err != nil {
		h.linkProblem(w, r, err)
		return
	}
	c, st, ok := h.load(w, r, ls.Claims.CaseID)
	if !ok {
		return
	}
	v := h.caseView(c, st, h.deps.Now())
	v.Link = &linkView{
		Token: token, CSRF: h.deps.Approval.Signer().CSRF(ls.Claims.Nonce),
		Approver: h.deps.Approval.Config.ApproverEmail(ls.Claims.ApproverID),
	}
	v.Link.Expires = timeUnix(ls.Claims.Expires)
	h.render(w, http.StatusOK, "case", v)
}

type resultView struct {
	CaseID    string
	Approved  bool
	Decided   bool
	Approvals int
	Required  int
}

// decide takes a decision: a POST with the CSRF token of this very link.
func (h *handler) decide(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		h.problem(w, http.StatusBadRequest, "Unreadable form", "The form could not be read. Open the link again.")
		return
	}
	claims, err := h.deps.Approval.VerifyLink(token)
	if err != nil {
		h.linkProblem(w, r, err)
		return
	}
	if !h.deps.Approval.Signer().CheckCSRF(claims.Nonce, r.PostFormValue("csrf")) {
		h.problem(w, http.StatusForbidden, "Form not accepted",
			"This decision did not come from the approval page of this link. Open the link again and use its buttons.")
		return
	}
	var approve bool
	switch r.PostFormValue("decision") {
	case "approve":
		approve = true
	case "reject":
	default:
		h.problem(w, http.StatusBadRequest, "No decision", "Choose approve or reject.")
		return
	}
	out, err := h.deps.Approval.Decide(r.Context(), approval.Decision{Token: token, Approve: approve, Comment: r.PostFormValue("comment")})
	if err != nil {
		h.linkProblem(w, r, err)
		return
	}
	h.deps.Log.InfoContext(r.Context(), "console decision", "case_id", claims.CaseID, "request_id", claims.RequestID,
		"approver_id", claims.ApproverID, "approve", approve, "decided", out.Decided)
	h.render(w, http.StatusOK, "result", resultView{
		CaseID: claims.CaseID, Approved: approve, Decided: out.Decided || out.Request.Status == approval.StatusApproved,
		Approvals: len(out.Approvals), Required: out.Request.Required,
	})
}

// linkProblem explains why a link or decision was refused, without details
// that would help a forger.
func (h *handler) linkProblem(w http.ResponseWriter, r *http.Request, err error) {
	var bad approval.InvalidRequestError
	switch {
	case errors.Is(err, approval.ErrBadSignature), errors.Is(err, approval.ErrMalformedLink):
		h.problem(w, http.StatusForbidden, "Invalid link", "This link is not valid. Use the link from your email exactly as it arrived.")
	case errors.Is(err, approval.ErrLinkExpired):
		h.problem(w, http.StatusGone, "Link expired", "This link has expired. Ask the case owner for a new approval request.")
	case errors.Is(err, approval.ErrLinkUsed):
		h.problem(w, http.StatusGone, "Link already used", "This link has already been used; each link decides once.")
	case errors.Is(err, approval.ErrStale):
		h.problem(w, http.StatusConflict, "Drafts changed", "The drafts or the recipients changed after this link was issued, so it no longer approves what would be sent. A new approval round is needed.")
	case errors.Is(err, approval.ErrClosed):
		h.problem(w, http.StatusGone, "Approval closed", "This approval round is closed: it was decided or replaced by a newer one.")
	case errors.Is(err, approval.ErrSelfApproval):
		h.problem(w, http.StatusForbidden, "Not allowed", "The submitter of a case cannot approve it.")
	case errors.Is(err, approval.ErrNotApprover):
		h.problem(w, http.StatusForbidden, "Not an approver", "You are not an approver of this request.")
	case errors.Is(err, approval.ErrAlreadyVoted):
		h.problem(w, http.StatusConflict, "Already decided", "Your decision on this request is already recorded.")
	case errors.Is(err, approval.ErrTaskGone):
		h.problem(w, http.StatusConflict, "Recorded, but the workflow moved on", "Your decision is recorded, but the workflow is no longer waiting for it (its wait timed out or it was stopped).")
	case errors.Is(err, approval.ErrNotFound):
		h.problem(w, http.StatusNotFound, "Unknown link", "This link is not known.")
	case errors.As(err, &bad):
		h.problem(w, http.StatusBadRequest, "Missing information", bad.Problem+".")
	default:
		h.fail(w, r, "decision", err)
	}
}

func (h *handler) fail(w http.ResponseWriter, r *http.Request, op string, err error) {
	h.deps.Log.ErrorContext(r.Context(), "console", "op", op, "err", err)
	h.problem(w, http.StatusInternalServerError, "Something went wrong", "The console could not complete this; nothing was decided unless a result page said so.")
}
