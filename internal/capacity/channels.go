package capacity

import "time"

// Verdict is one channel against one deadline: whether what the channel
// must do by then (its last send, its last letter delivered, its page up)
// is done in time, and by how much.
type Verdict struct {
	Deadline
	Met bool `json:"met"`
	// Margin is how long before the deadline the channel ends (negative:
	// how late it ends).
	Margin time.Duration `json:"margin_ns"`
}

// Channel names a row of the summary: a channel of the case's plans, or
// the posted notice.
const (
	ChannelEmail  = "email"
	ChannelSMS    = "sms"
	ChannelPostal = "postal"
	ChannelPosted = "posted notice"
)

// ChannelRow is one channel of a case in the plan: whom it reaches, when
// it starts and ends, what it costs, and how its end compares with every
// deadline. A fallback row is the channel for the people who reach it
// only when every channel before it in their plan failed: planned as if
// all of them do, so its people and cost are an upper bound.
type ChannelRow struct {
	Channel  string `json:"channel"`
	Fallback bool   `json:"fallback,omitempty"`
	People   int64  `json:"people"`
	// Start is when the channel can begin; Ends when it is done, as EndsAs
	// says (the last send, the last letter's expected delivery, the page
	// going up).
	Start   time.Time `json:"start"`
	Ends    time.Time `json:"ends"`
	EndsAs  string    `json:"ends_as"`
	CostUSD float64   `json:"cost_usd"`
	// Verified is false while any figure behind the row is UNVERIFIED.
	Verified bool `json:"verified"`
	// Until is, for the posted notice, when it may come down: it must stay
	// up that long.
	Until     time.Time `json:"until,omitzero"`
	Deadlines []Verdict `json:"deadlines"`
}

// Against judges the row's end against each deadline.
func (r ChannelRow) Against(deadlines []Deadline) ChannelRow {
	r.Deadlines = make([]Verdict, 0, len(deadlines))
	for _, d := range deadlines {
		m := d.Due.Sub(r.Ends)
		r.Deadlines = append(r.Deadlines, Verdict{Deadline: d, Met: m >= 0, Margin: m})
	}
	return r
}

// BounceWindow is how long the state machine waits for the e-mails that
// bounce after the first SMS round before it texts them
// (BounceWindowSeconds, 900 in AWS): a fallback cannot start before the
// channel before it has ended and this has passed.
const BounceWindow = 15 * time.Minute
