package stage

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"breachflow/internal/approval"
	"breachflow/internal/audit"
	"breachflow/internal/casetable"
	"breachflow/internal/delivery"
	"breachflow/internal/draft"
	"breachflow/internal/email"
	"breachflow/internal/ledger"
	"breachflow/internal/notice"
	"breachflow/internal/report"
	"breachflow/internal/rules"
)

// The stage run's actions, one Lambda for the three task states of
// statemachine/stage.asl.json.
const (
	ActionDraft   = "draft"   // draft the filing, content-checked, and store it
	ActionFile    = "file"    // verify the approval and send the filing, recorded in the ledger
	ActionRelease = "release" // a run that stopped gives the task back to the sweeper
)

// Input is a stage run's task input: ids only.
type Input struct {
	Action       string `json:"action"`
	CaseID       string `json:"case_id"`
	ObligationID string `json:"obligation_id"`
	// ContentHash is what the approval task returned ($.approval), for
	// the file action; it must be what the records show approved.
	ContentHash string `json:"content_hash,omitempty"`
	// Error is the error name that stopped the run (release action).
	Error string `json:"error,omitempty"`
	// Now fixes the clock (tests); zero means the time of the call.
	Now time.Time `json:"now,omitzero"`
}

// Output is what a stage action reports: ids, hashes and the status.
type Output struct {
	CaseID       string `json:"case_id"`
	ObligationID string `json:"obligation_id"`
	// ContentHash is empty when nothing was drafted (a stage already met).
	ContentHash string `json:"content_hash"`
	Status      Status `json:"status"`
	MessageID   string `json:"message_id,omitempty"`
}

// FirstFilingNotSent is returned (unwrapped) when a staged duty falls due
// before its first stage is on record as sent: a follow-up cannot name a
// filing that was never made. The run releases the task, and the sweeper
// tries again at its next pass.
type FirstFilingNotSent struct{ CaseID, ObligationID, FirstFiling string }

func (e *FirstFilingNotSent) Error() string {
	return fmt.Sprintf("case %s: %s follows up %s, which is not on record as sent", e.CaseID, e.ObligationID, e.FirstFiling)
}

// StageNotRequired is returned (unwrapped) when the case's current
// assessment no longer requires the staged duty (an amendment changed the
// facts); the task is cancelled and nothing is drafted.
type StageNotRequired struct{ CaseID, ObligationID string }

func (e *StageNotRequired) Error() string {
	return fmt.Sprintf("case %s: %s is no longer required", e.CaseID, e.ObligationID)
}

// Reports reads a case's stored report (cases.Store).
type Reports interface {
	Report(ctx context.Context, caseID string) (*report.Report, string, error)
}

// Assessments reads a case's current assessment (assess.Store).
type Assessments interface {
	Get(ctx context.Context, caseID string) (rules.Assessment, error)
}

// Filer sends filings once each, recorded in the ledger (delivery.Filer).
type Filer interface {
	SendFilings(ctx context.Context, caseID string, filings []email.Filing) (delivery.FilingResult, error)
}

// Auditor appends to a case's audit log (audit.Log).
type Auditor interface {
	Append(ctx context.Context, caseID string, rec audit.Record) (audit.Entry, error)
}

// Runner runs the actions of a stage run.
type Runner struct {
	Tasks       Store
	Reports     Reports
	Assessments Assessments
	// Filings lists the case's filing records (ledger.Filings).
	Filings func(ctx context.Context, caseID string) ([]ledger.FilingRecord, error)
	// Verify checks the approval records against the stage's hashes
	// (approval.VerifyApproval with the send stage's configuration).
	Verify func(ctx context.Context, caseID, claimed string, cur approval.Hashes) error
	Filer  Filer
	Audit  Auditor
	Log    *slog.Logger
}

// Handle is the stage function's handler.
func (r *Runner) Handle(ctx context.Context, in Input) (Output, error) {
	if in.CaseID == "" || in.ObligationID == "" {
		return Output{}, fmt.Errorf("stage run: case_id and obligation_id are required")
	}
	if in.Now.IsZero() {
		in.Now = time.Now()
	}
	var out Output
	var err error
	switch in.Action {
	case ActionDraft:
		out, err = r.draft(ctx, in)
	case ActionFile:
		out, err = r.file(ctx, in)
	case ActionRelease:
		out, err = r.release(ctx, in)
	default:
		return Output{}, fmt.Errorf("stage run: unknown action %q", in.Action)
	}
	if r.Log != nil {
		r.Log.InfoContext(ctx, "stage", "action", in.Action, "case_id", in.CaseID, "obligation_id", in.ObligationID,
			"status", out.Status, "ok", err == nil)
	}
	return out, err
}

