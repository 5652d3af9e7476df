package assess

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"breachflow/internal/approval"
	"breachflow/internal/audit"
	"breachflow/internal/breach"
	"breachflow/internal/cases"
	"breachflow/internal/rules"
	"breachflow/internal/stage"
)

// Input is the assessment state's input. Now is the moment the state was
// entered ($$.State.EnteredTime), so a retry or a replay assesses as of the
// same instant and gets the same deadlines.
type Input struct {
	CaseID string    `json:"case_id"`
	Now    time.Time `json:"now"`
}

// Output tells the state machine what follows. Counts and times only.
type Output struct {
	CaseID string `json:"case_id"`
	// Required counts the duties to tell someone (regulators, people,
	// media, agencies) that must be met; zero ends the run with its
	// documented "no notification required" outcome.
	Required    int `json:"required"`
	NotRequired int `json:"not_required"`
	// SelfAssessments counts duties of the organisation itself, such as
	// Australia's 30-day assessment of a suspected breach (s. 26WH): dated
	// and shown by status, but nothing to draft, approve or send, so they
	// do not lead to drafting.
	SelfAssessments  int `json:"self_assessments"`
	RegulatorFilings int `json:"regulator_filings"`
	// IndividualNotices is true when some law requires telling the people.
	IndividualNotices bool `json:"individual_notices"`
	// EarliestDue is the earliest deadline of a required duty (RFC 3339),
	// empty when no required duty has a fixed deadline.
	EarliestDue string `json:"earliest_due,omitempty"`
	// ApprovalTimeoutSeconds is how long the approval wait may last: until
	// the approval margin before the earliest deadline, with a floor, so the
	// wait escalates instead of silently running past a legal clock.
	ApprovalTimeoutSeconds int    `json:"approval_timeout_seconds"`
	UnknownJurisdictions   int    `json:"unknown_jurisdictions"`
	RiskLevel              string `json:"risk_level"`
	// Amended says that no duty is required but a newer version of the
	// report arrived meanwhile: the case is not closed as "no
	// notification required", and the execution begins a pass on the new
	// version instead.
	Amended bool `json:"amended"`
	// StagedDuties counts the second stages (Japan's final report, GDPR
	// Art. 33(4) phases, ...) recorded as dated tasks of the case: not
	// drafted in this run, but by a stage run when each falls due.
	StagedDuties int `json:"staged_duties"`
}

// Stages records a case's staged duties as dated tasks (stage.Store).
type Stages interface {
	Sync(ctx context.Context, caseID string, a rules.Assessment, now time.Time) ([]stage.Task, error)
}

// Handler runs the assessment stage.
type Handler struct {
	Cases *cases.Store
	Store *Store
	// ApprovalMargin is how long before the earliest deadline the sending
	// must start; the approval wait times out then. Default 12 hours.
	ApprovalMargin time.Duration
	// Stages, when set, records the staged duties as dated tasks.
	Stages Stages
	// Audit, when set, records each assessment in the case's audit log.
	Audit audit.Appender
	Log   *slog.Logger
}

