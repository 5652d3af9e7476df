// Package intake is the first state of a breach case: it re-validates the
// report that `breachflow start` stored, and opens the case record
// idempotently. The state machine passes it a case id and gets back ids,
// counts and the report's hash: the report itself, and anything personal in
// it, never enters the execution history.
package intake

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"breachflow/internal/audit"
	"breachflow/internal/breach"
	"breachflow/internal/cases"
	"breachflow/internal/casetable"
	"breachflow/internal/report"
)

// Input is the intake state's input.
type Input struct {
	CaseID string `json:"case_id"`
	// ExecutionArn is the execution running the case ($$.Execution.Id),
	// recorded on the case so `breachflow status` can find it.
	ExecutionArn string `json:"execution_arn,omitempty"`
	// Action is what the execution asks of the case: "" (begin a pass:
	// open the case if need be and move it to its latest report version)
	// or ActionAwaitRevision (after a rejection: keep TaskToken on the
	// case until amend or redraft hands a revision back with it).
	Action    string `json:"action,omitempty"`
	TaskToken string `json:"task_token,omitempty"`
}

// ActionAwaitRevision is Input.Action for the wait after a rejection.
const ActionAwaitRevision = "await_revision"

// ActionLateRound is Input.Action for an execution that package reopen
// started (for `breachflow resume`, or the scheduled sweep) for a closed
// case whose ledger filed failures after the close
// (cases.Case.ChangedAfterClose): it reopens the case at the version it
// closed, to send what those failures leave owed.
const ActionLateRound = "late_round"

// Output is what intake hands on: ids, counts and vocabulary, no personal data.
type Output struct {
	CaseID         string            `json:"case_id"`
	ReportSHA256   string            `json:"report_sha256"`
	Status         cases.Status      `json:"status"`
	Opened         bool              `json:"opened"` // false when the case already existed
	Shards         int               `json:"shards"`
	DataCategories []breach.Category `json:"data_categories"`
	// Version is the report version this pass works on; SetID keys its
	// subject set (casetable.SetID).
	Version int    `json:"version"`
	SetID   string `json:"set_id"`
	// ContentHash is the approved drafts' hash, for a late round only
	// (ActionLateRound): the send stage verifies it against the sealed
	// approval records itself, so it is a claim, never a permission.
	ContentHash string `json:"content_hash,omitempty"`
}

// InvalidReport is returned (unwrapped, so the state machine can route on its
// name) when the stored report fails validation. It lists field paths and
// problems, never field values.
type InvalidReport struct {
	CaseID   string
	Problems []report.Problem
}

func (e *InvalidReport) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.String()
	}
	return fmt.Sprintf("case %s: invalid report: %s", e.CaseID, strings.Join(parts, "; "))
}

// CaseClosed is returned (unwrapped) when an execution other than the
// case's own runs for a case that has reached its outcome (closed, or no
// notification required). Rerunning a closed case would draft, ask for
// approval and send again; a case changes through an amendment instead.
type CaseClosed struct{ CaseID, Status string }

func (e *CaseClosed) Error() string {
	return fmt.Sprintf("case %s is %s: a second execution is refused; amend the case to change it", e.CaseID, e.Status)
}

// CaseInProgress is returned (unwrapped) when an execution other than the
// case's own runs for a case that is still being worked: two runs of one
// case would race to draft, approve and send. A failed run continues with
// `breachflow resume`, which redrives the case's own execution.
type CaseInProgress struct{ CaseID, Status string }

func (e *CaseInProgress) Error() string {
	return fmt.Sprintf("case %s (%s) belongs to another execution: a second one is refused; resume that one instead", e.CaseID, e.Status)
}

// CaseNotFound is returned when no report is stored for the case id.
type CaseNotFound struct{ CaseID string }

func (e *CaseNotFound) Error() string { return "case " + e.CaseID + ": no stored report" }

// Handler opens cases.
type Handler struct {
	Cases *cases.Store
	// Audit, when set, records the case's opening in its audit log: the
	// chain's first entry.
	Audit audit.Appender
	Log   *slog.Logger
}

