package delivery

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"time"

	"breachflow/internal/casetable"
	"breachflow/internal/email"
	"breachflow/internal/ledger"
)

// Stages of the send function.
const (
	StageFilings = "filings"
	StageNotices = "notices"
)

// Request is the send function's input. Stage "filings" sends the case's
// regulator filings; "notices" (the default) works one batch of customer
// notices. Both carry ids only.
type Request struct {
	Stage string `json:"stage,omitempty"`
	// ContentHash is the drafts' hash the workflow says the approvers
	// signed off ($.approval.content_hash). It is a claim: the approval
	// check must find the same hash in the approval records, and the
	// sources refuse to send anything that does not hash to it.
	ContentHash string `json:"content_hash,omitempty"`
	// Version is the report version whose people a notices batch works
	// on (0 or 1: the first). Each version's people are a subject set and
	// send stream of their own (casetable.SetID): its leases, pages and
	// send records, and the case_id tag its notices carry (so SES events
	// find the subject in its set), are the set's.
	Version int `json:"version,omitempty"`
	// Channel is the channel a notices batch sends on: "" or "email" for
	// e-mail, "sms" for texts (the handler's SMS pipeline). Each channel's
	// sends are leased, recorded and resumed apart, so the same shard may be
	// worked on both at once.
	Channel string `json:"channel,omitempty"`
	Batch
}

// Response is the send function's output: counts and a cursor, no personal
// data.
type Response struct {
	Stage   string        `json:"stage"`
	Filings *FilingResult `json:"filings,omitempty"`
	Notices *Result       `json:"notices,omitempty"`
}

// FilingSource returns the case's approved regulator filings; approved is
// the content hash the approval bound to.
type FilingSource func(ctx context.Context, caseID, approved string) ([]email.Filing, error)

// NoticeSource returns the renderer of a case's approved customer notices;
// approved is the content hash the approval bound to.
type NoticeSource func(ctx context.Context, caseID, approved string) (email.Renderer, error)

// TextSource returns a case's approved SMS texts by language (each ending
// in the sample link the channel replaces with a person's own), or the
// source's named refusal (UnapprovedContent) when the drafts do not hash to
// approved.
type TextSource func(ctx context.Context, caseID, approved string) (map[string]string, error)

// TextChannel is an SMS channel that sends a case's approved texts
// (sms.Channel.WithTexts).
type TextChannel interface {
	WithTexts(approved map[string]string) Channel
}

// ApprovalCheck verifies, from the approval service's own records, that a
// case may be sent, and returns the content hash the approvers bound.
// claimed is the hash the workflow carries. A refusal is a named error the
// handler returns unwrapped.
type ApprovalCheck func(ctx context.Context, caseID, claimed string) (approved string, err error)

// Handler is the send Lambda.
type Handler struct {
	// Approval is asked before every stage and every batch: nothing is
	// sent on the workflow's word alone.
	Approval ApprovalCheck
	// Pipeline sends notices; its Render is replaced per case when Notices
	// is set.
	Pipeline *Pipeline
	// SMS sends notices batches whose Channel is "sms"; nil when no SMS
	// channel is configured: such a batch sends nothing and says it is
	// done, and the people it would have texted stay on their plan's next
	// step (reconcile counts them).
	SMS *Pipeline
	// Texts, when set, gives the SMS batches the case's approved texts:
	// a batch whose drafts changed after approval sends nothing.
	Texts   TextSource
	Notices NoticeSource
	Filer   *Filer
	Filings FilingSource
	Log     *slog.Logger
}

// Handle runs one request. The state machine's named errors
// (NotApproved, UnapprovedContent, SendingPaused, DailyQuotaExceeded,
// SendConfigInvalid) come back unwrapped
// so that ASL ErrorEquals matches their type names.
func (h *Handler) Handle(ctx context.Context, req Request) (Response, error) {
	log := h.Log
	if log == nil {
		log = slog.Default()
	}
	if req.CaseID == "" {
		return Response{}, errors.New("send: case_id is required")
	}
	if h.Approval == nil {
		return Response{}, errors.New("send: no approval check configured")
	}
	approved, err := h.Approval(ctx, req.CaseID, req.ContentHash)
	if err != nil {
		log.Warn("send refused", "case_id", req.CaseID, "stage", req.Stage, "error", errName(err))
		h.noteFailure(ctx, log, req, err)
		return Response{}, err
	}
	switch req.Stage {
	case StageFilings:
		if h.Filings == nil || h.Filer == nil {
			return Response{}, errors.New("send: no filing source configured")
		}
		// The source's named refusal (UnapprovedContent) and the
		// filer's (SendConfigInvalid for a filing with no address) go
		// back unwrapped: the state machine routes on their type names.
		fs, err := h.Filings(ctx, req.CaseID, approved)
		if err != nil {
			return Response{}, err
		}
		res, err := h.Filer.SendFilings(ctx, req.CaseID, fs)
		log.Info("send filings", "case_id", req.CaseID, "sent", res.Sent, "skipped", res.Skipped, "error", errName(err))
		if p, ok := errors.AsType[*SendingPaused](err); ok && h.Pipeline != nil {
			h.Pipeline.alarm(req.CaseID, p.Reason)
		}
		return Response{Stage: StageFilings, Filings: &res}, err
	case StageNotices, "":
		// Approval and the notices are the case's; the people are the
		// version's set.
		req.Batch.CaseID = casetable.SetID(req.CaseID, req.Version)
		switch req.Channel {
		case "", casetable.ChannelEmail:
		case casetable.ChannelSMS:
			return h.texts(ctx, log, req, approved)
		default:
			return Response{}, fmt.Errorf("send: unknown channel %q", req.Channel)
		}
		p := h.Pipeline
		if h.Notices != nil {
			caseID, _ := casetable.CaseOfSet(req.CaseID)
			render, err := h.Notices(ctx, caseID, approved)
			if err != nil {
				h.noteFailure(ctx, log, req, err)
				return Response{}, err
			}
			p = h.Pipeline.withRenderer(render)
		}
		res, err := p.Run(ctx, req.Batch)
		log.Info("send notices", "case_id", req.CaseID, "shard", req.Shard, "sent", res.Sent, "failed", res.Failed,
			"skipped", res.Skipped, "busy", res.Busy, "deferred", res.Deferred, "lease_lost", res.LeaseLost, "done", res.Done, "error", errName(err))
		if err != nil {
			h.noteFailure(ctx, log, req, err)
		}
		return Response{Stage: StageNotices, Notices: &res}, err
	}
	return Response{}, fmt.Errorf("send: unknown stage %q", req.Stage)
}

