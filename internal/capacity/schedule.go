package capacity

import (
	"encoding/json"
	"errors"
	"math"
	"time"
)

// Day is the window of SES's sending quota (a rolling 24 hours).
const Day = 24 * time.Hour

// Deadline is one obligation's due time for individual notices.
type Deadline struct {
	// Name identifies the obligation (its id, regime or a label).
	Name string    `json:"name"`
	Due  time.Time `json:"due"`
}

// Account is the SES sending capacity.
type Account struct {
	// Rate is the maximum sends per second.
	Rate float64 `json:"rate"`
	// DailyQuota is the maximum sends per 24 hours; 0 means no limit.
	DailyQuota int64 `json:"daily_quota"`
}

// DeadlineCheck says whether sending meets one deadline.
type DeadlineCheck struct {
	Deadline
	Met bool `json:"met"`
	// Margin is how long before the deadline sending ends (negative: how
	// late it ends).
	Margin time.Duration `json:"margin_ns"`
	// NeededRate is the steady rate that ends exactly at the deadline:
	// +Inf when the deadline is not after the start, which JSON writes as
	// null beside Unmeetable.
	NeededRate float64 `json:"needed_rate"`
	// NeededDailyQuota is the 24-hour quota that rate needs (the whole run
	// when the deadline is under a day away).
	NeededDailyQuota int64 `json:"needed_daily_quota"`
	// Unmeetable says why no rate can meet the deadline; "" when one can.
	Unmeetable string `json:"unmeetable,omitempty"`
}

// MarshalJSON writes an unmeetable rate as null: JSON has no infinity, and
// a plan of a case whose deadlines have passed must still print.
func (c DeadlineCheck) MarshalJSON() ([]byte, error) {
	type plain DeadlineCheck
	out := struct {
		plain
		NeededRate *float64 `json:"needed_rate"`
	}{plain: plain(c)}
	if !math.IsInf(c.NeededRate, 0) && !math.IsNaN(c.NeededRate) {
		out.NeededRate = &c.NeededRate
	}
	return json.Marshal(out)
}

// Schedule is when a send of People notices ends and how that compares
// with each deadline.
type Schedule struct {
	People  int64         `json:"people"`
	Account Account       `json:"account"`
	Start   time.Time     `json:"start"`
	Length  time.Duration `json:"length_ns"`
	Finish  time.Time     `json:"finish"`
	// QuotaBound says the daily quota, not the rate, sets the length.
	QuotaBound bool            `json:"quota_bound"`
	Deadlines  []DeadlineCheck `json:"deadlines"`
}

// Plan returns the schedule for sending to people from start.
func Plan(people int64, acct Account, start time.Time, deadlines []Deadline) (Schedule, error) {
	if people < 0 {
		return Schedule{}, errors.New("capacity: people must not be negative")
	}
	if acct.Rate <= 0 {
		return Schedule{}, errors.New("capacity: the SES rate must be positive")
	}
	length, quotaBound := SendTime(people, acct)
	s := Schedule{People: people, Account: acct, Start: start, Length: length, Finish: start.Add(length), QuotaBound: quotaBound}
	for _, d := range deadlines {
		c := DeadlineCheck{Deadline: d, Margin: d.Due.Sub(s.Finish)}
		c.Met = c.Margin >= 0
		if avail := d.Due.Sub(start); avail > 0 {
			c.NeededRate = float64(people) / avail.Seconds()
			windows := math.Ceil(avail.Seconds() / Day.Seconds())
			c.NeededDailyQuota = int64(math.Ceil(float64(people) / windows))
		} else {
			c.NeededRate = math.Inf(1)
			c.NeededDailyQuota = people
			c.Unmeetable = "the deadline is not after the start of sending"
		}
		s.Deadlines = append(s.Deadlines, c)
	}
	return s, nil
}

// SendTime is how long sending people notices takes at the account's rate,
// paused whenever the 24-hour quota is spent. It reports whether the quota
// (rather than the rate) is what binds.
func SendTime(people int64, acct Account) (time.Duration, bool) {
	seconds := func(n float64) time.Duration { return time.Duration(n / acct.Rate * float64(time.Second)) }
	q := acct.DailyQuota
	if q <= 0 || float64(q)/acct.Rate >= Day.Seconds() || people <= q {
		return seconds(float64(people)), false
	}
	// Each full quota is sent at the rate, then the window must roll over:
	// one day per full quota, and the rest at the rate.
	full := (people - 1) / q
	return time.Duration(full)*Day + seconds(float64(people-full*q)), true
}
