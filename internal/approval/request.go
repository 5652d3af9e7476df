package approval

import (
	"context"
	"fmt"

	"breachflow/internal/cases"
	"breachflow/internal/report"
	"breachflow/internal/rules"
)

// CaseRequest is the approval state's input as the state machine sends it:
// the case id and the task token only. Everything else the request binds to
// (the hashes, the deadlines, who may approve and who may not) is read from
// the case, so no address, not even a staff one, enters execution history.
type CaseRequest struct {
	CaseID    string `json:"case_id"`
	TaskToken string `json:"task_token"`
	// Stage is the obligation id of a staged duty whose drafted filing the
	// stage run asks approval for; empty for the case's drafts.
	Stage string `json:"stage,omitempty"`
}

// CaseReader is what Requester reads a case with.
type CaseReader interface {
	Get(ctx context.Context, caseID string) (cases.Case, error)
	Report(ctx context.Context, caseID string) (*report.Report, string, error)
}

// AssessmentReader loads a case's stored assessment.
type AssessmentReader interface {
	Get(ctx context.Context, caseID string) (rules.Assessment, error)
}

// Requester turns a CaseRequest into an approval request on Service: the
// `.waitForTaskToken` task's handler.
type Requester struct {
	Service     *Service
	Cases       CaseReader
	Assessments AssessmentReader
}

// Handle is the Lambda handler of the approval-request function.
func (r *Requester) Handle(ctx context.Context, in CaseRequest) (OpenOutput, error) {
	if in.CaseID == "" || in.TaskToken == "" {
		return OpenOutput{}, &InvalidRequestError{Field: "case_id/task_token", Problem: "both are required"}
	}
	c, err := r.Cases.Get(ctx, in.CaseID)
	if err != nil {
		return OpenOutput{}, fmt.Errorf("approval request %s: %w", in.CaseID, err)
	}
	rep, _, err := r.Cases.Report(ctx, in.CaseID)
	if err != nil {
		return OpenOutput{}, fmt.Errorf("approval request %s: %w", in.CaseID, err)
	}
	a, err := r.Assessments.Get(ctx, in.CaseID)
	if err != nil {
		return OpenOutput{}, fmt.Errorf("approval request %s: %w", in.CaseID, err)
	}
	open := OpenInput{
		CaseID: in.CaseID, TaskToken: in.TaskToken,
		ContentHash: c.ContentHash, RecipientSetHash: c.RecipientSetHash,
		Approvers: rep.Approvers, Submitter: ApproverID(rep.Submitter),
		Channels: c.Channels,
	}
	open.Deadlines = DeadlinesOf(a.Obligations)
	if in.Stage != "" {
		// A staged duty's round binds its one filing and its one
		// recipient, and is measured against its own due date.
		if r.Service.Stages == nil {
			return OpenOutput{}, &InvalidRequestError{Field: "stage", Problem: "no stage source is configured"}
		}
		h, due, err := r.Service.Stages.StageHashes(ctx, in.CaseID, in.Stage)
		if err != nil {
			return OpenOutput{}, fmt.Errorf("approval request %s stage %s: %w", in.CaseID, in.Stage, err)
		}
		open.ContentHash, open.RecipientSetHash, open.Stage, open.Deadlines = h.Content, h.RecipientSet, in.Stage, nil
		open.Channels = nil
		if !due.IsZero() {
			open.Deadlines = []Deadline{{ID: in.Stage, DueAt: due}}
		}
	}
	return r.Service.Open(ctx, open)
}

// DeadlinesOf returns the fixed deadlines of the required obligations: what
// an approval round is measured against. Staged duties (second stages, due
// later) are not: they are drafted and approved in their own round when due.
func DeadlinesOf(obs []rules.Obligation) []Deadline {
	var ds []Deadline
	for _, o := range obs {
		if o.Required && !o.DueAt.IsZero() && !o.Staged() {
			ds = append(ds, Deadline{ID: o.ID, DueAt: o.DueAt})
		}
	}
	return ds
}
