package console

import (
	"fmt"
	"html/template"
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
	"iso": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"num": thousands,
	"short": func(h string) string {
		if len(h) > 12 {
			return h[:12] + "…"
		}
		return h
	},
}

// caseView is everything the case page shows.
type caseView struct {
	Case        Case
	Obligations []obligationView
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
	Left    string
	Overdue bool
}

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
		left := o.DueAt.Sub(now)
		v.Obligations = append(v.Obligations, obligationView{Obligation: o, Left: humanLeft(left), Overdue: left < 0})
	}
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
// page reads the same before and after the script runs.
func humanLeft(d time.Duration) string {
	suffix := "left"
	if d < 0 {
		d, suffix = -d, "overdue"
	}
	d = d.Truncate(time.Second)
	days := d / (24 * time.Hour)
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