// Handle is the Lambda handler.
func (h *Handler) Handle(ctx context.Context, in Input) (Output, error) {
	if in.Now.IsZero() {
		in.Now = time.Now()
	}
	r, _, err := h.Cases.Report(ctx, in.CaseID)
	if err != nil {
		return Output{}, fmt.Errorf("assess %s: %w", in.CaseID, err)
	}
	c, err := h.Cases.Get(ctx, in.CaseID)
	if err != nil {
		return Output{}, fmt.Errorf("assess %s: %w", in.CaseID, err)
	}
	// Scoping's counts win; the report's own estimate (nil) serves a case
	// that was not scoped, and the assessment says it is an estimate.
	var counts map[breach.Jurisdiction]int
	if len(c.Subjects) > 0 {
		counts = c.Subjects
	}
	a, err := rules.Assess(r, counts, in.Now)
	if err != nil {
		return Output{}, fmt.Errorf("assess %s: %w", in.CaseID, err)
	}
	if c.Working() > 1 {
		prev, err := h.Store.Get(ctx, in.CaseID)
		if _, nf := errors.AsType[*NotFoundError](err); err != nil && !nf {
			return Output{}, fmt.Errorf("assess %s: %w", in.CaseID, err)
		}
		KeepStartedClocks(&a, prev)
	}
	if err := h.Store.Put(ctx, in.CaseID, a); err != nil {
		return Output{}, err
	}
	out := summarise(in.CaseID, a, in.Now, h.margin())
	if h.Stages != nil {
		// Every assessment (the first, and each amendment's) brings the
		// tasks up to date: a new stage is added, a waiting one gets its
		// date once its clock starts, one no longer required is cancelled.
		if _, err := h.Stages.Sync(ctx, in.CaseID, a, in.Now); err != nil {
			return Output{}, fmt.Errorf("assess %s: %w", in.CaseID, err)
		}
	}
	_, err = h.Cases.Update(ctx, in.CaseID, func(c *cases.Case) error {
		c.Obligations = out.Required
		c.EarliestDue, _ = approval.Earliest(approval.DeadlinesOf(a.Obligations))
		c.Status = cases.StatusAssessed
		// Closing as "no notification required" is conditional on the
		// version, as every close is (cases.CloseVersion): an amendment
		// that landed meanwhile is taken up, not left behind.
		out.Amended = out.Required == 0 && c.Latest() != c.Working()
		if out.Required == 0 && !out.Amended {
			c.Status = cases.StatusNoNotification
		}
		return nil
	})
	if err != nil {
		return Output{}, fmt.Errorf("assess %s: %w", in.CaseID, err)
	}
	if h.Audit != nil {
		rec := audit.Record{Actor: "assess", Action: "case.assessed", Detail: map[string]string{
			"required": fmt.Sprint(out.Required), "not_required": fmt.Sprint(out.NotRequired),
			"regulator_filings": fmt.Sprint(out.RegulatorFilings), "earliest_due": out.EarliestDue,
			"risk_level": out.RiskLevel, "unknown_jurisdictions": fmt.Sprint(out.UnknownJurisdictions),
			"staged_duties": fmt.Sprint(out.StagedDuties),
		}}
		if _, err := h.Audit.Append(ctx, in.CaseID, rec); err != nil {
			return Output{}, fmt.Errorf("assess %s: %w", in.CaseID, err)
		}
	}
	if h.Log != nil {
		h.Log.InfoContext(ctx, "assess", "case_id", in.CaseID, "required", out.Required,
			"not_required", out.NotRequired, "filings", out.RegulatorFilings, "earliest_due", out.EarliestDue)
	}
	return out, nil
}

func (h *Handler) margin() time.Duration {
	if h.ApprovalMargin > 0 {
		return h.ApprovalMargin
	}
	return 12 * time.Hour
}

func summarise(caseID string, a rules.Assessment, now time.Time, margin time.Duration) Output {
	out := Output{CaseID: caseID, UnknownJurisdictions: len(a.Unknown), RiskLevel: string(a.Risk.Level)}
	for _, o := range a.Obligations {
		if !o.Required {
			out.NotRequired++
			continue
		}
		if o.RecipientKind == breach.RecipientSelf {
			out.SelfAssessments++
			continue
		}
		if o.Staged() {
			out.StagedDuties++
			continue
		}
		out.Required++
		switch o.RecipientKind {
		case breach.RecipientRegulator:
			out.RegulatorFilings++
		case breach.RecipientIndividuals:
			out.IndividualNotices = true
		}
	}
	deadlines := approval.DeadlinesOf(a.Obligations)
	if due, ok := approval.Earliest(deadlines); ok {
		out.EarliestDue = due.UTC().Format(time.RFC3339)
	}
	out.ApprovalTimeoutSeconds = int(approval.WaitTimeoutSeconds(deadlines, now, margin))
	return out
}

// KeepStartedClocks applies the clock rule of an amendment to a later
// version's assessment a, given the one before it (prev): a duty that was
// already owed (the same obligation id, required then and now) keeps the
// clock it started with, and so its deadline, whatever the amended
// timeline says; an amendment never buys time. A duty the amendment brings
// (new people in a new jurisdiction, a new data category crossing a
// threshold) starts its clock as its own law says, from the amended
// report's timeline: each regime's rule names the moment (its Clock:
// awareness under PIPA Art. 34 and GDPR Art. 33(1), determination under
// most US state laws, discovery where the law says so), so the responder
// records in the amendment when the organisation learned the new facts.
func KeepStartedClocks(a *rules.Assessment, prev rules.Assessment) {
	before := make(map[string]rules.Obligation, len(prev.Obligations))
	for _, o := range prev.Obligations {
		if o.Required {
			before[o.ID] = o
		}
	}
	for i, o := range a.Obligations {
		p, ok := before[o.ID]
		if !ok || !o.Required || p.DueAt.IsZero() {
			continue
		}
		if o.DueAt.IsZero() || p.DueAt.Before(o.DueAt) {
			a.Obligations[i].DueAt, a.Obligations[i].ClockStart = p.DueAt, p.ClockStart
		}
	}
}
