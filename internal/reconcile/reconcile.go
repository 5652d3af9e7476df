// Package reconcile is the workflow's last stage: it counts where every
// person of a case stands in delivery, straight from the subject set (the
// ledger), records the counts on the case and closes it in the audit log.
//
// Counting from the ledger, not from what the send Map reported, is the
// point: a batch retried, redriven or run twice is counted once, and a
// person still pending or claimed after sending shows up as "not reached"
// instead of disappearing. SES delivery, bounce and complaint events keep
// arriving after close and keep updating the same subjects; running
// reconcile again (or `breachflow status`) shows the newer picture.
package reconcile

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"breachflow/internal/audit"
	"breachflow/internal/cases"
	"breachflow/internal/casetable"
	"breachflow/internal/ledger"
)

// Querier reads a shard of the subject set.
type Querier interface {
	Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

// Auditor appends to the case's audit log.
type Auditor interface {
	Append(ctx context.Context, caseID string, rec audit.Record) (audit.Entry, error)
}

// Input is the reconcile state's input.
type Input struct {
	CaseID string `json:"case_id"`
	Shards int    `json:"shards"`
}

// Output counts people by delivery status: ids and counts only.
type Output struct {
	CaseID   string         `json:"case_id"`
	People   int            `json:"people"`
	ByStatus map[string]int `json:"by_status"`
	// Fallback counts people email did not reach (failed, bounced, no
	// contact): the substitute-notice list.
	Fallback int `json:"fallback"`
	// Unreached counts people still pending or claimed: zero after a
	// complete send.
	Unreached int `json:"unreached"`
}

// Handler runs the stage.
type Handler struct {
	DB    Querier
	Table string
	Cases *cases.Store
	Audit Auditor
	Log   *slog.Logger
}

// Handle is the Lambda handler.
func (h *Handler) Handle(ctx context.Context, in Input) (Output, error) {
	if in.Shards <= 0 {
		in.Shards = casetable.DefaultShards
	}
	by, err := Count(ctx, h.DB, h.Table, in.CaseID, in.Shards)
	if err != nil {
		return Output{}, err
	}
	out := Output{CaseID: in.CaseID, ByStatus: by}
	for s, n := range by {
		out.People += n
		switch casetable.Status(s) {
		case casetable.StatusFailed, casetable.StatusBounced, casetable.StatusNoContact:
			out.Fallback += n
		case casetable.StatusPending, casetable.StatusClaimed:
			out.Unreached += n
		}
	}
	if _, err := h.Cases.Update(ctx, in.CaseID, func(c *cases.Case) error {
		c.Delivery = by
		c.Status = cases.StatusClosed
		return nil
	}); err != nil {
		return Output{}, fmt.Errorf("reconcile %s: %w", in.CaseID, err)
	}
	detail := map[string]string{"people": fmt.Sprint(out.People), "fallback": fmt.Sprint(out.Fallback), "unreached": fmt.Sprint(out.Unreached)}
	for s, n := range by {
		detail["status."+s] = fmt.Sprint(n)
	}
	if _, err := h.Audit.Append(ctx, in.CaseID, audit.Record{Actor: "reconcile", Action: "case.closed", Detail: detail}); err != nil {
		return Output{}, fmt.Errorf("reconcile %s: %w", in.CaseID, err)
	}
	if h.Log != nil {
		h.Log.InfoContext(ctx, "reconcile", "case_id", in.CaseID, "people", out.People, "fallback", out.Fallback, "unreached", out.Unreached)
	}
	return out, nil
}

// Count returns how many subjects of the case are in each delivery status,
// reading every shard (a few at a time) through the ledger, so a person whose
// notice is recorded counts as sent until an SES event says more.
func Count(ctx context.Context, db Querier, table, caseID string, shards int) (map[string]int, error) {
	var (
		mu    sync.Mutex
		total = map[string]int{}
		wg    sync.WaitGroup
		errs  = make(chan error, shards)
		sem   = make(chan struct{}, 8)
	)
	for shard := range shards {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			local := map[string]int{}
			err := ledger.Walk(ctx, db, table, caseID, shard, func(s *casetable.Subject) error {
				local[string(s.Status)]++
				return nil
			})
			if err != nil {
				errs <- fmt.Errorf("count shard %d of %s: %w", shard, caseID, err)
				return
			}
			mu.Lock()
			for s, n := range local {
				total[s] += n
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return nil, err
	}
	return total, nil
}
