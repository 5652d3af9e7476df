package reconcile

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"breachflow/internal/audit"
	"breachflow/internal/cases"
	"breachflow/internal/casetable"
)

// InvalidInput says the close step's input cannot give a true count: a
// shard missing, counted twice or of another case. Summing what is there
// would close the case with people left out, so the step stops instead.
type InvalidInput struct {
	Field, Reason string
}

func (e *InvalidInput) Error() string { return e.Field + ": " + e.Reason }

// Input is the close step's input: the case and the count Map's results,
// one per shard, in any order.
type Input struct {
	CaseID string `json:"case_id"`
	Shards int    `json:"shards"`
	// ShardCounts are the ShardHandler outputs, one per shard 0..Shards-1.
	ShardCounts []ShardCount `json:"shard_counts"`
	// LateRounds is how many more send rounds the execution may run for
	// people owed a send after the last one (ShardCount.Late). While some
	// are left and someone is owed, the step records the counts and asks
	// for a round (Output.Again) instead of closing the case.
	LateRounds int `json:"late_rounds"`
}

// Output counts people by delivery status: ids and counts only.
type Output struct {
	CaseID   string         `json:"case_id"`
	People   int            `json:"people"`
	ByStatus map[string]int `json:"by_status"`
	// Fallback counts people email did not reach (failed, bounced, no
	// contact): the substitute-notice list.
	Fallback int `json:"fallback"`
	// Unreached counts people nothing has reached yet: ByReach's
	// ReachNone when the shards counted reach (every channel), else people
	// whose e-mail is still pending or claimed. Not the e-mail ledger's
	// pending count: under a channel policy that texts first, a person the
	// text reached stays pending on e-mail for good (their e-mail never
	// comes due) and is reached all the same.
	Unreached int `json:"unreached"`
	// ByReach counts the people by how they are accounted for (Reach);
	// Unaccounted is its ReachNone: people neither reached on a channel,
	// nor in the postal export, nor covered by the posted notice, nor an
	// explained exception. Zero after a complete run.
	ByReach     map[string]int `json:"by_reach,omitempty"`
	Unaccounted int            `json:"unaccounted"`
	// Amended says a newer version of the report arrived while this one
	// was sent: the case stays open and the execution begins a pass on
	// the newer version (its delta), instead of closing.
	Amended bool `json:"amended"`
	// Late counts people owed a send that no round made (ShardCount.Late);
	// Again asks the execution for another round for them (Input's
	// LateRounds allowing): the case is neither closed nor marked sent.
	Late  int  `json:"late"`
	Again bool `json:"again"`
}

// ActionLateRound is the audit action of a count that found people owed a
// send and asked for another round.
const ActionLateRound = "case.late_round"

// Handler is the close step: it sums the shard counts, records them on the
// case and closes the case in the audit log.
type Handler struct {
	Cases *cases.Store
	// Audit records the case's closing in its audit log.
	Audit audit.Appender
	Log   *slog.Logger
}

// Handle is the Lambda handler.
func (h *Handler) Handle(ctx context.Context, in Input) (Output, error) {
	if in.Shards <= 0 {
		in.Shards = casetable.DefaultShards
	}
	by, err := Sum(in.CaseID, in.Shards, in.ShardCounts)
	if err != nil {
		return Output{}, err
	}
	out := summarize(in.CaseID, by)
	for _, c := range in.ShardCounts {
		for k, n := range c.ByReach {
			if out.ByReach == nil {
				out.ByReach = map[string]int{}
			}
			out.ByReach[k] += n
		}
	}
	out.Unaccounted = out.ByReach[ReachNone]
	if out.ByReach != nil {
		out.Unreached = out.Unaccounted
	}
	for _, c := range in.ShardCounts {
		out.Late += c.Late
	}
	if out.Late > 0 && in.LateRounds > 0 {
		return h.lateRound(ctx, in, by, out)
	}
	version := 1
	// One conditional write records the counts and closes the case at the
	// version it worked on, unless an amendment landed first (cases.Store's
	// Amend writes the same record, conditionally): then the case stays
	// open and the execution takes the amendment up. So an amendment
	// during sending waits for the send to finish, and is never lost
	// between the last send and the close.
	if _, err := h.Cases.Update(ctx, in.CaseID, func(c *cases.Case) error {
		c.Delivery = by
		c.Reach = out.ByReach
		version = c.Working()
		c.ClearChanges(version) // this count read them
		if !c.Sent(version) {
			c.SentVersions = append(c.SentVersions, version)
			if c.SentAt == nil {
				c.SentAt = map[string]time.Time{}
			}
			c.SentAt[fmt.Sprint(version)] = time.Now().UTC()
		}
		out.Amended = c.Latest() != version
		if !out.Amended {
			c.Status = cases.StatusClosed
		}
		return nil
	}); err != nil {
		return Output{}, fmt.Errorf("reconcile %s: %w", in.CaseID, err)
	}
	detail := map[string]string{"people": fmt.Sprint(out.People), "fallback": fmt.Sprint(out.Fallback), "unreached": fmt.Sprint(out.Unreached)}
	for s, n := range by {
		detail["status."+s] = fmt.Sprint(n)
	}
	for r, n := range out.ByReach {
		detail["reach."+r] = fmt.Sprint(n)
	}
	detail["version"] = fmt.Sprint(version)
	if out.Late > 0 {
		detail["late"] = fmt.Sprint(out.Late) // owed a send, and no round left to make it
	}
	action := "case.closed"
	if out.Amended {
		action = "case.version_sent"
	}
	if _, err := h.Audit.Append(ctx, in.CaseID, audit.Record{Actor: "reconcile", Action: action, Detail: detail}); err != nil {
		return Output{}, fmt.Errorf("reconcile %s: %w", in.CaseID, err)
	}
	if h.Log != nil {
		h.Log.InfoContext(ctx, "reconcile", "case_id", in.CaseID, "shards", in.Shards, "people", out.People, "fallback", out.Fallback, "unreached", out.Unreached, "unaccounted", out.Unaccounted)
	}
	return out, nil
}

