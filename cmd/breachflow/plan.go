package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"breachflow/internal/breach"
	"breachflow/internal/capacity"
	"breachflow/internal/draft"
	"breachflow/internal/posting"
	"breachflow/internal/rules"
	"breachflow/internal/sms"
)

// planOutput is what `plan --json` prints.
type planOutput struct {
	ReportID string `json:"report_id,omitempty"`
	// CaseID is the case whose counts the plan read (plan --case), and
	// CountsFrom says where the people per channel came from.
	CaseID     string            `json:"case_id,omitempty"`
	CountsFrom string            `json:"counts_from,omitempty"`
	Schedule   capacity.Schedule `json:"schedule"`
	Cost       capacity.Cost     `json:"cost"`
	// SMS is the SMS channel's time and cost, when --sms gives people by
	// country; SMSSchedule its parts against the same deadlines.
	SMS         *sms.Plan          `json:"sms,omitempty"`
	SMSSchedule *capacity.Schedule `json:"sms_schedule,omitempty"`
	// Postal is the letters' time and cost, when --postal or the case
	// gives people to write to.
	Postal *capacity.PostalPlan `json:"postal,omitempty"`
	// Posted is the posted notice: up when, for how long (Period, with its
	// citation), and what S3 and CloudFront charge.
	Posted capacity.PostedPlan `json:"posted"`
	Period posting.Period      `json:"period"`
	// Channels is every channel against every deadline: the summary.
	Channels []capacity.ChannelRow `json:"channels"`
}

// planFacts is what a plan starts from: a report file, a case record, or
// flags alone.
type planFacts struct {
	reportID, caseID string
	people           int64
	deadlines        []capacity.Deadline
	period           posting.Period
	// byCountry counts everyone in scope by country; total is their sum.
	byCountry map[string]int64
	// channels is the case record's people per channel plan (plan --case).
	channels map[string]int
	pages    int
	bytes    int64
	// postedAt is when the case's pages went up, if they have.
	postedAt time.Time
}

