package rules

import (
	"fmt"
	"sync"
	"time"
	_ "time/tzdata" // deadlines must not depend on the host's zoneinfo

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/br"
	"github.com/rickar/cal/v2/us"

	"breachflow/internal/report"
)

// Deadline is when a duty falls due, as a regime file writes it. With no
// Hours, Days or BusinessDays the law sets no figure ("without undue
// delay"): the obligation has a clock start but no DueAt.
type Deadline struct {
	// Text is the law's wording, shown to the responder.
	Text  string `yaml:"text"`
	Clock Clock  `yaml:"clock"`
	// Hours run from the clock instant, weekends and nights included.
	Hours int `yaml:"hours"`
	// Days are calendar days: due at the end (23:59:59, regime time zone)
	// of the Nth day after the clock's day.
	Days int `yaml:"days"`
	// FirstDayCounts: the clock's own day is day 1 of Days, so the duty
	// falls due a day earlier (Japan's PPC counts the day of knowing).
	FirstDayCounts bool `yaml:"first_day_counts"`
	// BusinessDays skip weekends and the regime's public holidays: due at
	// the end of the Nth business day after the clock's day.
	BusinessDays int `yaml:"business_days"`
	// After names another rule of the same regime: the clock is that
	// duty's due time (clock "individual_notice").
	After string `yaml:"after"`
	// Immediate: due the moment the clock starts ("immediately", "as soon
	// as confirmed", "without undue further delay"): the earliest reading
	// of a law that sets no figure for a duty that follows an event.
	Immediate bool `yaml:"immediate"`
	// DoubleForSmallAgent doubles the period for small processing agents
	// (Brazil, ANPD Resolution 2/2022 Art. 14).
	DoubleForSmallAgent bool `yaml:"double_for_small_agent"`
	// Alt is a different period that applies when its condition holds
	// (Japan: 60 days for unjust-purpose cases; China: 1 hour for CII).
	Alt *AltDeadline `yaml:"alt"`
}

// AltDeadline replaces the period of a Deadline when When holds.
type AltDeadline struct {
	When  Condition `yaml:"when"`
	Text  string    `yaml:"text"`
	Hours int       `yaml:"hours"`
	Days  int       `yaml:"days"`
}

func (c Clock) valid() bool {
	switch c {
	case ClockAware, ClockDiscovered, ClockDetermined, ClockMateriality, ClockExtortion, ClockYearEnd, ClockNotice,
		ClockFactsConfirmed, ClockPossibility, ClockPossibilityResolved, ClockLeakAware:
		return true
	}
	return false
}

// clockTime returns the instant clock c started for report r, or zero if
// the report does not (yet) record it, and the report field it reads.
func clockTime(r *report.Report, c Clock) (time.Time, string) {
	t := r.Timeline
	deref := func(p *time.Time) time.Time {
		if p == nil {
			return time.Time{}
		}
		return *p
	}
	switch c {
	case ClockAware:
		return t.Aware, "timeline.aware"
	case ClockDiscovered:
		return t.Discovered, "timeline.discovered"
	case ClockDetermined:
		return deref(t.Determined), "timeline.determined"
	case ClockMateriality:
		return deref(t.MaterialityDetermined), "timeline.materiality_determined"
	case ClockExtortion:
		return deref(t.ExtortionPaid), "timeline.extortion_paid"
	case ClockYearEnd:
		return t.Discovered, "timeline.discovered"
	case ClockFactsConfirmed:
		return deref(t.FactsConfirmed), "timeline.facts_confirmed"
	case ClockPossibility:
		if p := r.PossibleLeak; p != nil {
			return p.KnownAt, "possible_leak.known_at"
		}
		return time.Time{}, "possible_leak.known_at"
	case ClockPossibilityResolved:
		if p := r.PossibleLeak; p != nil {
			return deref(p.ResolvedAt), "possible_leak.resolved_at"
		}
		return time.Time{}, "possible_leak.resolved_at"
	case ClockLeakAware:
		if p := r.PossibleLeak; p != nil {
			// Open or ruled out: no leak, so no clock.
			if p.Outcome != report.OutcomeConfirmed {
				return time.Time{}, "possible_leak.resolved_at"
			}
			return deref(p.ResolvedAt), "possible_leak.resolved_at"
		}
		return t.Aware, "timeline.aware"
	}
	return time.Time{}, ""
}

// due computes the deadline from start in loc. It returns zero when the
// deadline has no figure.
func (d Deadline) due(start time.Time, loc *time.Location, holidays *cal.BusinessCalendar, small bool) time.Time {
	if start.IsZero() {
		return time.Time{}
	}
	mult := 1
	if d.DoubleForSmallAgent && small {
		mult = 2
	}
	local := start.In(loc)
	if d.Clock == ClockYearEnd {
		// The period runs from the end of the calendar year of discovery.
		local = time.Date(local.Year(), 12, 31, 23, 59, 59, 0, loc)
	}
	switch {
	case d.Hours > 0:
		return local.Add(time.Duration(d.Hours*mult) * time.Hour)
	case d.Days > 0 && d.FirstDayCounts:
		return endOfDay(local.AddDate(0, 0, d.Days*mult-1))
	case d.Days > 0:
		return endOfDay(local.AddDate(0, 0, d.Days*mult))
	case d.BusinessDays > 0:
		return endOfDay(addBusinessDays(local, d.BusinessDays*mult, holidays))
	case d.Immediate:
		// "immediately" / "as soon as confirmed".
		return local
	case d.Clock == ClockNotice:
		// "concurrently with" / "no later than" the notice it follows.
		return start
	}
	return time.Time{}
}

func endOfDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 23, 59, 59, 0, t.Location())
}

// addBusinessDays returns the day n business days after t's day: the day of
// t itself never counts.
func addBusinessDays(t time.Time, n int, c *cal.BusinessCalendar) time.Time {
	day := t
	for n > 0 {
		day = day.AddDate(0, 0, 1)
		if isBusinessDay(day, c) {
			n--
		}
	}
	return day
}

func isBusinessDay(day time.Time, c *cal.BusinessCalendar) bool {
	if c == nil {
		wd := day.Weekday()
		return wd != time.Saturday && wd != time.Sunday
	}
	return c.IsWorkday(day)
}

// calendars are the public-holiday calendars regime files may name.
var calendars = map[string]func() *cal.BusinessCalendar{
	// Brazil's national holidays (state and municipal ones are not
	// included: ANPD counts federal business days - see the regime notes).
	"BR": func() *cal.BusinessCalendar {
		c := cal.NewBusinessCalendar()
		c.AddHoliday(br.Holidays...)
		return c
	},
	// US federal holidays, as the SEC's EDGAR business days.
	"US": func() *cal.BusinessCalendar {
		c := cal.NewBusinessCalendar()
		c.AddHoliday(us.Holidays...)
		return c
	},
}

// builtCalendars holds one calendar per name, built once: a calendar
// without caching is safe to share between goroutines.
var builtCalendars = sync.OnceValue(func() map[string]*cal.BusinessCalendar {
	m := map[string]*cal.BusinessCalendar{}
	for name, mk := range calendars {
		m[name] = mk()
	}
	return m
})

func holidayCalendar(name string) (*cal.BusinessCalendar, error) {
	if name == "" {
		return nil, nil
	}
	mk, ok := calendars[name]
	if !ok {
		return nil, fmt.Errorf("no holiday calendar %q", name)
	}
	return mk(), nil
}
