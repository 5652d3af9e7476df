package delivery

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

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
	// ContentHash is the drafts' hash the approvers signed off
	// ($.approval.content_hash). The sources refuse to send anything that
	// does not hash to it.
	ContentHash string `json:"content_hash,omitempty"`
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
type FilingSource func(ctx context.Context, caseID, approved string) ([]Filing, error)

// NoticeSource returns the renderer of a case's approved customer notices;
// approved is the content hash the approval bound to.
type NoticeSource func(ctx context.Context, caseID, approved string) (Renderer, error)

// Handler is the send Lambda.
type Handler struct {
	// Pipeline sends notices; its Render is replaced per case when Notices
	// is set.
	Pipeline *Pipeline
	Notices  NoticeSource
	Filer    *Filer
	Filings  FilingSource
	Log      *slog.Logger
}

// Handle runs one request. The state machine's named errors
// (SendingPaused, DailyQuotaExceeded, SendConfigInvalid) come back unwrapped
// so that ASL ErrorEquals matches their type names.
func (h *Handler) Handle(ctx context.Context, req Request) (Response, error) {
	log := h.Log
	if log == nil {
		log = slog.Default()
	}
	if req.CaseID == "" {
		return Response{}, errors.New("send: case_id is required")
	}
	switch req.Stage {
	case StageFilings:
		if h.Filings == nil || h.Filer == nil {
			return Response{}, errors.New("send: no filing source configured")
		}
		fs, err := h.Filings(ctx, req.CaseID, req.ContentHash)
		if err != nil {
			return Response{}, fmt.Errorf("load filings: %w", err)
		}
		res, err := h.Filer.SendFilings(ctx, req.CaseID, fs)
		log.Info("send filings", "case_id", req.CaseID, "sent", res.Sent, "skipped", res.Skipped, "error", errName(err))
		if p, ok := errors.AsType[*SendingPaused](err); ok && h.Pipeline != nil {
			h.Pipeline.alarm(req.CaseID, p.Reason)
		}
		return Response{Stage: StageFilings, Filings: &res}, err
	case StageNotices, "":
		p := h.Pipeline
		if h.Notices != nil {
			render, err := h.Notices(ctx, req.CaseID, req.ContentHash)
			if err != nil {
				return Response{}, err
			}
			p = h.Pipeline.withRenderer(render)
		}
		res, err := p.Run(ctx, req.Batch)
		log.Info("send notices", "case_id", req.CaseID, "shard", req.Shard, "sent", res.Sent, "failed", res.Failed,
			"skipped", res.Skipped, "busy", res.Busy, "deferred", res.Deferred, "lease_lost", res.LeaseLost, "done", res.Done, "error", errName(err))
		return Response{Stage: StageNotices, Notices: &res}, err
	}
	return Response{}, fmt.Errorf("send: unknown stage %q", req.Stage)
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

// Documents gives the send handler a case's approved notices and filings.
type Documents interface {
	Notices(ctx context.Context, caseID, approved string) (Renderer, error)
	Filings(ctx context.Context, caseID, approved string) ([]Filing, error)
}

// NewHandler wires the send handler from its configuration: the ledger on
// the case table, SES paced to the configured (or the account's) rate, and
// the approved documents. metrics receives CloudWatch embedded-metric lines
// (os.Stdout in Lambda).
func NewHandler(ctx context.Context, c Config, db ledger.DB, ses SES, docs Documents, log *slog.Logger, metrics io.Writer) (*Handler, error) {
	pacing, err := c.Pacing(ctx, ses)
	if err != nil {
		return nil, err
	}
	led := &ledger.Ledger{DB: db, Table: c.Table}
	return &Handler{
		Pipeline: &Pipeline{Ledger: led, SES: ses, From: c.From, ConfigurationSet: c.ConfigurationSet, Pacing: pacing, Log: log, Metrics: metrics},
		Notices:  docs.Notices,
		Filer:    &Filer{Ledger: led, SES: ses, From: c.From, ConfigurationSet: c.ConfigurationSet, Log: log},
		Filings:  docs.Filings,
		Log:      log,
	}, nil
}
