package draft

import (
	"breachflow/internal/audit"
	"context"
	"fmt"
	"log/slog"
	"time"

	"breachflow/internal/cases"
	"breachflow/internal/report"
	"breachflow/internal/rules"
)

// Input is the draft state's input: the case, and the moment the state was
// entered ($$.State.EnteredTime), which becomes the documents' date, so a
// retry drafts the same documents and gets the same hash.
type Input struct {
	CaseID string    `json:"case_id"`
	Now    time.Time `json:"now"`
}

// Output is ids, counts and the hash only: never a document.
type Output struct {
	CaseID string `json:"case_id"`
	// Amended says a newer version of the report arrived since this pass
	// began: nothing was drafted, and the execution begins a pass on it
	// (re-scope, re-assess, re-draft) instead.
	Amended     bool   `json:"amended"`
	Drafts      int    `json:"drafts"`
	Filings     int    `json:"filings"`
	ContentHash string `json:"content_hash"`
}

// Reports gives the case's stored report (cases.Store).
type Reports interface {
	Report(ctx context.Context, caseID string) (*report.Report, string, error)
}

// Assessments gives the case's stored assessment (assess.Store).
type Assessments interface {
	Get(ctx context.Context, caseID string) (rules.Assessment, error)
}

// Cases records the drafted state and hash on the case record (cases.Store).
type Cases interface {
	Update(ctx context.Context, caseID string, change func(*cases.Case) error) (cases.Case, error)
}

// Handler runs the draft stage.
type Handler struct {
	Reports     Reports
	Assessments Assessments
	Cases       Cases
	DB          DB
	Table       string
	// Versions, when set, tells drafting which report version the pass
	// works on and which is the newest (cases.Store).
	Versions Versions
	// Audit, when set, records each drafting in the case's audit log.
	Audit audit.Appender
	Log   *slog.Logger
}

// Versions reads the case record (cases.Store).
type Versions interface {
	Get(ctx context.Context, caseID string) (cases.Case, error)
}

// Handle drafts the case and stores the drafts. A failed content check is
// returned unwrapped as *notice.MissingContentElement, a lost race as
// *ConcurrentDraftError, so the state machine can route on their names.
func (h *Handler) Handle(ctx context.Context, in Input) (Output, error) {
	if in.Now.IsZero() {
		in.Now = time.Now()
	}
	if h.Versions != nil {
		// Drafting reads the newest facts: a run that failed here (a
		// missing content element, say) and was amended with the fact
		// continues, when resumed, on the amended version, re-scoped
		// and re-assessed first.
		c, err := h.Versions.Get(ctx, in.CaseID)
		if err != nil {
			return Output{}, fmt.Errorf("draft %s: %w", in.CaseID, err)
		}
		if c.Latest() != c.Working() {
			if h.Log != nil {
				h.Log.InfoContext(ctx, "draft: newer version", "case_id", in.CaseID, "working", c.Working(), "latest", c.Latest())
			}
			return Output{CaseID: in.CaseID, Amended: true}, nil
		}
	}
	r, _, err := h.Reports.Report(ctx, in.CaseID)
	if err != nil {
		return Output{}, fmt.Errorf("draft %s: %w", in.CaseID, err)
	}
	a, err := h.Assessments.Get(ctx, in.CaseID)
	if err != nil {
		return Output{}, fmt.Errorf("draft %s: %w", in.CaseID, err)
	}
	set, err := setOf(ctx, in.CaseID, h.Reports)
	if err != nil {
		return Output{}, fmt.Errorf("draft %s: %w", in.CaseID, err)
	}
	shared, err := sharedSummary(ctx, h.DB, h.Table, set)
	if err != nil {
		return Output{}, fmt.Errorf("draft %s: %w", in.CaseID, err)
	}
	ds, err := BuildShared(r, a, in.Now, shared)
	if err != nil {
		return Output{}, unwrapNamed(err)
	}
	if ds, err = followupsFor(ctx, h.DB, h.Table, in.CaseID, set, ds, in.Now, h.Reports, Facts(r, a, in.Now)); err != nil {
		return Output{}, fmt.Errorf("draft %s: %w", in.CaseID, err)
	}
	hash, err := Store(ctx, h.DB, h.Table, in.CaseID, ds, in.Now)
	if err != nil {
		return Output{}, unwrapNamed(err)
	}
	if h.Cases != nil {
		_, err = h.Cases.Update(ctx, in.CaseID, func(c *cases.Case) error {
			c.ContentHash = hash
			c.Status = cases.StatusDrafted
			return nil
		})
		if err != nil {
			return Output{}, fmt.Errorf("draft %s: %w", in.CaseID, err)
		}
	}
	out := Output{CaseID: in.CaseID, Drafts: len(ds), ContentHash: hash}
	for _, d := range ds {
		if d.Kind == KindFiling {
			out.Filings++
		}
	}
	if h.Audit != nil {
		rec := audit.Record{Actor: "draft", Action: "case.drafted", Detail: map[string]string{
			"drafts": fmt.Sprint(out.Drafts), "filings": fmt.Sprint(out.Filings), "content_hash": hash,
		}}
		if _, err := h.Audit.Append(ctx, in.CaseID, rec); err != nil {
			return Output{}, fmt.Errorf("draft %s: %w", in.CaseID, err)
		}
	}
	if h.Log != nil {
		h.Log.InfoContext(ctx, "draft", "case_id", in.CaseID, "drafts", out.Drafts, "filings", out.Filings, "content_hash", hash)
	}
	return out, nil
}
