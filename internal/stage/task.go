package stage

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"breachflow/internal/breach"
	"breachflow/internal/draft"
	"breachflow/internal/ledger"
	"breachflow/internal/rules"
)

// Status is where a staged duty stands.
type Status string

// The statuses, in the order a task passes through them.
const (
	// StatusWaiting: required, but its clock has not started, so it has no
	// date yet (GDPR Art. 33(4) and PIPA Decree 40(2) follow-ups wait for
	// the facts to be confirmed by an amendment).
	StatusWaiting Status = "waiting"
	// StatusScheduled: dated; the sweeper starts its run when it comes due
	// (less the lead time).
	StatusScheduled Status = "scheduled"
	// StatusStarted: a stage run is drafting it, waiting for its approval,
	// or filing it.
	StatusStarted Status = "started"
	// StatusFiled: sent to the regulator and recorded in the ledger.
	StatusFiled Status = "filed"
	// StatusCancelled: an amendment made it no longer required before it
	// was filed.
	StatusCancelled Status = "cancelled"
)

// Open reports whether the task still has to be filed.
func (s Status) Open() bool { return s == StatusWaiting || s == StatusScheduled || s == StatusStarted }

// Task is one staged duty of a case: the second stage of an obligation
// (Japan's final report, GDPR Art. 33(4) information in phases, PIPA's
// supplementary report, NYDFS's extortion explanation) as a dated task.
// It holds ids, dates, hashes and the law's own words; no personal data.
type Task struct {
	CaseID       string `dynamodbav:"case_id" json:"case_id"`
	ObligationID string `dynamodbav:"obligation_id" json:"obligation_id"`
	// StageOf is the first-stage obligation this one follows up.
	StageOf       string               `dynamodbav:"stage_of" json:"stage_of"`
	Regime        string               `dynamodbav:"regime" json:"regime"`
	Jurisdiction  breach.Jurisdiction  `dynamodbav:"jurisdiction" json:"jurisdiction"`
	RecipientKind breach.RecipientKind `dynamodbav:"recipient_kind" json:"recipient_kind"`
	RecipientName string               `dynamodbav:"recipient_name" json:"recipient_name"`
	Citation      string               `dynamodbav:"citation" json:"citation"`
	// Deadline is the law's wording; Verification the research's mark.
	Deadline     string             `dynamodbav:"deadline" json:"deadline"`
	Verification rules.Verification `dynamodbav:"verification" json:"verification"`
	Phase        string             `dynamodbav:"phase,omitempty" json:"phase,omitempty"`
	// Clock is what the deadline runs from (rules.Clock).
	Clock rules.Clock `dynamodbav:"clock,omitempty" json:"clock,omitempty"`
	// DueAt is zero while the clock has not started (StatusWaiting).
	DueAt  time.Time `dynamodbav:"due_at,omitempty" json:"due_at,omitzero"`
	Status Status    `dynamodbav:"status" json:"status"`
	// Note says why a task waits or was cancelled.
	Note string `dynamodbav:"note,omitempty" json:"note,omitempty"`
	// Run is the execution name of the current or last stage run;
	// Attempts counts the runs started.
	Run      string `dynamodbav:"run,omitempty" json:"run,omitempty"`
	Attempts int    `dynamodbav:"attempts" json:"attempts"`
	// DraftSHA256 is the content hash of the drafted filing the approval
	// binds to; FirstFiling and FirstFilingRef name the filing it follows
	// up as the ledger recorded it.
	DraftSHA256    string `dynamodbav:"draft_sha256,omitempty" json:"draft_sha256,omitempty"`
	ContentHash    string `dynamodbav:"content_hash,omitempty" json:"content_hash,omitempty"`
	FirstFiling    string `dynamodbav:"first_filing,omitempty" json:"first_filing,omitempty"`
	FirstFilingRef string `dynamodbav:"first_filing_ref,omitempty" json:"first_filing_ref,omitempty"`
	// FiledAt and MessageID record the filing once sent.
	FiledAt   time.Time `dynamodbav:"filed_at,omitempty" json:"filed_at,omitzero"`
	MessageID string    `dynamodbav:"message_id,omitempty" json:"message_id,omitempty"`
	UpdatedAt time.Time `dynamodbav:"updated_at" json:"updated_at"`
	Version   int64     `dynamodbav:"version" json:"version"`
}

// FilingID is the id of the task's filing draft and ledger record, as
// drafting names filings ("filing-<obligation id>").
func (t Task) FilingID() string { return FilingID(t.ObligationID) }

// FirstFilingID is the draft and ledger id of the filing the task follows up.
func (t Task) FirstFilingID() string { return FilingID(t.StageOf) }

// FilingID names the filing of an obligation as package draft does.
func FilingID(obligationID string) string { return draft.FilingID(obligationID) }

// MetByFollowUp reports whether a follow-up filing the case's own run made
// to the same regulator fulfils the task: a phased follow-up (GDPR Art.
// 33(4), PIPA Decree Art. 40(2)) is due when an amendment confirms the
// facts, and the amendment's run files exactly that, a follow-up naming
// the first filing, sent once the facts were confirmed. Japan's final
// report or NYDFS's explanation is a document of its own and is not met so.
func (t Task) MetByFollowUp(f ledger.FilingRecord) bool {
	if t.Clock != rules.ClockFactsConfirmed || t.DueAt.IsZero() || f.SentAt.IsZero() || f.SentAt.Before(t.DueAt) {
		return false
	}
	first := t.FirstFilingID()
	return f.FollowsUp == first || strings.HasPrefix(f.ObligationID, first+"-v")
}

// RecipientSetHash is what the stage's approval binds as its recipient
// set: the one regulator the filing goes to, by obligation.
func (t Task) RecipientSetHash() string {
	sum := sha256.Sum256([]byte("breachflow-stage-recipients-v1\n" + t.CaseID + "\n" + t.ObligationID + "\n" + t.RecipientName))
	return hex.EncodeToString(sum[:])
}

// Tasks returns the staged duties of an assessment as the tasks of case
// caseID: every required obligation that follows up another, dated when
// its clock has started and waiting otherwise.
func Tasks(caseID string, a rules.Assessment) []Task {
	var out []Task
	for _, o := range a.Obligations {
		if !o.Staged() || !o.Required {
			continue
		}
		t := Task{
			CaseID: caseID, ObligationID: o.ID, StageOf: o.StageOf, Regime: o.Regime, Jurisdiction: o.Jurisdiction,
			RecipientKind: o.RecipientKind, RecipientName: o.RecipientName, Citation: o.Citation,
			Deadline: o.Deadline, Verification: o.Verification, Phase: o.Phase.Stage, Clock: o.Clock,
			DueAt: o.DueAt, Status: StatusScheduled,
		}
		if t.DueAt.IsZero() {
			t.Status = StatusWaiting
			t.Note = "no date yet: " + clockNote(o)
		}
		out = append(out, t)
	}
	return out
}

func clockNote(o rules.Obligation) string {
	for _, n := range o.Notes {
		if len(n) > len("clock not started") && n[:len("clock not started")] == "clock not started" {
			return n
		}
	}
	return "the law sets no figure; it is due as its clock (" + string(o.Clock) + ") starts"
}
