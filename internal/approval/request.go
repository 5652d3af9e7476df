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
	}
	open.Deadlines = DeadlinesOf(a.Obligations)
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
