package main

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"breachflow/internal/capacity"
	"breachflow/internal/rules"
)

func newAssessCmd() *cobra.Command {
	var nowFlag, format, tz string
	cmd := &cobra.Command{
		Use:   "assess REPORT.json [--now TIME] [--format json|table]",
		Short: "Work out every notification duty for a breach report, offline",
		Long: `assess reads a breach report, validates it, and prints every notification
obligation under every regime in the rulebook: who must be told, by when (and
from which clock), with what content, under which citation, and how well the
research behind the rule is verified. It is offline and deterministic; --now
(RFC 3339, default the current time) is used to reject reports with future
dates and to show the time remaining.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			now, err := parseNow(nowFlag)
			if err != nil {
				return err
			}
			if format != "json" && format != "table" {
				return fmt.Errorf("--format: want json or table")
			}
			_, r, err := readReport(args[0], now)
			if err != nil {
				return err
			}
			a, err := rules.Assess(r, nil, now)
			if err != nil {
				return err
			}
			if format == "table" {
				loc, err := time.LoadLocation(tz)
				if err != nil {
					return fmt.Errorf("--tz: unknown time zone %q", tz)
				}
				return writeTable(cmd.OutOrStdout(), a, now, loc)
			}
			enc := json.NewEncoder(cmd.OutOrStdout())
			enc.SetIndent("", "  ")
			return enc.Encode(a)
		},
	}
	cmd.Flags().StringVar(&nowFlag, "now", "", "the current time, RFC 3339 (default: now)")
	cmd.Flags().StringVar(&format, "format", "json", "output format: json or table")
	cmd.Flags().StringVar(&tz, "tz", "UTC", "time zone for due times in the table (IANA name, e.g. Asia/Seoul)")
	return cmd
}

// writeTable prints what a responder needs at 3 a.m.: the duties in due
// order with the time left, then those without a fixed deadline, then what
// is not required and why.
func writeTable(w io.Writer, a rules.Assessment, now time.Time, loc *time.Location) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "Report %s, assessed at %s\n", a.ReportID, now.In(loc).Format(time.RFC3339))
	fmt.Fprintf(tw, "Risk %s\n", a.Risk.Summary)
	for _, f := range a.Risk.Factors {
		fmt.Fprintf(tw, "  %s\n", f)
	}
	fmt.Fprintf(tw, "  (ENISA 2013 input: %s, score %.2f = DPC %g x EI %g + CB %g)\n", a.Risk.ENISA.Level, a.Risk.ENISA.Score, a.Risk.ENISA.DPC, a.Risk.ENISA.EI, a.Risk.ENISA.CB)
	fmt.Fprintln(tw, summary(a, now))
	fmt.Fprintln(tw)
	fmt.Fprintf(tw, "DUE (%s)\tLEFT\tREGIME\tTO\tRECIPIENT\tPEOPLE\tCLOCK\tCHECK\tID\n", loc)
	var notRequired []rules.Obligation
	for _, o := range a.Obligations {
		if !o.Required {
			notRequired = append(notRequired, o)
			continue
		}
		due, left := "no fixed deadline", "-"
		if !o.DueAt.IsZero() {
			due = o.DueAt.In(loc).Format("2006-01-02 15:04")
			left = remaining(o.DueAt.Sub(now))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", due, left, o.Regime, o.RecipientKind, o.RecipientName,
			grouped(o.Subjects), o.Clock, mark(o.Verification), o.ID)
	}
	if len(notRequired) > 0 {
		fmt.Fprintln(tw, "\nNOT REQUIRED\tREGIME\tTO\tWHY")
		for _, o := range notRequired {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", o.ID, o.Regime, o.RecipientKind, o.Rationale)
		}
	}
	for _, j := range a.Unknown {
		fmt.Fprintf(tw, "\n!! %s: people affected but no rules in the rulebook: ask counsel\n", j)
	}
	for _, e := range a.Escalations {
		fmt.Fprintf(tw, "\n!! ESCALATE %s\n", e)
	}
	return tw.Flush()
}

// summary is the one line to read first: how many duties, how many
// overdue, and the next deadline.
func summary(a rules.Assessment, now time.Time) string {
	required, overdue, unverified := 0, 0, 0
	var next *rules.Obligation
	for i, o := range a.Obligations {
		if !o.Required {
			continue
		}
		required++
		if o.Verification == rules.Unverified {
			unverified++
		}
		switch {
		case o.DueAt.IsZero():
		case o.DueAt.Before(now):
			overdue++
		case next == nil:
			next = &a.Obligations[i]
		}
	}
	s := fmt.Sprintf("%d duties required, %d overdue, %d UNVERIFIED", required, overdue, unverified)
	if next != nil {
		s += fmt.Sprintf("; next: %s in %s", next.ID, remaining(next.DueAt.Sub(now)))
	}
	return s
}

func mark(v rules.Verification) string {
	if v == rules.Unverified {
		return "UNVERIFIED"
	}
	return string(v)
}

// remaining renders a duration as "2d 4h" or "OVERDUE 3d 1h".
func remaining(d time.Duration) string {
	if d < 0 {
		return "OVERDUE " + capacity.Span(-d)
	}
	return capacity.Span(d)
}

// grouped writes n with thousands separators.
func grouped(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