// texts runs one SMS batch of a version's set (req.Batch.CaseID).
func (h *Handler) texts(ctx context.Context, log *slog.Logger, req Request, approved string) (Response, error) {
	var texts map[string]string
	if h.Texts != nil {
		// As for e-mail: the texts sent are the drafts approved, or
		// nothing is sent (the named refusal goes back unwrapped).
		caseID, _ := casetable.CaseOfSet(req.CaseID)
		var err error
		if texts, err = h.Texts(ctx, caseID, approved); err != nil {
			h.noteFailure(ctx, log, req, err)
			return Response{}, err
		}
	}
	if h.SMS == nil {
		log.Info("send texts", "case_id", req.CaseID, "shard", req.Shard, "channel", "off")
		return Response{Stage: StageNotices, Notices: &Result{CaseID: req.Batch.CaseID, Shard: req.Shard, Done: true}}, nil
	}
	p := *h.SMS
	p.pacer, p.paced = nil, false // each invocation paces its own share
	if tc, ok := p.Channel.(TextChannel); ok && h.Texts != nil {
		p.Channel = tc.WithTexts(texts)
	}
	res, err := p.Run(ctx, req.Batch)
	log.Info("send texts", "case_id", req.CaseID, "shard", req.Shard, "sent", res.Sent, "failed", res.Failed,
		"skipped", res.Skipped, "busy", res.Busy, "deferred", res.Deferred, "lease_lost", res.LeaseLost, "done", res.Done, "error", errName(err))
	if err != nil {
		h.noteFailure(ctx, log, req, err)
	}
	return Response{Stage: StageNotices, Notices: &res}, err
}

// noteFailure records on the shard why its notices batch failed. The Map
// of send children reports only that its tolerated failure threshold was
// exceeded; `status` and the console read which shard failed, and why,
// from here (ledger.ShardFailures). Filings are one task whose error the
// execution itself carries.
func (h *Handler) noteFailure(ctx context.Context, log *slog.Logger, req Request, err error) {
	if req.Stage == StageFilings || h.Pipeline == nil || h.Pipeline.Ledger == nil {
		return
	}
	// The invocation may be at its deadline: the note gets time of its own.
	nctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	f := ledger.ShardFailure{Shard: req.Shard, Error: lambdaErrorType(err), Cause: err.Error(), At: time.Now()}
	if nerr := h.Pipeline.Ledger.RecordShardFailure(nctx, req.CaseID, f); nerr != nil {
		log.Warn("could not note why the shard failed", "case_id", req.CaseID, "shard", req.Shard, "error", nerr)
	}
}

// lambdaErrorType is the error type Lambda reports for err, as aws-lambda-go
// names it: the Go type's name without the pointer.
func lambdaErrorType(err error) string {
	t := reflect.TypeOf(err)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Name()
}

func errName(err error) string {
	if err == nil {
		return ""
	}
	return fmt.Sprintf("%T", err)
}

// SES is what the send handler calls SES with: sends, and the account's
// quota when no rate is configured.
type SES interface {
	Sender
	AccountGetter
}

// Documents gives the send handler a case's approved document set, as
// drafting produced it (draft.Approved): its regulator filings and the
// renderer of its customer notices, each refused (*draft.UnapprovedContent)
// unless it hashes to approved.
type Documents interface {
	Notices(ctx context.Context, caseID, approved string) (email.Renderer, error)
	Filings(ctx context.Context, caseID, approved string) ([]email.Filing, error)
}

// NewHandler wires the send handler from its configuration: the ledger on
// the case table, SES paced to the configured (or the account's) rate, the
// filing addresses, and the approved documents. metrics receives
// CloudWatch embedded-metric lines (os.Stdout in Lambda).
func NewHandler(ctx context.Context, c Config, addrs FilingAddresses, db ledger.DB, ses SES, docs Documents, approval ApprovalCheck, log *slog.Logger, metrics io.Writer) (*Handler, error) {
	pacing, err := c.Pacing(ctx, ses)
	if err != nil {
		return nil, err
	}
	led := &ledger.Ledger{DB: db, Table: c.Table}
	return &Handler{
		Approval: approval,
		Pipeline: &Pipeline{Ledger: led, SES: ses, From: c.From, ConfigurationSet: c.ConfigurationSet, Pacing: pacing, Log: log, Metrics: metrics},
		Notices:  docs.Notices,
		Filer:    &Filer{Ledger: led, SES: ses, From: c.From, ConfigurationSet: c.ConfigurationSet, Addresses: addrs, Log: log},
		Filings:  docs.Filings,
		Log:      log,
	}, nil
}
