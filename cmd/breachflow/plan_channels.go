package main

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"breachflow/internal/breach"
	"breachflow/internal/capacity"
	"breachflow/internal/draft"
	"breachflow/internal/posting"
	"breachflow/internal/sms"
)

// channelInputs is what `plan` knows of a case's channels: how many
// people each reaches first and as a fallback (by country where it
// matters), and the capacities and prices that set their pace.
type channelInputs struct {
	Begin     time.Time
	Deadlines []capacity.Deadline
	// Email is the e-mail schedule and AWS cost already worked out.
	Email     capacity.Schedule
	EmailCost capacity.Cost
	// EmailFallback are people whom e-mail reaches only when an earlier
	// channel failed (a policy that puts SMS first).
	EmailFallback int64
	SMS           map[string]int64
	SMSFallback   map[string]int64
	SMSRate       float64
	SMSOrg        string
	Postal        map[string]int64
	// PostalFallback are people whom a letter reaches only when every
	// electronic channel of their plan failed.
	PostalFallback map[string]int64
	MailingHouse   capacity.MailingHouse
	Posted         capacity.PostedPlan
	// PostedOnly counts the people only the posted notice reaches.
	PostedOnly int64
	TableBytes int64
}

// channelPlan is every channel's plan and the summary rows.
type channelPlan struct {
	Rows   []capacity.ChannelRow
	SMS    *sms.Plan
	Postal *capacity.PostalPlan
}

// planChannels works out each channel's time and cost from in and judges
// each against every deadline. Primary channels start at in.Begin (the
// posted notice goes up first, PublishPostedNotices, then the channels
// run side by side). A fallback row starts when the channels before it
// have ended and the bounce window has passed (SMS after e-mail; letters
// after every electronic channel and after the first letters are handed
// in), planned as if everyone on it needs it: an upper bound.
func planChannels(in channelInputs) (channelPlan, error) {
	var out channelPlan
	row := func(r capacity.ChannelRow) { out.Rows = append(out.Rows, r.Against(in.Deadlines)) }
	electronic := in.Begin
	if in.Email.People > 0 {
		row(capacity.ChannelRow{Channel: capacity.ChannelEmail, People: in.Email.People, Start: in.Email.Start, Ends: in.Email.Finish,
			EndsAs: "last e-mail sent", CostUSD: in.EmailCost.Total, Verified: true})
		electronic = in.Email.Finish
	}
	emailEnd := electronic
	smsEnd := in.Begin
	if total(in.SMS) > 0 {
		sp, err := sms.PlanTexts(in.SMS, in.SMSRate, in.SMSOrg)
		if err != nil {
			return out, err
		}
		out.SMS = &sp
		smsEnd = in.Begin.Add(sp.Length)
		row(capacity.ChannelRow{Channel: capacity.ChannelSMS, People: sp.Texts, Start: in.Begin, Ends: smsEnd,
			EndsAs: "last text sent", CostUSD: sp.CostUSD, Verified: sp.Verified})
		electronic = later(electronic, smsEnd)
	}
	if in.EmailFallback > 0 {
		start := later(smsEnd.Add(capacity.BounceWindow), emailEnd)
		length, _ := capacity.SendTime(in.EmailFallback, in.Email.Account)
		cost := capacity.Estimate(in.EmailFallback, in.Email.Account.Rate, 0)
		row(capacity.ChannelRow{Channel: capacity.ChannelEmail, Fallback: true, People: in.EmailFallback, Start: start, Ends: start.Add(length),
			EndsAs: "last e-mail sent", CostUSD: cost.Total, Verified: true})
		electronic = later(electronic, start.Add(length))
	}
	if total(in.SMSFallback) > 0 {
		sp, err := sms.PlanTexts(in.SMSFallback, in.SMSRate, in.SMSOrg)
		if err != nil {
			return out, err
		}
		// Texts after bounces share the identities with the first round.
		start := later(emailEnd.Add(capacity.BounceWindow), smsEnd)
		row(capacity.ChannelRow{Channel: capacity.ChannelSMS, Fallback: true, People: sp.Texts, Start: start, Ends: start.Add(sp.Length),
			EndsAs: "last text sent", CostUSD: sp.CostUSD, Verified: sp.Verified})
		electronic = later(electronic, start.Add(sp.Length))
	}
	handedIn := in.Begin
	if total(in.Postal) > 0 {
		pp, err := capacity.PlanLetters(in.Postal, in.MailingHouse, in.Begin)
		if err != nil {
			return out, err
		}
		out.Postal = &pp
		handedIn = pp.HandedIn
		row(capacity.ChannelRow{Channel: capacity.ChannelPostal, People: pp.Letters, Start: in.Begin, Ends: pp.Delivered,
			EndsAs: "last letter delivered", CostUSD: pp.CostUSD, Verified: pp.Verified})
	}
	if total(in.PostalFallback) > 0 {
		start := later(electronic.Add(capacity.BounceWindow), handedIn)
		pp, err := capacity.PlanLetters(in.PostalFallback, in.MailingHouse, start)
		if err != nil {
			return out, err
		}
		row(capacity.ChannelRow{Channel: capacity.ChannelPostal, Fallback: true, People: pp.Letters, Start: start, Ends: pp.Delivered,
			EndsAs: "last letter delivered", CostUSD: pp.CostUSD, Verified: pp.Verified})
	}
	p := in.Posted
	row(capacity.ChannelRow{Channel: capacity.ChannelPosted, People: in.PostedOnly, Start: p.Up, Ends: p.Up, EndsAs: "pages up",
		CostUSD: p.CostUSD, Verified: p.Verified, Until: p.Until})
	return out, nil
}

