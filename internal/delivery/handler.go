package delivery

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
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
	Batch
}

// Response is the send function's output: counts and a cursor, no personal
// data.
type Response struct {
	Stage   string        `json:"stage"`
	Filings *FilingResult `json:"filings,omitempty"`
	Notices *Result       `json:"notices,omitempty"`
}

// FilingSource returns the case's approved regulator filings.
type FilingSource func(ctx context.Context, caseID string) ([]Filing, error)

// Handler is the send Lambda.
type Handler struct {
	Pipeline *Pipeline
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
		fs, err := h.Filings(ctx, req.CaseID)
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
		res, err := h.Pipeline.Run(ctx, req.Batch)
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