// draft renders the stage's filing from the case's current report and
// assessment, naming the first filing as the ledger recorded it, checks it
// for the duty's elements and stores it; the approval binds its hash.
func (r *Runner) draft(ctx context.Context, in Input) (Output, error) {
	t, err := r.Tasks.Get(ctx, in.CaseID, in.ObligationID)
	if err != nil {
		return Output{}, err
	}
	if t.Status != StatusStarted {
		return Output{}, fmt.Errorf("stage %s/%s is %s, not started: %w", t.CaseID, t.ObligationID, t.Status, ErrConflict)
	}
	rep, _, err := r.Reports.Report(ctx, in.CaseID)
	if err != nil {
		return Output{}, fmt.Errorf("stage draft %s: %w", in.CaseID, err)
	}
	a, err := r.Assessments.Get(ctx, in.CaseID)
	if err != nil {
		return Output{}, fmt.Errorf("stage draft %s: %w", in.CaseID, err)
	}
	var ob *rules.Obligation
	for i := range a.Obligations {
		if a.Obligations[i].ID == t.ObligationID && a.Obligations[i].Required {
			ob = &a.Obligations[i]
		}
	}
	if ob == nil {
		if _, err := r.Tasks.Update(ctx, t.CaseID, t.ObligationID, func(t *Task) error {
			t.Status, t.Note, t.UpdatedAt = StatusCancelled, "no longer required by the current assessment", in.Now
			return nil
		}); err != nil {
			return Output{}, err
		}
		return Output{}, &StageNotRequired{CaseID: t.CaseID, ObligationID: t.ObligationID}
	}
	recs, err := r.Filings(ctx, t.CaseID)
	if err != nil {
		return Output{}, err
	}
	for _, f := range recs {
		if t.MetByFollowUp(f) {
			// The amendment that confirmed the facts was followed by its
			// own follow-up filing to this regulator: that filing is this
			// stage, and nothing more is sent.
			return r.met(ctx, t, f, in.Now)
		}
	}
	first, err := firstFiling(t, recs)
	if err != nil {
		return Output{}, err
	}
	f := draft.Facts(rep, a, in.Now)
	duty := draft.Duty(*ob)
	duty.FirstFiling = &notice.FirstFiling{ObligationID: t.StageOf, SentAt: first.SentAt, Reference: first.MessageID}
	d, err := draft.FilingDraft(f, duty)
	var miss *notice.MissingContentElement
	if errors.As(err, &miss) {
		return Output{}, miss
	}
	if err != nil {
		return Output{}, err
	}
	if err := r.Tasks.putDraft(ctx, t.CaseID, d); err != nil {
		return Output{}, err
	}
	hash := draft.ContentHash([]draft.Draft{d})
	t, err = r.Tasks.Update(ctx, t.CaseID, t.ObligationID, func(t *Task) error {
		t.DraftSHA256, t.ContentHash, t.FirstFiling, t.FirstFilingRef, t.UpdatedAt = d.SHA256, hash, first.ObligationID, first.MessageID, in.Now
		return nil
	})
	if err != nil {
		return Output{}, err
	}
	if err := r.audit(ctx, t, "stage.drafted", map[string]string{"draft_sha256": d.SHA256, "content_hash": hash, "first_filing": first.ObligationID}); err != nil {
		return Output{}, err
	}
	return Output{CaseID: t.CaseID, ObligationID: t.ObligationID, ContentHash: hash, Status: t.Status}, nil
}