func newPlanCmd() *cobra.Command {
	var (
		rate        float64
		quota       int64
		people      int64
		deadlines   []string
		start       string
		tableBytes  float64
		asJSON      bool
		smsPeople   []string
		smsRate     float64
		smsOrg      string
		postalFlags []string
		leadDays    float64
		perDay      float64
		views       int64
		caseID      string
	)
	mh := capacity.DefaultMailingHouse()
	cmd := &cobra.Command{
		Use:   "plan [REPORT.json | --case CASE]",
		Short: "When each channel ends against each deadline, the rate each deadline needs, and the cost",
		Long: `plan works out, before anything is sent, whether the SES account can meet the case's
deadlines for notifying individuals: when sending at --ses-rate with --daily-quota ends,
by how much each deadline is met or missed, what rate and 24-hour quota would meet it,
and what the run costs in AWS (SES, Step Functions, Lambda, DynamoDB), with the same
constants the send stage uses.

Deadlines come from the report's obligations (the rulebook's assessment) and from
--deadline NAME=TIME; the number of people from the report's subject_counts or --people.

Beside e-mail it plans SMS (--sms COUNTRY=PEOPLE), letters through a mailing house
(--postal COUNTRY=PEOPLE: print lead time and rate, postage and delivery days per
country) and the posted notice (S3 and CloudFront for the period the law requires,
up before any notice goes out), and ends with one table: every channel, its people,
when it ends, its cost and every deadline met or missed by how much.

--case CASE reads a scoped case instead: its people per channel plan from the case
record (SMS and letters spread over countries by its people per jurisdiction), its
deadlines from its assessment, its posted pages from its drafts; flags still override.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			begin := time.Now().UTC().Truncate(time.Minute)
			if start != "" {
				t, err := time.Parse(time.RFC3339, start)
				if err != nil {
					return fmt.Errorf("--start %q: want RFC 3339, e.g. 2024-08-13T09:00:00+09:00", start)
				}
				begin = t
			}
			var f planFacts
			switch {
			case caseID != "" && len(args) == 1:
				return errors.New("give a report file or --case CASE, not both")
			case caseID != "":
				env, err := loadCLIEnv(cmd.Context())
				if err != nil {
					return err
				}
				if f, err = caseFacts(cmd.Context(), env, caseID); err != nil {
					return err
				}
			case len(args) == 1:
				var err error
				if f, err = reportFacts(args[0], begin); err != nil {
					return err
				}
			default:
				f.period = posting.PeriodFor(rules.Assessment{})
			}
			out := planOutput{ReportID: f.reportID, CaseID: f.caseID, Period: f.period}
			dls := f.deadlines
			for _, d := range deadlines {
				name, at, ok := strings.Cut(d, "=")
				if !ok {
					name, at = "deadline", d
				}
				t, err := time.Parse(time.RFC3339, at)
				if err != nil {
					return fmt.Errorf("--deadline %q: want NAME=RFC3339 time", d)
				}
				dls = append(dls, capacity.Deadline{Name: name, Due: t})
			}
			if people == 0 {
				people = f.people
			}
			if people <= 0 && f.caseID == "" {
				return errors.New("number of people unknown: give a report with subject_counts or --people N")
			}
			s, err := capacity.Plan(people, capacity.Account{Rate: rate, DailyQuota: quota}, begin, dls)
			if err != nil {
				return err
			}
			out.Schedule, out.Cost = s, capacity.Estimate(people, rate, int64(tableBytes))

			in := channelInputs{Begin: begin, Deadlines: dls, Email: s, EmailCost: out.Cost, SMSRate: smsRate, SMSOrg: smsOrg, MailingHouse: mh}
			if in.SMS, err = parseCountries("--sms", smsPeople); err != nil {
				return err
			}
			if in.Postal, err = parseCountries("--postal", postalFlags); err != nil {
				return err
			}
			out.CountsFrom = "flags"
			if f.channels != nil {
				out.CountsFrom = fromCase(&in, f, len(smsPeople) > 0, len(postalFlags) > 0)
			}
			if cmd.Flags().Changed("print-lead-days") {
				in.MailingHouse.LeadDays = leadDays
			}
			if cmd.Flags().Changed("letters-per-day") {
				in.MailingHouse.LettersPerDay = perDay
			}
			in.Posted, err = postedPlan(f, people, views, begin)
			if err != nil {
				return err
			}
			out.Posted = in.Posted
			cp, err := planChannels(in)
			if err != nil {
				return err
			}
			out.Channels, out.Postal = cp.Rows, cp.Postal
			if cp.SMS != nil {
				// The schedule at the rate the identities allow together
				// (no country faster than its own identity).
				ss, err := capacity.Plan(cp.SMS.Parts, capacity.Account{Rate: max(cp.SMS.Effective, 1e-9)}, begin, dls)
				if err != nil {
					return err
				}
				out.SMS, out.SMSSchedule = cp.SMS, &ss
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(out)
			}
			printPlan(cmd.OutOrStdout(), out)
			return nil
		},
	}
	fl := cmd.Flags()
	fl.Float64Var(&rate, "ses-rate", 14, "SES maximum send rate (messages per second)")
	fl.Int64Var(&quota, "daily-quota", 0, "SES 24-hour sending quota (0: no quota)")
	fl.Int64Var(&people, "people", 0, "people to notify by e-mail (default: the report's subject_counts, or the case's people first on e-mail)")
	fl.StringArrayVar(&deadlines, "deadline", nil, "an extra deadline, NAME=RFC3339 (repeatable)")
	fl.StringVar(&start, "start", "", "when sending starts, RFC 3339 (default: now)")
	fl.Float64Var(&tableBytes, "user-table-bytes", 0, fmt.Sprintf("size of the user table scoping scans (default: %d bytes a person)", capacity.UserItemBytes))
	fl.StringArrayVar(&smsPeople, "sms", nil, "people to text in a country, COUNTRY=PEOPLE (repeatable): adds the SMS channel's time and cost")
	fl.Float64Var(&smsRate, "sms-rate", 20, "message parts per second the SMS origination identities allow together (SMS_MAX_SEND_RATE)")
	fl.StringVar(&smsOrg, "sms-org", "breachflow", "the organisation's name texts open with (SMS_ORGANISATION): it counts in each text's length")
	fl.StringArrayVar(&postalFlags, "postal", nil, "people to write to in a country, COUNTRY=PEOPLE (repeatable): adds the letters' time and cost")
	fl.Float64Var(&leadDays, "print-lead-days", mh.LeadDays, "days from the approved letters to the first handed to the post (postal.json, UNVERIFIED)")
	fl.Float64Var(&perDay, "letters-per-day", mh.LettersPerDay, "letters the mailing house prints and hands to the post a day (postal.json, UNVERIFIED)")
	fl.Int64Var(&views, "posted-views", 0, "views of the posted notice over its period (default: one for every person in scope)")
	fl.StringVar(&caseID, "case", "", "plan a scoped case: people per channel, deadlines and posted pages from the case table")
	fl.BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// reportFacts reads a report, assesses it, and drafts it offline for the
// posted pages.
func reportFacts(path string, begin time.Time) (planFacts, error) {
	_, r, err := readReport(path, time.Now())
	if err != nil {
		return planFacts{}, err
	}
	a, err := rules.Assess(r, nil, begin)
	if err != nil {
		return planFacts{}, fmt.Errorf("assess %s: %w", path, err)
	}
	f := planFacts{reportID: r.ReportID, people: int64(r.TotalSubjects()), deadlines: individualDeadlines(a),
		period: posting.PeriodFor(a), byCountry: countriesOf(r.SubjectCounts)}
	// The posted pages as drafting writes them; a report that cannot be
	// drafted yet (a missing fact) still plans, with one page estimated.
	if ds, err := draft.Build(r, a, begin); err == nil {
		f.pages, f.bytes = postedPages(ds)
	}
	return f, nil
}

// individualDeadlines are the due times of an assessment's required
// notices to individuals.
func individualDeadlines(a rules.Assessment) []capacity.Deadline {
	var dls []capacity.Deadline
	for _, o := range a.Obligations {
		if o.RecipientKind != breach.RecipientIndividuals || !o.Required || o.DueAt.IsZero() {
			continue
		}
		dls = append(dls, capacity.Deadline{Name: o.ID + " (" + o.RegimeName + ")", Due: o.DueAt})
	}
	return dls
}

func printPlan(w io.Writer, p planOutput) {
	s := p.Schedule
	fmt.Fprintf(w, "Plan")
	if p.CaseID != "" {
		fmt.Fprintf(w, " for case %s", p.CaseID)
	} else if p.ReportID != "" {
		fmt.Fprintf(w, " for %s", p.ReportID)
	}
	quota := "no daily quota"
	if s.Account.DailyQuota > 0 {
		quota = thousands(float64(s.Account.DailyQuota)) + "/day"
	}
	onEmail := ""
	if p.CaseID != "" {
		onEmail = " first on e-mail"
	}
	fmt.Fprintf(w, ": %s people%s, SES %.1f/s, %s\n", thousands(float64(s.People)), onEmail, s.Account.Rate, quota)
	if p.CaseID != "" {
		fmt.Fprintf(w, "People per channel from %s\n", p.CountsFrom)
	}
	fmt.Fprintf(w, "Sending starts %s and ends %s, after %s", s.Start.Format(time.RFC3339), s.Finish.Format(time.RFC3339), human(s.Length))
	if s.QuotaBound {
		fmt.Fprint(w, " (the daily quota, not the rate, sets the pace)")
	}
	fmt.Fprintln(w)
	if len(s.Deadlines) > 0 {
		fmt.Fprintln(w)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "DEADLINE\tDUE\tRESULT\tRATE NEEDED\tQUOTA NEEDED")
		allPast := true
		for _, d := range s.Deadlines {
			res := "met, " + human(d.Margin) + " to spare"
			if !d.Met {
				res = "MISSED by " + human(-d.Margin)
			}
			need := "deadline already passed"
			if !math.IsInf(d.NeededRate, 1) {
				need = fmt.Sprintf("%.1f/s", d.NeededRate)
				allPast = false
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s/day\n", d.Name, d.Due.Format(time.RFC3339), res, need, thousands(float64(d.NeededDailyQuota)))
		}
		tw.Flush()
		if allPast {
			fmt.Fprintln(w, "Every deadline is before the start: give --start to plan from when the clock started.")
		}
	}
	fmt.Fprintln(w, "\nAWS cost (USD, research/LIMITS.md prices)")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, l := range p.Cost.Lines {
		fmt.Fprintf(tw, "%s\t%s\t%s %s\t%s\t\n", l.Service, l.Item, thousands(l.Units), l.Unit, usd(l.USD))
	}
	tw.Flush()
	fmt.Fprintln(w)
	for _, svc := range []string{"SES", "Step Functions", "Lambda", "DynamoDB"} {
		fmt.Fprintf(w, "  %-15s %12s\n", svc, usd(p.Cost.ByService[svc]))
	}
	fmt.Fprintf(w, "  %-15s %12s\n", "total", usd(p.Cost.Total))
	fmt.Fprintf(w, "  beyond SES %s = %.1f %% of the SES cost\n", usd(p.Cost.BeyondSES), 100*p.Cost.BeyondSESShare)
	fmt.Fprintf(w, "  (%d shard children looping send runs of up to %d s; %d ledger write per person, one lease check per %d)\n", capacity.Shards, capacity.SendRunSeconds, capacity.LedgerWritesPerPerson, capacity.PageSubjects)
	if p.SMS != nil {
		printSMSPlan(w, *p.SMS, *p.SMSSchedule)
	}
	if p.Postal != nil {
		printPostalPlan(w, *p.Postal)
	}
	printPostedPlan(w, p.Posted)
	printChannels(w, p.Channels, p.Period)
}

// printSMSPlan prints the SMS channel's time and cost per country and its
// schedule against the deadlines.
func printSMSPlan(w io.Writer, p sms.Plan, s capacity.Schedule) {
	mark := ""
	if !p.Verified {
		mark = " (prices and MPS UNVERIFIED: internal/sms/countries.json until the account's figures replace them)"
	}
	fmt.Fprintf(w, "\nSMS through End User Messaging%s\n", mark)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "COUNTRY\tPEOPLE\tTEXT\tPRICE/TEXT\tCOST\tMPS\tONE IDENTITY ALONE\t")
	for _, c := range p.Countries {
		fmt.Fprintf(tw, "%s\t%s\t%s x%d\t%s\t%s\t%.0f\t%s\t\n", c.Country, thousands(float64(c.People)), strings.ToUpper(string(c.Kind)), c.Parts,
			fmt.Sprintf("$%.4f", c.PriceUSD), usd(c.CostUSD), c.MPS, human(c.Alone))
	}
	tw.Flush()
	fmt.Fprintf(w, "  %s texts, %s parts, %s; at %.1f parts/s, no country faster than its identity's MPS (%.1f parts/s in all), sending takes %s and ends %s\n",
		thousands(float64(p.Texts)), thousands(float64(p.Parts)), usd(p.CostUSD), p.Rate, p.Effective, human(p.Length), s.Finish.Format(time.RFC3339))
	for _, d := range s.Deadlines {
		res := "met, " + human(d.Margin) + " to spare"
		if !d.Met {
			res = "MISSED by " + human(-d.Margin)
		}
		need := "deadline already passed"
		if !math.IsInf(d.NeededRate, 1) {
			need = fmt.Sprintf("%.1f parts/s in all needed", d.NeededRate)
		}
		fmt.Fprintf(w, "  %s: %s (%s)\n", d.Name, res, need)
	}
}

func usd(v float64) string { return "$" + thousands2(v) }

// thousands formats a whole number with thousands separators.
func thousands(v float64) string {
	s := fmt.Sprintf("%.0f", v)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 && s[i-1] != '-' {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func thousands2(v float64) string {
	cents := math.Round(v * 100)
	whole := math.Floor(cents / 100)
	return fmt.Sprintf("%s.%02d", thousands(whole), int(cents-whole*100))
}

// human writes a duration in days and hours, or minutes when short.
func human(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%.1f days", d.Hours()/24)
	case d >= time.Hour:
		return fmt.Sprintf("%.1f h", d.Hours())
	default:
		return fmt.Sprintf("%.0f min", d.Minutes())
	}
}