func total(m map[string]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// countriesOf sums people by jurisdiction into people by country ("US"
// for "US-CA").
func countriesOf[N int | int64](byJurisdiction map[breach.Jurisdiction]N) map[string]int64 {
	out := map[string]int64{}
	for j, n := range byJurisdiction {
		out[j.Country()] += int64(n)
	}
	return out
}

// postedPages counts the pages a case posts and their bytes, from its
// drafts (the substitute notice per language and the public statements).
func postedPages(ds []draft.Draft) (int, int64) {
	var bytes int64
	posted := posting.Posted(ds)
	for _, d := range posted {
		bytes += int64(len(d.HTML))
	}
	return len(posted), bytes
}

// Without drafts (a report that cannot be drafted offline, or bare
// --people), the posted notice is planned as one page of this size.
const estimatedPageBytes = 20_000

// printChannels prints the summary: every channel against every deadline.
func printChannels(w io.Writer, rows []capacity.ChannelRow, period posting.Period) {
	var deadlines []capacity.Deadline
	if len(rows) > 0 {
		for _, v := range rows[0].Deadlines {
			deadlines = append(deadlines, v.Deadline)
		}
	}
	fmt.Fprintln(w, "\nEvery channel against every deadline")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	head := []string{"CHANNEL", "PEOPLE", "ENDS", "WHAT ENDS", "COST"}
	for _, d := range deadlines {
		head = append(head, shortName(d.Name))
	}
	fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
	var sum, fallback float64
	unverified := false
	for _, r := range rows {
		name := r.Channel
		if r.Fallback {
			name += " (fallback)"
			fallback += r.CostUSD
		} else {
			sum += r.CostUSD
		}
		people := thousands(float64(r.People))
		if r.Channel == capacity.ChannelPosted && r.People == 0 {
			people = "-"
		}
		cost := usd(r.CostUSD)
		if !r.Verified {
			cost += " *"
			unverified = true
		}
		cells := []string{name, people, r.Ends.UTC().Format(time.RFC3339), r.EndsAs, cost}
		for _, v := range r.Deadlines {
			cells = append(cells, verdict(v))
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
	}
	tw.Flush()
	for _, d := range deadlines {
		fmt.Fprintf(w, "  %s: due %s\n", d.Name, d.Due.UTC().Format(time.RFC3339))
	}
	for _, r := range rows {
		if r.Channel == capacity.ChannelPosted {
			fmt.Fprintf(w, "  posted notice: up %s, must stay up until %s (%s)\n", r.Ends.UTC().Format(time.RFC3339), r.Until.UTC().Format(time.RFC3339), period.Cites())
		}
	}
	fmt.Fprintf(w, "  total %s", usd(sum))
	if fallback > 0 {
		fmt.Fprintf(w, "; fallback rows add up to %s if every earlier channel fails (people on them are counted as if it does)", usd(fallback))
	}
	fmt.Fprintln(w)
	if unverified {
		fmt.Fprintln(w, "  * rests on UNVERIFIED figures: internal/sms/countries.json, internal/capacity/postal.json, internal/capacity/posted.json")
	}
}

// shortName is a deadline's name without its regime in brackets.
func shortName(name string) string {
	s, _, _ := strings.Cut(name, " (")
	return s
}

func verdict(v capacity.Verdict) string {
	if v.Met {
		return "met, " + human(v.Margin) + " to spare"
	}
	return "MISSED by " + human(-v.Margin)
}

// printPostalPlan prints the postal channel per country.
func printPostalPlan(w io.Writer, p capacity.PostalPlan) {
	mark := ""
	if !p.Verified {
		mark = " (postage, delivery days and the mailing house UNVERIFIED: internal/capacity/postal.json)"
	}
	mh := p.MailingHouse
	fmt.Fprintf(w, "\nLetters through a mailing house%s\n", mark)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "COUNTRY\tPEOPLE\tOPERATOR\tPER LETTER\tCOST\tDELIVERY\tLAST DELIVERED\t")
	for _, c := range p.Countries {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%.0f days\t%s\t\n", c.ISO, thousands(float64(c.People)), c.Operator,
			fmt.Sprintf("$%.2f", c.LetterUSD), usd(c.CostUSD), c.DeliveryDays, c.Delivered.UTC().Format(time.RFC3339))
	}
	tw.Flush()
	fmt.Fprintf(w, "  %s letters, %s; %.0f days' lead, %s letters a day: the last handed to the post %s, the last delivered %s\n",
		thousands(float64(p.Letters)), usd(p.CostUSD), mh.LeadDays, thousands(mh.LettersPerDay), p.HandedIn.UTC().Format(time.RFC3339), p.Delivered.UTC().Format(time.RFC3339))
}