// refuseSecond records in the audit log that another execution tried to run
// the case, and returns the named error the state machine routes on.
func (h *Handler) refuseSecond(ctx context.Context, c cases.Case, executionArn string) error {
	if h.Audit != nil {
		rec := audit.Record{Actor: "intake", Action: "case.rerun_refused", Detail: map[string]string{
			"execution_arn": executionArn, "case_execution_arn": c.ExecutionArn, "status": string(c.Status),
		}}
		// The refusal stands even when the log cannot take the record (its
		// signed chain found cut, say): a second run is the worse outcome.
		if _, err := h.Audit.Append(ctx, c.CaseID, rec); err != nil && h.Log != nil {
			h.Log.ErrorContext(ctx, "second execution refused but not recorded", "case_id", c.CaseID, "error", err)
		}
	}
	if h.Log != nil {
		h.Log.WarnContext(ctx, "second execution refused", "case_id", c.CaseID, "status", c.Status)
	}
	switch c.Status {
	case cases.StatusClosed, cases.StatusNoNotification:
		return &CaseClosed{CaseID: c.CaseID, Status: string(c.Status)}
	}
	return &CaseInProgress{CaseID: c.CaseID, Status: string(c.Status)}
}

// Handle is the Lambda handler.
func (h *Handler) Handle(ctx context.Context, in Input) (Output, error) {
	if in.CaseID == "" {
		return Output{}, &InvalidReport{Problems: []report.Problem{{Path: "case_id", Message: "required"}}}
	}
	switch in.Action {
	case ActionAwaitRevision:
		return h.awaitRevision(ctx, in)
	case ActionLateRound:
		return h.lateRound(ctx, in)
	}
	c, opened, err := h.Cases.Open(ctx, in.CaseID)
	var nf *cases.NotFoundError
	var ve *report.ValidationError
	switch {
	case errors.As(err, &nf):
		return Output{}, &CaseNotFound{CaseID: in.CaseID}
	case errors.As(err, &ve):
		return Output{}, &InvalidReport{CaseID: in.CaseID, Problems: ve.Problems}
	case err != nil:
		return Output{}, fmt.Errorf("intake %s: %w", in.CaseID, err)
	}
	if !opened && in.ExecutionArn != "" && c.ExecutionArn != "" && c.ExecutionArn != in.ExecutionArn {
		return Output{}, h.refuseSecond(ctx, c, in.ExecutionArn)
	}
	if in.ExecutionArn != "" && c.ExecutionArn != in.ExecutionArn {
		c, err = h.Cases.Update(ctx, in.CaseID, func(c *cases.Case) error {
			c.ExecutionArn = in.ExecutionArn
			return nil
		})
		if err != nil {
			return Output{}, fmt.Errorf("intake %s: %w", in.CaseID, err)
		}
	}
	prev := c.Working()
	if c, err = h.Cases.BeginVersion(ctx, in.CaseID); err != nil {
		return Output{}, fmt.Errorf("intake %s: %w", in.CaseID, err)
	}
	r, _, err := h.Cases.Report(ctx, in.CaseID)
	if err != nil {
		var ve *report.ValidationError
		if errors.As(err, &ve) {
			return Output{}, &InvalidReport{CaseID: in.CaseID, Problems: ve.Problems}
		}
		return Output{}, fmt.Errorf("intake %s: %w", in.CaseID, err)
	}
	if !opened && h.Audit != nil && c.Working() != prev {
		rec := audit.Record{Actor: "intake", Action: "case.version_begun", Detail: map[string]string{
			"version": fmt.Sprint(c.Working()), "previous_version": fmt.Sprint(prev), "report_sha256": c.ReportSHA256, "execution_arn": in.ExecutionArn,
		}}
		if _, err := h.Audit.Append(ctx, c.CaseID, rec); err != nil {
			return Output{}, fmt.Errorf("intake %s: %w", in.CaseID, err)
		}
	}
	if opened && h.Audit != nil {
		rec := audit.Record{Actor: "intake", Action: "case.opened", Detail: map[string]string{
			"report_id": r.ReportID, "report_sha256": c.ReportSHA256, "execution_arn": in.ExecutionArn,
		}}
		if _, err := h.Audit.Append(ctx, c.CaseID, rec); err != nil {
			return Output{}, fmt.Errorf("intake %s: %w", in.CaseID, err)
		}
	}
	out := Output{
		CaseID: c.CaseID, ReportSHA256: c.ReportSHA256, Status: c.Status, Opened: opened,
		Shards: c.Shards, DataCategories: r.DataCategories,
		Version: c.Working(), SetID: casetable.SetID(c.CaseID, c.Working()),
	}
	if h.Log != nil {
		h.Log.InfoContext(ctx, "intake", "case_id", c.CaseID, "opened", opened, "status", c.Status, "categories", len(r.DataCategories))
	}
	return out, nil
}

// RevisionOutput is what the revision wait hands on once amend or redraft
// sends the task token back: the version to draft next (the same one for
// a re-draft). Only the number travels.
type RevisionOutput struct {
	Version int `json:"version"`
}

