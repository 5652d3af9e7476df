package approval

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Bounds of the approval wait. MinWait: a deadline already inside the
// margin, or passed, still leaves an hour to decide (sending unapproved is
// never the answer; the escalation contacts are told meanwhile).
// NoDeadlineWait: when no required duty has a fixed deadline ("without undue
// delay" only), the wait still ends after a week rather than in silence.
// MaxWait: a Standard execution lives at most a year.
const (
	MinWait        = time.Hour
	NoDeadlineWait = 7 * 24 * time.Hour
	MaxWait        = 364 * 24 * time.Hour
)

// WaitTimeout is how long the state machine should wait for approval: until
// the earliest deadline minus margin, so that the workflow wakes (and
// escalates) while there is still time to act, instead of a fixed constant.
// It is at least MinWait (a deadline already inside the margin still gets a
// wait, since sending unapproved is never the answer) and at most MaxWait;
// with no deadlines it is NoDeadlineWait.
func WaitTimeout(deadlines []Deadline, now time.Time, margin time.Duration) time.Duration {
	due, ok := Earliest(deadlines)
	if !ok {
		return NoDeadlineWait
	}
	return min(max(due.Sub(now)-margin, MinWait), MaxWait)
}

// WaitTimeoutSeconds is WaitTimeout in whole seconds, as the ASL
// TimeoutSecondsPath wants it.
func WaitTimeoutSeconds(deadlines []Deadline, now time.Time, margin time.Duration) int64 {
	return int64(WaitTimeout(deadlines, now, margin) / time.Second)
}

// EscalateOutput reports one escalation run.
type EscalateOutput struct {
	Checked   int `json:"checked"`
	Escalated int `json:"escalated"`
	// Stages counts the staged duties (second stages not yet started) found
	// within a margin of their due time; they are among Checked.
	Stages int `json:"stages"`
}

// StageDeadline is a staged duty that is scheduled but whose stage run has
// not started: ids, its citation and its due time.
type StageDeadline struct {
	CaseID, ObligationID, Citation string
	DueAt                          time.Time
	// Note says why it has not started, when a run stopped before.
	Note string
}

// StageDeadlines lists the staged duties due by a time (stage.Store).
type StageDeadlines interface {
	DueBy(ctx context.Context, until time.Time) ([]StageDeadline, error)
}

// escalateStages warns the escalation contacts of each staged duty that
// comes due within a margin and has not started (the case's own run still
// runs, the first filing is not sent yet, or its last run stopped): once
// per duty and margin, claimed like the approval escalations.
func (s *Service) escalateStages(ctx context.Context, now time.Time, margins []time.Duration) (escalated, checked int, err error) {
	due, err := s.StageDeadlines.DueBy(ctx, now.Add(margins[len(margins)-1]))
	if err != nil {
		return 0, 0, fmt.Errorf("escalate stages: %w", err)
	}
	for _, d := range due {
		checked++
		var claimed []time.Duration
		for _, m := range margins {
			if d.DueAt.Sub(now) > m {
				continue
			}
			err := s.Store.ClaimEscalation(ctx, Escalation{CaseID: d.CaseID, RequestID: "stage", Stage: d.ObligationID, Margin: m,
				DueAt: d.DueAt, At: s.now(), Notified: len(s.Config.EscalateTo)})
			if errors.Is(err, ErrAlreadyEscalated) {
				continue
			}
			if err != nil {
				return escalated, checked, fmt.Errorf("escalate %s stage %s: %w", d.CaseID, d.ObligationID, err)
			}
			claimed = append(claimed, m)
		}
		if len(claimed) == 0 {
			continue
		}
		if err := s.send(ctx, s.Config.EscalateTo, stageEscalationMail(s.Config, d, claimed[0])); err != nil {
			return escalated, checked, fmt.Errorf("escalation email %s: %w", d.CaseID, err)
		}
		for _, m := range claimed {
			if err := s.audit(ctx, d.CaseID, "approval-escalation", "stage.escalated", map[string]string{
				"obligation_id": d.ObligationID, "margin": m.String(), "due_at": formatTime(d.DueAt),
				"contacts": fmt.Sprint(len(s.Config.EscalateTo)),
			}); err != nil {
				return escalated, checked, err
			}
		}
		escalated++
	}
	return escalated, checked, nil
}

