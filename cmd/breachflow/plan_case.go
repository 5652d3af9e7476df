package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"breachflow/internal/assess"
	"breachflow/internal/capacity"
	"breachflow/internal/channelplan"
	"breachflow/internal/draft"
	"breachflow/internal/posting"
	"breachflow/internal/sms"
)

// caseFacts reads what `plan --case` plans from: the case record's people
// per channel plan and per jurisdiction (scoping's counts: no person is
// read), the stored assessment's deadlines and posting period, the
// drafts' posted pages, and when the pages went up if they have.
func caseFacts(ctx context.Context, env *cliEnv, caseID string) (planFacts, error) {
	c, err := env.cases().Get(ctx, caseID)
	if err != nil {
		return planFacts{}, err
	}
	if len(c.Subjects) == 0 {
		return planFacts{}, fmt.Errorf("case %s: %w", caseID, errCaseNotScoped)
	}
	db := env.dynamo()
	a, err := (&assess.Store{DB: db, Table: env.CaseTable}).Get(ctx, caseID)
	if err != nil {
		return planFacts{}, fmt.Errorf("plan case %s: %w", caseID, err)
	}
	f := planFacts{reportID: c.ReportID, caseID: caseID, deadlines: individualDeadlines(a), period: posting.PeriodFor(a),
		byCountry: countriesOf(c.Subjects), channels: map[string]int{}}
	for ch, n := range c.Channels {
		f.channels[ch] = n
	}
	if len(c.Channels) == 0 {
		// Scoped before channel plans: everyone was planned on e-mail.
		f.channels[channelplan.Email] = int(total(f.byCountry))
	}
	f.people = int64(f.channels[channelplan.Email])
	switch ds, _, err := draft.Load(ctx, db, env.CaseTable, caseID); {
	case err == nil:
		f.pages, f.bytes = postedPages(ds)
	case !errors.Is(err, draft.ErrNotFound):
		return planFacts{}, fmt.Errorf("plan case %s: %w", caseID, err)
	}
	switch sum, err := (posting.Store{DB: db, Table: env.CaseTable}).Summary(ctx, caseID); {
	case err == nil:
		f.postedAt = sum.PostedAt
	case !errors.Is(err, posting.ErrNotPublished):
		return planFacts{}, fmt.Errorf("plan case %s: %w", caseID, err)
	}
	return f, nil
}

// fromCase fills in the channels the flags left out from the case
// record's counts: the people each channel reaches first, and as a
// fallback. The record counts channels for the whole case, not per
// country, so SMS and letters are spread over countries in proportion to
// the case's people per jurisdiction, among the countries the channel has
// figures for (countries.json, postal.json); the returned note says so,
// and names the countries left out.
func fromCase(in *channelInputs, f planFacts, smsGiven, postalGiven bool) string {
	n := func(k string) int64 { return int64(f.channels[k]) }
	note := "the case record (people per channel plan)"
	var spreadOver []string
	spread := func(ch string, known func(string) bool) (first, fallback map[string]int64) {
		if n(ch)+n(ch+"_fallback") == 0 {
			return nil, nil
		}
		weights, left := map[string]int64{}, []string{}
		for iso, w := range f.byCountry {
			if known(iso) {
				weights[iso] = w
			} else {
				left = append(left, iso)
			}
		}
		if len(weights) == 0 { // no figures for any: keep the countries, so the plan names them in its error
			weights, left = f.byCountry, nil
		}
		if len(f.byCountry) > 1 {
			s := ch + " over " + strings.Join(sortedKeys(weights), ", ")
			if len(left) > 0 {
				slices.Sort(left)
				s += " (no figures for " + strings.Join(left, ", ") + ": their share is planned with these)"
			}
			spreadOver = append(spreadOver, s)
		}
		return capacity.Apportion(n(ch), weights), capacity.Apportion(n(ch+"_fallback"), weights)
	}
	if !smsGiven {
		in.SMS, in.SMSFallback = spread(channelplan.SMS, func(iso string) bool { _, ok := sms.CountryOf(iso); return ok })
	}
	if !postalGiven {
		in.Postal, in.PostalFallback = spread(channelplan.Postal, func(iso string) bool { _, ok := capacity.PostalCountryOf(iso); return ok })
	}
	in.EmailFallback = n(channelplan.Email + "_fallback")
	in.PostedOnly = n(channelplan.Posted)
	if len(spreadOver) > 0 {
		note += "; spread over countries by the case's people per jurisdiction: " + strings.Join(spreadOver, "; ")
	}
	return note
}

// postedPlan prices the posted notice: its pages (from the drafts, or one
// estimated page), viewed views times (default: once by everyone in
// scope), spread over countries as the people are, for the period; up at
// begin, or when the case's pages went up.
func postedPlan(f planFacts, people, views int64, begin time.Time) (capacity.PostedPlan, error) {
	pages, bytes := f.pages, f.bytes
	if pages == 0 {
		pages, bytes = 1, estimatedPageBytes
	}
	up := begin
	if !f.postedAt.IsZero() {
		up = f.postedAt
	}
	weights := f.byCountry
	if total(weights) == 0 {
		weights = map[string]int64{"": 1} // no country known: the dearest edge region
	}
	if views <= 0 {
		views = max(total(f.byCountry), people)
	}
	return capacity.PlanPosted(capacity.PostedInput{Pages: pages, Bytes: bytes, Views: capacity.Apportion(views, weights), Days: f.period.Days, Up: up},
		capacity.DefaultPostedPrices())
}