// met records that filing f, already sent, fulfilled t.
func (r *Runner) met(ctx context.Context, t Task, f ledger.FilingRecord, now time.Time) (Output, error) {
	t, err := r.Tasks.Update(ctx, t.CaseID, t.ObligationID, func(t *Task) error {
		t.Status, t.FiledAt, t.MessageID, t.UpdatedAt = StatusFiled, f.SentAt, f.MessageID, now
		t.Note = "met by the follow-up filing " + f.ObligationID + " of the amendment that confirmed the facts"
		return nil
	})
	if err != nil {
		return Output{}, err
	}
	if err := r.audit(ctx, t, "stage.met", map[string]string{"filing": f.ObligationID, "message_id": f.MessageID}); err != nil {
		return Output{}, err
	}
	return Output{CaseID: t.CaseID, ObligationID: t.ObligationID, Status: t.Status, MessageID: f.MessageID}, nil
}

// firstFiling is the ledger record of the filing t follows up, sent.
func firstFiling(t Task, recs []ledger.FilingRecord) (ledger.FilingRecord, error) {
	for _, f := range recs {
		if f.ObligationID == t.FirstFilingID() && !f.SentAt.IsZero() {
			return f, nil
		}
	}
	return ledger.FilingRecord{}, &FirstFilingNotSent{CaseID: t.CaseID, ObligationID: t.ObligationID, FirstFiling: t.FirstFilingID()}
}

// file sends the approved filing once, with the ledger's reference to the
// first filing, and marks the task filed.
func (r *Runner) file(ctx context.Context, in Input) (Output, error) {
	t, err := r.Tasks.Get(ctx, in.CaseID, in.ObligationID)
	if err != nil {
		return Output{}, err
	}
	if t.Status != StatusStarted || t.DraftSHA256 == "" {
		return Output{}, fmt.Errorf("stage %s/%s is %s with no draft: %w", t.CaseID, t.ObligationID, t.Status, ErrConflict)
	}
	d, err := r.Tasks.getDraft(ctx, t.CaseID, t.FilingID(), t.DraftSHA256)
	if err != nil {
		return Output{}, err
	}
	// The draft must be what the task recorded, and the approval records
	// must show a quorum for exactly it.
	if draft.Sum(d) != t.DraftSHA256 || draft.ContentHash([]draft.Draft{d}) != t.ContentHash {
		return Output{}, fmt.Errorf("stage %s/%s: stored draft does not match its hash", t.CaseID, t.ObligationID)
	}
	if err := r.Verify(ctx, t.CaseID, in.ContentHash, approval.Hashes{Content: t.ContentHash, RecipientSet: t.RecipientSetHash(), Stage: t.ObligationID}); err != nil {
		return Output{}, err
	}
	fl := email.Filing{
		ID: d.ID, ObligationIDs: d.ObligationIDs, Regulator: d.Recipient,
		Message:   email.Message{Subject: d.Subject, HTML: d.HTML, Text: d.Text},
		FollowsUp: t.FirstFiling, FollowsUpRef: t.FirstFilingRef,
	}
	if _, err := r.Filer.SendFilings(ctx, t.CaseID, []email.Filing{fl}); err != nil {
		return Output{}, err
	}
	recs, err := r.Filings(ctx, t.CaseID)
	if err != nil {
		return Output{}, err
	}
	var sent ledger.FilingRecord
	for _, f := range recs {
		if f.ObligationID == d.ID {
			sent = f
		}
	}
	if sent.SentAt.IsZero() {
		return Output{}, fmt.Errorf("stage %s/%s: the ledger has no sent record of %s", t.CaseID, t.ObligationID, d.ID)
	}
	t, err = r.Tasks.Update(ctx, t.CaseID, t.ObligationID, func(t *Task) error {
		t.Status, t.FiledAt, t.MessageID, t.Note, t.UpdatedAt = StatusFiled, sent.SentAt, sent.MessageID, "", in.Now
		return nil
	})
	if err != nil {
		return Output{}, err
	}
	if err := r.audit(ctx, t, "stage.filed", map[string]string{
		"filing": d.ID, "message_id": sent.MessageID, "follows_up": t.FirstFiling, "follows_up_ref": t.FirstFilingRef,
	}); err != nil {
		return Output{}, err
	}
	return Output{CaseID: t.CaseID, ObligationID: t.ObligationID, ContentHash: t.ContentHash, Status: t.Status, MessageID: sent.MessageID}, nil
}