// lateRound records the counts so far on the case, without closing it or
// marking its version sent, and asks for another send round for the people
// owed one.
func (h *Handler) lateRound(ctx context.Context, in Input, by map[string]int, out Output) (Output, error) {
	out.Again = true
	if _, err := h.Cases.Update(ctx, in.CaseID, func(c *cases.Case) error {
		c.Delivery, c.Reach = by, out.ByReach
		return nil
	}); err != nil {
		return Output{}, fmt.Errorf("reconcile %s: %w", in.CaseID, err)
	}
	detail := map[string]string{"late": fmt.Sprint(out.Late), "rounds_left": fmt.Sprint(in.LateRounds - 1), "unreached": fmt.Sprint(out.Unreached)}
	if _, err := h.Audit.Append(ctx, in.CaseID, audit.Record{Actor: "reconcile", Action: ActionLateRound, Detail: detail}); err != nil {
		return Output{}, fmt.Errorf("reconcile %s: %w", in.CaseID, err)
	}
	if h.Log != nil {
		h.Log.InfoContext(ctx, "reconcile: another send round", "case_id", in.CaseID, "late", out.Late, "rounds_left", in.LateRounds-1)
	}
	return out, nil
}

// Sum adds up the shard counts of a case. Every shard 0..shards-1 must be
// there exactly once and of this case; anything else is an *InvalidInput,
// never a partial total.
func Sum(caseID string, shards int, counts []ShardCount) (map[string]int, error) {
	if len(counts) == 0 {
		return nil, &InvalidInput{Field: "shard_counts", Reason: "no shard counts"}
	}
	seen := make(map[int]bool, len(counts))
	total := map[string]int{}
	for i, c := range counts {
		field := fmt.Sprintf("shard_counts[%d]", i)
		switch {
		case c.CaseID != caseID:
			return nil, &InvalidInput{Field: field + ".case_id", Reason: fmt.Sprintf("a shard of case %q in case %q", c.CaseID, caseID)}
		case c.Shard < 0 || c.Shard >= shards:
			return nil, &InvalidInput{Field: field + ".shard", Reason: fmt.Sprintf("%d is outside 0..%d", c.Shard, shards-1)}
		case seen[c.Shard]:
			return nil, &InvalidInput{Field: field + ".shard", Reason: fmt.Sprintf("shard %d appears twice", c.Shard)}
		}
		seen[c.Shard] = true
		if c.Late < 0 {
			return nil, &InvalidInput{Field: field + ".late", Reason: fmt.Sprintf("negative count %d", c.Late)}
		}
		for s, n := range c.ByStatus {
			if n < 0 {
				return nil, &InvalidInput{Field: field + ".by_status." + s, Reason: fmt.Sprintf("negative count %d", n)}
			}
			total[s] += n
		}
	}
	if len(seen) != shards {
		return nil, &InvalidInput{Field: "shard_counts", Reason: fmt.Sprintf("%d of %d shards, missing %v", len(seen), shards, missing(seen, shards))}
	}
	return total, nil
}

// missing lists the shards not seen, at most ten of them.
func missing(seen map[int]bool, shards int) []int {
	var out []int
	for s := range shards {
		if !seen[s] && len(out) < 10 {
			out = append(out, s)
		}
	}
	return out
}

// summarize derives the close step's totals from people by status.
func summarize(caseID string, by map[string]int) Output {
	out := Output{CaseID: caseID, ByStatus: by}
	for s, n := range by {
		out.People += n
		switch casetable.Status(s) {
		case casetable.StatusFailed, casetable.StatusBounced, casetable.StatusNoContact:
			out.Fallback += n
		case casetable.StatusPending, casetable.StatusClaimed:
			out.Unreached += n
		}
	}
	return out
}
