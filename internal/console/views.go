package console

import (
	"fmt"
	"html/template"
	"slices"
	"strings"
	"time"

	"breachflow/internal/approval"
	"breachflow/internal/notice"
)

var funcs = template.FuncMap{
	"utc": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	},
	"iso":   func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"num":   thousands,
	"num64": func(n int) string { return thousands(int64(n)) },
	"short": func(h string) string {
		if len(h) > 12 {
			return h[:12] + "…"
		}
		return h
	},
}

// caseView is everything the case page shows.
type caseView struct {
	Case Case
	// Obligations are the required duties, soonest deadline first, those
	// with no fixed deadline last; NotRequired are the duties considered
	// and not owed, each with its reason, shown collapsed.
	Obligations []obligationView
	NotRequired []obligationView
	// Stages are the staged duties, soonest first, with their clocks.
	Stages []stageView
	// Delivery is where sending stands when the page was made (browse
	// mode with a delivery source); the script keeps it current.
	Delivery    []Delivery
	LiveURL     string
	Bars        []bar
	ChartHeight int
	Total       int64
	Filings     []Draft
	Notices     []Draft // one sample per locale
	// Unverified are the contact details of third parties (helplines,
	// credit bureaus) that any of the drafts prints and nobody checked
	// against a primary source.
	Unverified  []notice.AgencyContact
	State       approval.State
	Votes       []voteView
	Escalations []approval.Escalation
	Link        *linkView
}

type obligationView struct {
	Obligation
	// Fixed is false for a duty with no fixed deadline: it shows no clock.
	Fixed   bool
	Left    string
	Overdue bool
}

// stageView is a staged duty with its clock: Soon within a week of its
// due time while it is still to be filed, Overdue past it.
type stageView struct {
	Stage
	Fixed, Open, Soon, Overdue bool
	Left                       string
}

// stageSoon is when the case page starts warning that a staged duty
// comes due.
const stageSoon = 7 * 24 * time.Hour

type bar struct {
	Jurisdiction string
	Count        int64
	Width        int
	Y            int
}

type voteView struct {
	Approver string
	Approve  bool
	Comment  string
	At       time.Time
	Via      string
}

type linkView struct {
	Token    string
	CSRF     string
	Approver string
	Expires  time.Time
}

const chartWidth, barHeight = 360, 26

func (h *handler) caseView(c Case, st approval.State, now time.Time) caseView {
	v := caseView{Case: c, State: st, Escalations: st.Escalations}
	for _, o := range c.Obligations {
		ov := obligationView{Obligation: o, Fixed: !o.DueAt.IsZero()}
		if ov.Fixed {
			left := o.DueAt.Sub(now)
			ov.Left, ov.Overdue = humanLeft(left), left < 0
		}
		if o.Required {
			v.Obligations = append(v.Obligations, ov)
		} else {
			v.NotRequired = append(v.NotRequired, ov)
		}
	}
	for _, x := range c.Stages {
		sv := stageView{Stage: x, Fixed: !x.DueAt.IsZero(), Open: x.Status == "waiting" || x.Status == "scheduled" || x.Status == "started"}
		if sv.Fixed {
			left := x.DueAt.Sub(now)
			sv.Left = humanLeft(left)
			sv.Overdue = sv.Open && left < 0
			sv.Soon = sv.Open && left >= 0 && left <= stageSoon
		}
		v.Stages = append(v.Stages, sv)
	}
	slices.SortStableFunc(v.Stages, func(a, b stageView) int {
		if a.Fixed != b.Fixed {
			if a.Fixed {
				return -1
			}
			return 1
		}
		return a.DueAt.Compare(b.DueAt)
	})
	slices.SortStableFunc(v.Obligations, func(a, b obligationView) int {
		switch {
		case a.Fixed != b.Fixed:
			if a.Fixed {
				return -1
			}
			return 1
		case !a.Fixed:
			return 0
		}
		return a.DueAt.Compare(b.DueAt)
	})
	var most int64
	for _, a := range c.Affected {
		most = max(most, a.Count)
		v.Total += a.Count
	}
	for i, a := range c.Affected {
		w := 0
		if most > 0 {
			w = int(a.Count * chartWidth / most)
		}
		v.Bars = append(v.Bars, bar{Jurisdiction: a.Jurisdiction, Count: a.Count, Width: max(w, 1), Y: i * barHeight})
	}
	v.ChartHeight = len(v.Bars) * barHeight
	seen := map[string]bool{}
	docs := make([]string, 0, 2*len(c.Drafts))
	for _, d := range c.Drafts {
		docs = append(docs, d.HTML, d.Text)
	}
	// Every draft counts, not only the sample shown per language: the
	// approval covers them all.
	v.Unverified = notice.UnverifiedContacts(docs...)
	for _, d := range c.Drafts {
		if d.Kind == "customer" {
			if !seen[d.Locale] {
				seen[d.Locale] = true
				v.Notices = append(v.Notices, d)
			}
			continue
		}
		v.Filings = append(v.Filings, d)
	}
	for _, vt := range st.Votes {
		who := h.deps.Approval.Config.ApproverEmail(vt.ApproverID)
		if who == "" {
			who = vt.ApproverID
		}
		v.Votes = append(v.Votes, voteView{Approver: who, Approve: vt.Approve, Comment: vt.Comment, At: vt.At, Via: vt.Via})
	}
	return v
}

// humanLeft writes a duration the way the countdown script does, so the
// page reads the same before and after the script runs. From two weeks on
// it counts whole days: a ticking "20170:23:05" says nothing a responder
// can use.
func humanLeft(d time.Duration) string {
	suffix := "left"
	if d < 0 {
		d, suffix = -d, "overdue"
	}
	d = d.Truncate(time.Second)
	days := d / (24 * time.Hour)
	if days >= 14 {
		return fmt.Sprintf("%d days %s", days, suffix)
	}
	d -= days * 24 * time.Hour
	hms := fmt.Sprintf("%02d:%02d:%02d", d/time.Hour, (d%time.Hour)/time.Minute, (d%time.Minute)/time.Second)
	if days > 0 {
		return fmt.Sprintf("%dd %s %s", days, hms, suffix)
	}
	return strings.TrimSpace(hms + " " + suffix)
}

func timeUnix(s int64) time.Time { return time.Unix(s, 0).UTC() }

// thousands writes n with comma separators, e.g. 40,450,000.
func thousands(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