// Escalate emails the escalation contacts about each pending request whose
// earliest deadline is within a configured margin. Each margin fires once
// per case (a conditional write claims it before the email goes), so it is
// safe to call on any schedule, from several places at once.
func (s *Service) Escalate(ctx context.Context) (EscalateOutput, error) {
	now := s.now()
	margins := slices.Clone(s.Config.margins())
	if len(margins) == 0 {
		return EscalateOutput{}, nil
	}
	slices.Sort(margins)
	reqs, err := s.Store.Pending(ctx, now.Add(margins[len(margins)-1]))
	if err != nil {
		return EscalateOutput{}, fmt.Errorf("escalate: %w", err)
	}
	var out EscalateOutput
	for _, r := range reqs {
		due, ok := r.Earliest()
		if !ok {
			continue
		}
		out.Checked++
		// The tightest margin that applies is the one to report; wider
		// ones that were missed (e.g. the scheduler was down) are claimed
		// too, so they do not fire late.
		var fire []time.Duration
		for _, m := range margins {
			if due.Sub(now) <= m {
				fire = append(fire, m)
			}
		}
		n, err := s.escalate(ctx, r, due, fire)
		if err != nil {
			return out, err
		}
		out.Escalated += n
	}
	if s.StageDeadlines != nil {
		n, checked, err := s.escalateStages(ctx, now, margins)
		out.Escalated += n
		out.Checked += checked
		out.Stages = checked
		if err != nil {
			return out, err
		}
	}
	s.log().InfoContext(ctx, "escalation check", "checked", out.Checked, "escalated", out.Escalated, "stages", out.Stages)
	if s.Metrics != nil && out.Checked > 0 {
		// Checked counts pending approvals inside a margin: each is a
		// deadline at risk until someone decides.
		fmt.Fprintf(s.Metrics, `{"_aws":{"Timestamp":%d,"CloudWatchMetrics":[{"Namespace":"breachflow","Dimensions":[["Stage"]],"Metrics":[{"Name":"DeadlinesAtRisk","Unit":"Count"}]}]},"Stage":"approval","DeadlinesAtRisk":%d}`+"\n",
			now.UnixMilli(), out.Checked)
	}
	return out, nil
}

// escalate claims each margin in fire (tightest first) and emails once if
// any claim was new.
func (s *Service) escalate(ctx context.Context, r Request, due time.Time, fire []time.Duration) (int, error) {
	var claimed []time.Duration
	for _, m := range fire {
		err := s.Store.ClaimEscalation(ctx, Escalation{
			CaseID: r.CaseID, RequestID: r.RequestID, Margin: m, DueAt: due, At: s.now(), Notified: len(s.Config.EscalateTo),
		})
		if errors.Is(err, ErrAlreadyEscalated) {
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("escalate %s: %w", r.CaseID, err)
		}
		claimed = append(claimed, m)
	}
	if len(claimed) == 0 {
		return 0, nil
	}
	votes, err := s.Store.Votes(ctx, r.CaseID, r.RequestID)
	if err != nil {
		return 0, fmt.Errorf("escalate %s: %w", r.CaseID, err)
	}
	got := len(approvals(r, votes))
	if err := s.send(ctx, s.Config.EscalateTo, escalationMail(s.Config, r, due, claimed[0], got)); err != nil {
		return 0, fmt.Errorf("escalation email %s: %w", r.CaseID, err)
	}
	for _, m := range claimed {
		if err := s.audit(ctx, r.CaseID, "approval-escalation", "approval.escalated", map[string]string{
			"request_id": r.RequestID, "margin": m.String(), "earliest_due_at": formatTime(due),
			"contacts": fmt.Sprint(len(s.Config.EscalateTo)), "approvals": fmt.Sprint(got),
		}); err != nil {
			return 0, err
		}
	}
	return 1, nil
}

// EscalateEvery runs Escalate now and then at every interval until ctx
// ends: the local stack's stand-in for the scheduled Lambda. A failed run is
// logged and retried at the next tick, since the claims make reruns safe.
func (s *Service) EscalateEvery(ctx context.Context, interval time.Duration) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		if _, err := s.Escalate(ctx); err != nil && ctx.Err() == nil {
			s.log().ErrorContext(ctx, "escalation check", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
