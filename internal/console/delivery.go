package console

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"time"

	"breachflow/internal/capacity"
	"breachflow/internal/casetable"
	"breachflow/internal/ledger"
	"breachflow/internal/reconcile"
)

// Delivery is where sending stands on one channel: people by ledger state,
// counts only.
type Delivery struct {
	Channel string         `json:"channel"`
	ByState map[string]int `json:"by_state"`
	// ToReach is how many people the channel must reach: everyone in
	// scope but the duplicates of a shared address and those with no
	// contact on it.
	ToReach int `json:"to_reach"`
	// Done counts those whose send was made (sent, delivered, bounced,
	// complained, failed); Remaining those still to send.
	Done      int `json:"done"`
	Remaining int `json:"remaining"`
	// Fallback counts those this channel did not reach (bounced,
	// complained, failed, no contact), who need another way.
	Fallback int `json:"fallback"`
	// Stopped lists the shards whose last send run ended in an error, and
	// the error: when SES dies the workflow itself says only that too many
	// send children failed.
	Stopped []Stop `json:"stopped"`
}

// Stop is one shard's failed send run: which shard, which error, when.
type Stop struct {
	Shard int `json:"shard"`
	// Error is the named error (SendingPaused, NotApproved); empty for a
	// plain error, which Cause describes.
	Error string    `json:"error,omitempty"`
	Cause string    `json:"cause"`
	At    time.Time `json:"at"`
}

// EmailDelivery derives the e-mail channel's figures from the ledger's
// counts by state.
func EmailDelivery(by map[string]int) Delivery {
	n := func(ss ...casetable.Status) int {
		t := 0
		for _, s := range ss {
			t += by[string(s)]
		}
		return t
	}
	d := Delivery{Channel: "email", ByState: by}
	for _, c := range by {
		d.ToReach += c
	}
	// Duplicates are covered by their address's notice; "current" people
	// of a later version were told all it says by an earlier one.
	d.ToReach -= n(casetable.StatusDuplicate, casetable.StatusNoContact, casetable.StatusCurrent)
	d.Done = n(casetable.StatusSent, casetable.StatusDelivered, casetable.StatusBounced, casetable.StatusComplained, casetable.StatusFailed)
	d.Remaining = max(d.ToReach-d.Done, 0)
	d.Fallback = n(casetable.StatusBounced, casetable.StatusComplained, casetable.StatusFailed, casetable.StatusNoContact)
	return d
}

// DeliverySource returns where sending stands for a case, per channel.
type DeliverySource func(ctx context.Context, caseID string) ([]Delivery, error)

// DeliveryFromLedger counts a case's people by ledger state (reconcile.Count,
// every shard read in this process) and lists the shards whose sending
// failed (ledger.ShardFailures). That reads the whole ledger, so it serves
// the local stack's browse mode; behind a public function URL the console
// serves approval links only and never calls it.
func DeliveryFromLedger(db reconcile.Querier, table string, records CaseRecords) DeliverySource {
	return func(ctx context.Context, caseID string) ([]Delivery, error) {
		c, err := records.Get(ctx, caseID)
		if err != nil {
			return nil, err
		}
		// The people of the version being worked: its own subject set.
		set := casetable.SetID(caseID, c.Working())
		by, err := reconcile.Count(ctx, db, table, set, c.Shards)
		if err != nil {
			return nil, err
		}
		fs, err := ledger.ShardFailures(ctx, db, table, set, c.Shards)
		if err != nil {
			return nil, err
		}
		d := EmailDelivery(by)
		d.Stopped = []Stop{}
		for _, f := range fs {
			d.Stopped = append(d.Stopped, Stop{Shard: f.Shard, Error: f.Named(), Cause: f.Cause, At: f.At})
		}
		return []Delivery{d}, nil
	}
}

// deliveryReport is the delivery endpoint's JSON: the channels' counts and,
// given the rate the page measured, when sending ends against each
// deadline for individuals (capacity.Plan, the arithmetic of `plan`).
type deliveryReport struct {
	At       time.Time  `json:"at"`
	Channels []Delivery `json:"channels"`
	// Rate is the measured sends per second the finish times assume.
	Rate float64 `json:"rate"`
	// Finish is when sending ends at Rate; null with NoPlan saying why
	// when it cannot be worked out yet.
	Finish    *time.Time      `json:"finish"`
	NoPlan    string          `json:"no_plan,omitempty"`
	Deadlines []deadlineCheck `json:"deadlines"`
}

type deadlineCheck struct {
	ID   string    `json:"id"`
	Due  time.Time `json:"due"`
	Met  bool      `json:"met"`
	Left string    `json:"margin"`
}

// delivery serves GET /cases/{id}/delivery?rate=R (browse mode): what the
// page polls to draw its chart and finish times.
func (h *handler) delivery(w http.ResponseWriter, r *http.Request) {
	if h.deps.Delivery == nil {
		h.problem(w, http.StatusNotFound, "No delivery data", "This console has no delivery source.")
		return
	}
	id := r.PathValue("id")
	c, err := h.deps.Cases.Case(r.Context(), id)
	if err != nil {
		h.fail(w, r, "case", err)
		return
	}
	chs, err := h.deps.Delivery(r.Context(), id)
	if err != nil {
		h.fail(w, r, "delivery", err)
		return
	}
	rate, _ := strconv.ParseFloat(r.URL.Query().Get("rate"), 64)
	rep := planDelivery(c, chs, rate, h.deps.Now().UTC())
	writeJSON(w, rep)
}

// planDelivery sets the remaining sends at rate against the individuals'
// deadlines of c.
func planDelivery(c Case, chs []Delivery, rate float64, now time.Time) deliveryReport {
	rep := deliveryReport{At: now, Channels: chs, Rate: rate, Deadlines: []deadlineCheck{}}
	remaining := 0
	for _, d := range chs {
		remaining += d.Remaining
	}
	var dls []capacity.Deadline
	for _, o := range individualDeadlines(c) {
		dls = append(dls, capacity.Deadline{Name: o.ID, Due: o.DueAt})
	}
	switch {
	case remaining == 0:
		rep.Finish = &now
	case rate <= 0:
		rep.NoPlan = "the send rate is not measured yet"
		return rep
	}
	s, err := capacity.Plan(int64(remaining), capacity.Account{Rate: max(rate, 1e-9)}, now, dls)
	if err != nil {
		rep.NoPlan = err.Error()
		return rep
	}
	if rep.Finish == nil {
		rep.Finish = &s.Finish
	}
	for _, d := range s.Deadlines {
		m := d.Margin
		left := capacity.Span(m) + " to spare"
		if m < 0 {
			left = capacity.Span(-m) + " late"
		}
		rep.Deadlines = append(rep.Deadlines, deadlineCheck{ID: d.Name, Due: d.Due, Met: d.Met, Left: left})
	}
	return rep
}

// individualDeadlines are the required duties to tell people that have a
// fixed deadline, soonest first.
func individualDeadlines(c Case) []Obligation {
	var out []Obligation
	for _, o := range c.Obligations {
		if o.Required && o.Kind == "individuals" && !o.DueAt.IsZero() {
			out = append(out, o)
		}
	}
	slices.SortFunc(out, func(a, b Obligation) int { return a.DueAt.Compare(b.DueAt) })
	return out
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	enc.Encode(v)
}
