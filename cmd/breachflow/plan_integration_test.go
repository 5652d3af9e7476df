//go:build integration

package main

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"breachflow/internal/assess"
	"breachflow/internal/capacity"
	"breachflow/internal/draft"
	"breachflow/internal/posting"
)

// TestPlanCase runs `plan --case` against the sample case scoped on the
// local stack: the people per channel come from the case record (what
// scoping counted: e-mail, SMS, letters, their fallbacks and the posted
// notice), the deadlines from the stored assessment, the posted pages
// from the stored drafts; once the approved pages are up, the posted
// notice's row is when they went up.
func TestPlanCase(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	lc := startLocalCase(ctx, t, 400, 17)
	caseID := lc.caseID

	if _, err := runPlan(t, "--case", "no-such-case"); err == nil || !strings.Contains(err.Error(), "no-such-case") {
		t.Errorf("plan --case of an unknown case: %v", err)
	}
	c := lc.awaitApproval(t)
	db := lc.env.dynamo()
	a, err := (&assess.Store{DB: db, Table: lc.env.CaseTable}).Get(ctx, caseID)
	if err != nil {
		t.Fatal(err)
	}
	ds, _, err := draft.Load(ctx, db, lc.env.CaseTable, caseID)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("case %s: channels %v, subjects %v", caseID, c.Channels, c.Subjects)
	if c.Channels["email"] == 0 || c.Channels["sms"]+c.Channels["sms_fallback"] == 0 || c.Channels["postal"]+c.Channels["postal_fallback"] == 0 {
		t.Fatalf("the seeded population does not reach every channel: %v", c.Channels)
	}

	plan := func() planOutput {
		t.Helper()
		raw, err := runPlan(t, "--case", caseID, "--ses-rate", "14", "--json")
		if err != nil {
			t.Fatal(err)
		}
		var p planOutput
		if err := json.Unmarshal([]byte(raw), &p); err != nil {
			t.Fatalf("%v\n%s", err, raw)
		}
		return p
	}
	p := plan()
	people := map[string]int64{}
	for _, r := range p.Channels {
		k := r.Channel
		if r.Fallback {
			k += "_fallback"
		}
		people[k] = r.People
		if len(r.Deadlines) != len(individualDeadlines(a)) || len(r.Deadlines) == 0 {
			t.Errorf("%s: %d verdicts, want one per deadline of the assessment (%d)", k, len(r.Deadlines), len(individualDeadlines(a)))
		}
	}
	people["posted"] = people[capacity.ChannelPosted]
	delete(people, capacity.ChannelPosted)
	var first, inScope int64
	for ch, n := range c.Channels {
		if people[ch] != int64(n) {
			t.Errorf("%s: plan has %d people, the case record %d", ch, people[ch], n)
		}
		if !strings.HasSuffix(ch, "_fallback") {
			first += int64(n)
		}
	}
	for _, n := range c.Subjects {
		inScope += int64(n)
	}
	if first != inScope {
		t.Errorf("first-step counts %d, people in scope %d: every person is first on one channel or the posted notice", first, inScope)
	}
	pages, bytes := postedPages(ds)
	period := posting.PeriodFor(a)
	if p.Posted.Pages != pages || p.Posted.Bytes != bytes || pages == 0 || p.Posted.Days != period.Days || p.Posted.Views != inScope {
		t.Errorf("posted: %d pages, %d bytes, %d days, %d views; want the drafts' %d pages of %d bytes for %d days, viewed by the %d in scope",
			p.Posted.Pages, p.Posted.Bytes, p.Posted.Days, p.Posted.Views, pages, bytes, period.Days, inScope)
	}
	if p.CaseID != caseID || !strings.Contains(p.CountsFrom, "case record") {
		t.Errorf("case %q, counts from %q", p.CaseID, p.CountsFrom)
	}
	text, err := runPlan(t, "--case", caseID)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("plan --case %s:\n%s", caseID, text)
	for _, want := range []string{"Plan for case " + caseID, "People per channel from the case record", "Every channel against every deadline", "sms (fallback)", "posted notice", "must stay up until"} {
		if !strings.Contains(text, want) {
			t.Errorf("plan --case output lacks %q:\n%s", want, text)
		}
	}

	// Approved, the pages go up before any notice: the posted row is then
	// when they did.
	if err := demoApprove(ctx, &strings.Builder{}, lc.env, caseID, lc.report.Approvers); err != nil {
		t.Fatal(err)
	}
	var sum posting.Summary
	waitFor(ctx, t, "the posted notice", func() bool {
		var err error
		sum, err = (posting.Store{DB: db, Table: lc.env.CaseTable}).Summary(ctx, caseID)
		if err != nil && !errors.Is(err, posting.ErrNotPublished) {
			t.Fatal(err)
		}
		return err == nil
	})
	row := p.Channels[len(p.Channels)-1]
	p = plan()
	row = p.Channels[len(p.Channels)-1]
	if row.Channel != capacity.ChannelPosted || !row.Ends.Equal(sum.PostedAt) || !row.Until.Equal(sum.PostedAt.Add(time.Duration(period.Days)*capacity.Day)) {
		t.Errorf("posted row %+v; want up at %v, as recorded", row, sum.PostedAt)
	}
	lc.ended(t)
}