// printPostedPlan prints the posted notice's cost lines.
func printPostedPlan(w io.Writer, p capacity.PostedPlan) {
	mark := ""
	if !p.Verified {
		mark = " (some prices UNVERIFIED: internal/capacity/posted.json)"
	}
	fmt.Fprintf(w, "\nPosted notice: %d pages, %s bytes, %d days, %s views%s\n", p.Pages, thousands(float64(p.Bytes)), p.Days, thousands(float64(p.Views)), mark)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, l := range p.Lines {
		units := thousands(l.Units)
		if l.Units < 100 && l.Units != float64(int64(l.Units)) {
			units = fmt.Sprintf("%.6f", l.Units)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s %s\t%s\t\n", l.Service, l.Item, units, l.Unit, fmt.Sprintf("$%.4f", l.USD))
	}
	tw.Flush()
	fmt.Fprintf(w, "  %s (CloudFront's free tier not subtracted)\n", fmt.Sprintf("$%.2f", p.CostUSD))
}

// parseCountries reads repeated COUNTRY=PEOPLE flags, naming the flag in
// an error.
func parseCountries(flag string, pairs []string) (map[string]int64, error) {
	if len(pairs) == 0 {
		return nil, nil
	}
	m, err := sms.ParseCounts(pairs)
	if err != nil {
		return nil, fmt.Errorf("%s %w", flag, err)
	}
	return m, nil
}

// errCaseNotScoped says plan --case met a case whose people are not
// counted yet.
var errCaseNotScoped = errors.New("not scoped yet: its people per channel are counted when scoping ends; plan the report file (breachflow plan REPORT.json) until then")

// sortedKeys lists a map's keys in order.
func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
