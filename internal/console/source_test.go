package console_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"breachflow/internal/assess"
	"breachflow/internal/audit"
	"breachflow/internal/breach"
	"breachflow/internal/cases"
	"breachflow/internal/console"
	"breachflow/internal/intake"
	"breachflow/internal/ledger"
	"breachflow/internal/rules"
)

type records map[string]cases.Case

func (r records) List(context.Context) ([]cases.Case, error) {
	var out []cases.Case
	for _, c := range r {
		out = append(out, c)
	}
	return out, nil
}

func (r records) Get(_ context.Context, id string) (cases.Case, error) {
	c, ok := r[id]
	if !ok {
		return cases.Case{}, &cases.NotFoundError{CaseID: id, What: "case record"}
	}
	return c, nil
}

type assessments map[string]rules.Assessment

func (a assessments) Get(_ context.Context, id string) (rules.Assessment, error) {
	x, ok := a[id]
	if !ok {
		return rules.Assessment{}, &assess.NotFoundError{CaseID: id}
	}
	return x, nil
}

// auditEntries is an AuditLister over fixed entries.
type auditEntries []audit.Entry

func (a auditEntries) List(context.Context, string) ([]audit.Entry, error) { return a, nil }

func TestCaseTable(t *testing.T) {
	ctx := context.Background()
	due := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	src := console.CaseTable{
		Records: records{
			"c1": {CaseID: "c1", Title: "t", ContentHash: "recorded", Subjects: map[breach.Jurisdiction]int{"JP": 5, "KR": 90, "DE": 5},
				ChangedAfterClose: []string{cases.ChangeKey(1, 4)}, ChangedAt: due},
			"c2": {CaseID: "c2"},
		},
		Assessments: assessments{"c1": {Obligations: []rules.Obligation{{ID: "kr", RegimeName: "Korea PIPA", RecipientName: "PIPC", Citation: "art. 34", Required: true, DueAt: due}}}},
		Drafts: func(_ context.Context, id string) ([]console.Draft, string, error) {
			return []console.Draft{{ID: "d", Kind: "regulator", Locale: "ko"}}, "drafted-" + id, nil
		},
		Audit: auditEntries{
			{At: due.Add(-50 * time.Hour), Actor: "intake", Action: "case.opened", Detail: map[string]string{"report_sha256": "3f2a9c0d1e2b4a5c"}},
			{At: due.Add(-40 * time.Hour), Actor: "approval", Action: "approval.quorum"},
			{At: due.Add(-20 * time.Hour), Actor: "intake", Action: intake.ActionReopened, Detail: map[string]string{"changed_shards": "2"}},
		},
		Filings: func(context.Context, string) ([]ledger.FilingRecord, error) {
			return []ledger.FilingRecord{
				{ObligationID: "kr", Status: "sent", MessageID: "m-1", SentAt: due.Add(-35 * time.Hour)},
				{ObligationID: "de", Status: "claimed"}, // not sent: not on the timeline
			}, nil
		},
	}
	c, err := src.Case(ctx, "c1")
	if err != nil {
		t.Fatal(err)
	}
	want := console.Case{
		ID: "c1", Title: "t", ContentHash: "drafted-c1", Version: 1, Latest: 1, ChangedShards: 1, ChangedAt: due,
		Affected:    []console.JurisdictionCount{{Jurisdiction: "KR", Count: 90}, {Jurisdiction: "DE", Count: 5}, {Jurisdiction: "JP", Count: 5}},
		Obligations: []console.Obligation{{ID: "kr", Regime: "Korea PIPA", Recipient: "PIPC", Citation: "art. 34", Required: true, DueAt: due}},
		Drafts:      []console.Draft{{ID: "d", Kind: "regulator", Locale: "ko"}},
		Timeline: []console.Event{
			{At: due.Add(-50 * time.Hour), Action: "case.opened", Actor: "intake", What: "case opened from report 3f2a9c0d1e2b"},
			{At: due.Add(-40 * time.Hour), Action: "approval.quorum", Actor: "approval", What: "approval complete: sending may start"},
			{At: due.Add(-35 * time.Hour), Action: "filing.sent", Actor: "send", What: "filing sent for kr (SES message m-1)"},
			{At: due.Add(-20 * time.Hour), Action: intake.ActionReopened, Actor: "intake", What: "case reopened: a send round for what 2 shard(s) of failures filed after the close leave owed"},
		},
	}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("case (-want +got):\n%s", diff)
	}
	if c2, err := src.Case(ctx, "c2"); err != nil || len(c2.Obligations) != 0 {
		t.Errorf("unassessed case: %+v, %v", c2, err)
	}
	if _, err := src.Case(ctx, "nope"); !errors.Is(err, console.ErrNotFound) {
		t.Errorf("unknown case: %v, want ErrNotFound", err)
	}
	list, err := src.Cases(ctx)
	if err != nil || len(list) != 2 {
		t.Errorf("list: %d, %v", len(list), err)
	}
}