// release gives a stopped run's task back to the sweeper (scheduled), with
// the error's name as its note; a cancelled or filed task stays so.
func (r *Runner) release(ctx context.Context, in Input) (Output, error) {
	t, err := r.Tasks.Update(ctx, in.CaseID, in.ObligationID, func(t *Task) error {
		if t.Status != StatusStarted {
			return nil
		}
		t.Status, t.Note, t.UpdatedAt = StatusScheduled, "the last run stopped: "+in.Error, in.Now
		return nil
	})
	if err != nil {
		return Output{}, err
	}
	if err := r.audit(ctx, t, "stage.released", map[string]string{"error": in.Error, "status": string(t.Status)}); err != nil {
		return Output{}, err
	}
	return Output{CaseID: t.CaseID, ObligationID: t.ObligationID, Status: t.Status}, nil
}

func (r *Runner) audit(ctx context.Context, t Task, action string, detail map[string]string) error {
	if r.Audit == nil {
		return nil
	}
	detail["obligation_id"], detail["run"] = t.ObligationID, t.Run
	if _, err := r.Audit.Append(ctx, t.CaseID, audit.Record{Actor: "stage", Action: action, Detail: detail}); err != nil {
		return fmt.Errorf("stage %s/%s: %w", t.CaseID, t.ObligationID, err)
	}
	return nil
}

// draftSKPrefix starts a stage draft's sort key, "STAGEDRAFT#<filing id>#<sha256>":
// content-addressed like package draft's items, and outside the tasks'
// "STAGE#" prefix.
const draftSKPrefix = "STAGEDRAFT#"

func (s Store) putDraft(ctx context.Context, caseID string, d draft.Draft) error {
	item, err := attributevalue.MarshalMap(d)
	if err != nil {
		return err
	}
	item[casetable.AttrPK] = &types.AttributeValueMemberS{Value: casetable.CasePK(caseID)}
	item[casetable.AttrSK] = &types.AttributeValueMemberS{Value: draftSKPrefix + d.ID + "#" + d.SHA256}
	if _, err := s.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.Table), Item: item}); err != nil {
		return fmt.Errorf("stage draft %s/%s: %w", caseID, d.ID, err)
	}
	return nil
}

func (s Store) getDraft(ctx context.Context, caseID, id, sha string) (draft.Draft, error) {
	out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.Table), ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{
			casetable.AttrPK: &types.AttributeValueMemberS{Value: casetable.CasePK(caseID)},
			casetable.AttrSK: &types.AttributeValueMemberS{Value: draftSKPrefix + id + "#" + sha},
		},
	})
	if err != nil {
		return draft.Draft{}, fmt.Errorf("stage draft %s/%s: %w", caseID, id, err)
	}
	if out.Item == nil {
		return draft.Draft{}, fmt.Errorf("stage draft %s/%s: %w", caseID, id, ErrNotFound)
	}
	var d draft.Draft
	if err := attributevalue.UnmarshalMap(out.Item, &d); err != nil {
		return draft.Draft{}, fmt.Errorf("stage draft %s/%s: %w", caseID, id, err)
	}
	return d, nil
}

// StageHashes is what a stage's approval round binds: the content hash of
// its drafted filing, its one recipient, and its due date
// (approval.StageSource).
func (s Store) StageHashes(ctx context.Context, caseID, obligationID string) (approval.Hashes, time.Time, error) {
	t, err := s.Get(ctx, caseID, obligationID)
	if err != nil {
		return approval.Hashes{}, time.Time{}, err
	}
	if t.ContentHash == "" {
		return approval.Hashes{}, time.Time{}, fmt.Errorf("stage %s/%s has no draft yet", caseID, obligationID)
	}
	return approval.Hashes{Content: t.ContentHash, RecipientSet: t.RecipientSetHash(), Stage: obligationID}, t.DueAt, nil
}

func auditRecord(action string, detail map[string]string) audit.Record {
	return audit.Record{Actor: "stage", Action: action, Detail: detail}
}

// DueBy lists the scheduled staged duties of every case due by until, as
// the approval escalation reads them (approval.StageDeadlines).
func (s Store) DueBy(ctx context.Context, until time.Time) ([]approval.StageDeadline, error) {
	ts, err := s.Due(ctx, until)
	if err != nil {
		return nil, err
	}
	out := make([]approval.StageDeadline, len(ts))
	for i, t := range ts {
		out[i] = approval.StageDeadline{CaseID: t.CaseID, ObligationID: t.ObligationID, Citation: t.Citation, DueAt: t.DueAt, Note: t.Note}
	}
	return out, nil
}
