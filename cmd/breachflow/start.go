package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/spf13/cobra"

	"breachflow/internal/breach"
	"breachflow/internal/cases"
	"breachflow/internal/draft"
	"breachflow/internal/notice"
	"breachflow/internal/report"
	"breachflow/internal/rules"
)

func newStartCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "start REPORT.json",
		Short: "Validate a breach report, store it once, and start (or find) its case's execution",
		Long: `start validates the report and lists every problem with its field path.
Before anything is stored or started, a pre-flight runs the same assessment
and content checks as 'draft', offline: a fact the drafts need but the report
lacks (such as delay_reason for a late GDPR filing) is refused up front,
naming the field and the law. A valid report is stored once under its report_id; the execution is named after
the case, so running start again for the same report finds the same case and
execution instead of opening a second one.

In AWS the submitter is who AWS says runs the command (sts:GetCallerIdentity
mapped by $BREACHFLOW_PRINCIPALS), who must be a configured responder
($BREACHFLOW_RESPONDERS); the report's own "submitter" is then not used, so
naming someone else there does not let the real submitter approve. On the
local stack the report's submitter is taken as given, and start says so.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			now := time.Now()
			raw, r, err := readReport(args[0], now)
			if err != nil {
				return err
			}
			if err := preflight(r, now); err != nil {
				return err
			}
			for _, w := range preflightWarnings(r, now) {
				fmt.Fprintf(cmd.ErrOrStderr(), "warning: %s\n", w)
			}
			env, err := loadCLIEnv(ctx)
			if err != nil {
				return err
			}
			id, err := caller(ctx, env, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			submitter := ""
			if id != nil {
				if err := mayStart(id); err != nil {
					return err
				}
				submitter = id.Email
			}
			caseID, created, err := env.cases().PutReportBy(ctx, raw, r, submitter)
			if err != nil {
				return err
			}
			if id != nil && created {
				fmt.Fprintf(cmd.OutOrStdout(), "submitted by %s (AWS authenticated %s)\n", id.Email, id.ARN)
			}
			smArn, err := env.stateMachine(ctx)
			if err != nil {
				return err
			}
			input, _ := json.Marshal(map[string]string{"case_id": caseID})
			out, err := env.sfn().StartExecution(ctx, &sfn.StartExecutionInput{
				StateMachineArn: aws.String(smArn),
				Name:            aws.String(cases.ExecutionName(caseID)),
				Input:           aws.String(string(input)),
			})
			var exists *sfntypes.ExecutionAlreadyExists
			switch {
			case errors.As(err, &exists):
				fmt.Fprintf(cmd.OutOrStdout(), "case %s already has an execution (%s); see `breachflow status %s`\n", caseID, cases.ExecutionName(caseID), caseID)
				return nil
			case err != nil:
				return fmt.Errorf("start execution for case %s: %w", caseID, err)
			}
			verb := "opened"
			if !created {
				verb = "found (report already stored)"
			}
			fmt.Fprintf(cmd.OutOrStdout(), "case %s %s\nexecution %s\n", caseID, verb, aws.ToString(out.ExecutionArn))
			return nil
		},
	}
}

// reportFieldOf names the report field that supplies a content element the
// report itself must state; elements not listed come from the rulebook or
// the drafting templates.
var reportFieldOf = map[breach.Element]string{
	breach.ElementDelayReason: "delay_reason",
}

// preflight drafts the report's documents offline, as 'draft' does, so a
// run cannot fail halfway in DraftDocuments on a fact the report lacks.
// Nothing is stored or started when it fails.
func preflight(r *report.Report, now time.Time) error {
	if err := draftsFor(r, nil, now); err != nil {
		if m, ok := errors.AsType[*notice.MissingContentElement](err); ok && reportFieldOf[m.Element] != "" {
			return fmt.Errorf("pre-flight (nothing stored, nothing started): the report needs %q for %s (%s, obligation %s); add it and start again",
				reportFieldOf[m.Element], m.Citation, m.Regime, m.ObligationID)
		}
		return fmt.Errorf("pre-flight (nothing stored, nothing started): %w", err)
	}
	return nil
}

func draftsFor(r *report.Report, counts map[breach.Jurisdiction]int, now time.Time) error {
	a, err := rules.Assess(r, counts, now)
	if err != nil {
		return err
	}
	_, err = draft.Build(r, a, now)
	return err
}

// preflightWarnings looks past the report's own subject_counts: scoping may
// find people in jurisdictions the report does not name (the sample names
// only Korea; its user table also holds EU residents). For each regime that
// follows residence, it drafts as if one person of the regime's first
// jurisdiction were affected too, and reports every fact the report would
// then lack. These are warnings, since scoping may find nobody there.
func preflightWarnings(r *report.Report, now time.Time) []string {
	rgs, err := rules.Regimes()
	if err != nil {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for _, rg := range rgs {
		if len(rg.Jurisdictions) == 0 || rg.Follows == "organisation" {
			continue
		}
		j := rg.Jurisdictions[0]
		if j == "EU" {
			j = "DE" // any member state stands for the Union here
		}
		if _, named := r.SubjectCounts[breach.Jurisdiction(j)]; named {
			continue
		}
		counts := map[breach.Jurisdiction]int{breach.Jurisdiction(j): 1}
		for k, v := range r.SubjectCounts {
			counts[k] = v
		}
		m, ok := errors.AsType[*notice.MissingContentElement](draftsFor(r, counts, now))
		if !ok || reportFieldOf[m.Element] == "" || seen[m.Regime+string(m.Element)] {
			continue
		}
		seen[m.Regime+string(m.Element)] = true
		out = append(out, fmt.Sprintf("if scoping finds people in %s, the drafts will need %q for %s (%s); the run would stop in DraftDocuments",
			j, reportFieldOf[m.Element], m.Citation, m.Regime))
	}
	return out
}