// awaitRevision keeps the task token on the case: the execution waits
// (its state is .waitForTaskToken) until `breachflow amend` or
// `breachflow redraft` takes the token and hands the revision back. The
// approver's reason is already on the case (approval records it); the
// execution history holds only the token.
func (h *Handler) awaitRevision(ctx context.Context, in Input) (Output, error) {
	if in.TaskToken == "" {
		return Output{}, &InvalidReport{CaseID: in.CaseID, Problems: []report.Problem{{Path: "task_token", Message: "required"}}}
	}
	c, err := h.Cases.AwaitRevision(ctx, in.CaseID, in.TaskToken)
	var nf *cases.NotFoundError
	if errors.As(err, &nf) {
		return Output{}, &CaseNotFound{CaseID: in.CaseID}
	}
	if err != nil {
		return Output{}, fmt.Errorf("intake %s: await revision: %w", in.CaseID, err)
	}
	if h.Audit != nil {
		rec := audit.Record{Actor: "intake", Action: "case.awaiting_revision", Detail: map[string]string{"version": fmt.Sprint(c.Working())}}
		if _, err := h.Audit.Append(ctx, c.CaseID, rec); err != nil {
			return Output{}, fmt.Errorf("intake %s: %w", in.CaseID, err)
		}
	}
	if h.Log != nil {
		h.Log.InfoContext(ctx, "awaiting revision", "case_id", c.CaseID, "version", c.Working())
	}
	return Output{CaseID: c.CaseID, Status: c.Status, Shards: c.Shards, Version: c.Working(), SetID: casetable.SetID(c.CaseID, c.Working())}, nil
}

// ActionReopened is the audit action of a late round's reopening.
const ActionReopened = "case.reopened"

// NothingOwed is returned (unwrapped) when a late round finds its closed
// case with no failure filed since the close: nothing to send.
type NothingOwed struct{ CaseID string }

func (e *NothingOwed) Error() string {
	return "case " + e.CaseID + ": no failure was filed since the close; nothing is owed"
}

// lateRound reopens a closed case for the execution package reopen started
// for it (its ARN recorded on the case, as for a new version's): the case
// goes back to sending at the version it closed, and
// the send rounds that follow reach exactly the people the failures filed
// since the close leave owed, since every round skips whoever has a record
// on its channel. The close at the end counts the version again and
// clears its noted shards. Any other execution is refused, as a second
// run of a case always is. It reads no report: the late round goes
// straight to the send rounds, which scope nothing.
func (h *Handler) lateRound(ctx context.Context, in Input) (Output, error) {
	var refused *cases.Case
	var shards int
	again := false
	c, err := h.Cases.Update(ctx, in.CaseID, func(c *cases.Case) error {
		refused, again = nil, false
		if c.ExecutionArn == in.ExecutionArn && c.Status == cases.StatusSending {
			// This execution reopened it already: a retry of the task
			// after the write landed. Its answer again, nothing new.
			again, shards = true, c.ChangedShards(c.Working())
			return nil
		}
		if c.ExecutionArn != in.ExecutionArn || c.Status != cases.StatusClosed {
			refused = c
			return errRefused
		}
		if shards = c.ChangedShards(c.Working()); shards == 0 {
			return &NothingOwed{CaseID: c.CaseID}
		}
		c.Status = cases.StatusSending
		return nil
	})
	var nf *cases.NotFoundError
	var nothing *NothingOwed
	switch {
	case errors.As(err, &nf):
		return Output{}, &CaseNotFound{CaseID: in.CaseID}
	case errors.Is(err, errRefused):
		return Output{}, h.refuseSecond(ctx, *refused, in.ExecutionArn)
	case errors.As(err, &nothing):
		return Output{}, nothing
	case err != nil:
		return Output{}, fmt.Errorf("intake %s: late round: %w", in.CaseID, err)
	}
	if h.Audit != nil && !again {
		rec := audit.Record{Actor: "intake", Action: ActionReopened, Detail: map[string]string{
			"version": fmt.Sprint(c.Working()), "changed_shards": fmt.Sprint(shards), "execution_arn": in.ExecutionArn,
		}}
		if _, err := h.Audit.Append(ctx, c.CaseID, rec); err != nil {
			return Output{}, fmt.Errorf("intake %s: %w", in.CaseID, err)
		}
	}
	if h.Log != nil {
		h.Log.InfoContext(ctx, "reopened for a late round", "case_id", c.CaseID, "version", c.Working(), "changed_shards", shards)
	}
	return Output{
		CaseID: c.CaseID, ReportSHA256: c.ReportSHA256, Status: c.Status, Shards: c.Shards,
		Version: c.Working(), SetID: casetable.SetID(c.CaseID, c.Working()), ContentHash: c.ContentHash,
	}, nil
}

var errRefused = errors.New("refused")
