package approval_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"breachflow/internal/approval"
	"breachflow/internal/cases"
)

func TestWaitTimeout(t *testing.T) {
	now := t0
	ds := func(hours ...int) []approval.Deadline {
		var out []approval.Deadline
		for _, h := range hours {
			out = append(out, approval.Deadline{ID: "d", DueAt: now.Add(time.Duration(h) * time.Hour)})
		}
		return out
	}
	tests := []struct {
		name   string
		ds     []approval.Deadline
		margin time.Duration
		want   time.Duration
	}{
		{"earliest of several, minus margin", ds(72, 48, 100), 6 * time.Hour, 42 * time.Hour},
		{"already inside the margin", ds(3), 6 * time.Hour, approval.MinWait},
		{"deadline passed", ds(-5), 6 * time.Hour, approval.MinWait},
		{"no deadlines", nil, 6 * time.Hour, approval.NoDeadlineWait},
		{"beyond a year", ds(24 * 400), 0, approval.MaxWait},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := approval.WaitTimeout(tt.ds, now, tt.margin); got != tt.want {
				t.Errorf("WaitTimeout = %v, want %v", got, tt.want)
			}
		})
	}
	if got := approval.WaitTimeoutSeconds(ds(72, 48), now, 6*time.Hour); got != 42*3600 {
		t.Errorf("WaitTimeoutSeconds = %d", got)
	}
}

func TestEscalateOncePerThreshold(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.open(t) // earliest deadline t0+48h; margins 24h and 6h
	sentBefore := len(e.mail.sent)

	steps := []struct {
		at        time.Duration
		escalated int
	}{
		{1 * time.Hour, 0},  // 47h left
		{25 * time.Hour, 1}, // 23h left: the 24h threshold
		{30 * time.Hour, 0}, // 18h: already told
		{43 * time.Hour, 1}, // 5h: the 6h threshold
		{47 * time.Hour, 0},
	}
	for _, s := range steps {
		e.now = t0.Add(s.at)
		out, err := e.svc.Escalate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if out.Escalated != s.escalated {
			t.Errorf("at +%v: escalated %d, want %d", s.at, out.Escalated, s.escalated)
		}
	}
	sent := e.mail.sent[sentBefore:]
	if len(sent) != 2 || sent[0].Destination.ToAddresses[0] != "ciso@corp.example" {
		t.Fatalf("escalation emails: %d", len(sent))
	}
	if subj := aws.ToString(sent[1].Content.Simple.Subject.Data); !strings.Contains(subj, "6h0m0s") {
		t.Errorf("second escalation subject %q", subj)
	}
	st, err := e.svc.CaseState(ctx, "c1")
	if err != nil || len(st.Escalations) != 2 {
		t.Errorf("console state shows %d escalations, %v", len(st.Escalations), err)
	}
}

func TestNoEscalationOnceDecided(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.open(t)
	if _, err := e.svc.Decide(ctx, approval.Decision{CaseID: "c1", Approver: alice, Comment: "wrong regulator"}); err != nil {
		t.Fatal(err)
	}
	e.now = t0.Add(47 * time.Hour)
	if out, err := e.svc.Escalate(ctx); err != nil || out.Checked != 0 {
		t.Errorf("Escalate after rejection = %+v, %v", out, err)
	}
}

func TestCaseHashesReadsTheCaseRecord(t *testing.T) {
	src := approval.CaseHashes(caseGetter(func(_ context.Context, id string) (cases.Case, error) {
		return cases.Case{CaseID: id, ContentHash: "c", RecipientSetHash: "r"}, nil
	}))
	h, err := src(context.Background(), "x")
	if err != nil || h != (approval.Hashes{Content: "c", RecipientSet: "r"}) {
		t.Errorf("CaseHashes = %+v, %v", h, err)
	}
}

type caseGetter func(context.Context, string) (cases.Case, error)

func (f caseGetter) Get(ctx context.Context, id string) (cases.Case, error) { return f(ctx, id) }

// TestEscalationReportsDeadlinesAtRisk checks the metric the template's
// deadline alarm watches: nothing while the deadline is far, a count once
// a pending approval is inside a margin.
func TestEscalationReportsDeadlinesAtRisk(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.open(t) // earliest deadline t0+48h; margins 24h and 6h
	var metrics strings.Builder
	e.svc.Metrics = &metrics
	e.now = t0.Add(time.Hour)
	if _, err := e.svc.Escalate(ctx); err != nil {
		t.Fatal(err)
	}
	if metrics.Len() != 0 {
		t.Fatalf("47h before the deadline: metric %q, want none", metrics.String())
	}
	e.now = t0.Add(30 * time.Hour)
	if _, err := e.svc.Escalate(ctx); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(metrics.String(), `"DeadlinesAtRisk":1`) {
		t.Fatalf("18h before the deadline: metric %q, want DeadlinesAtRisk 1", metrics.String())
	}
}

// dueStages is a fake StageDeadlines: the staged duties due by a time.
type dueStages []approval.StageDeadline

func (d dueStages) DueBy(_ context.Context, until time.Time) ([]approval.StageDeadline, error) {
	var out []approval.StageDeadline
	for _, s := range d {
		if !s.DueAt.After(until) {
			out = append(out, s)
		}
	}
	return out, nil
}

// TestEscalateStagedDuty warns of a staged duty (Japan's final report)
// that comes due before its stage run has started, once per margin, with
// claims of its own: the case's approval escalations do not silence it.
func TestEscalateStagedDuty(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	due := t0.Add(100 * time.Hour)
	e.svc.StageDeadlines = dueStages{{CaseID: "c1", ObligationID: "jp-appi-26-final", Citation: "APPI Art. 26(1); Rule 8(2)", DueAt: due,
		Note: "the last run stopped: FirstFilingNotSent"}}
	sentBefore := len(e.mail.sent)
	for _, s := range []struct {
		before    time.Duration
		escalated int
	}{{30 * time.Hour, 0}, {23 * time.Hour, 1}, {20 * time.Hour, 0}, {5 * time.Hour, 1}, {time.Hour, 0}} {
		e.now = due.Add(-s.before)
		out, err := e.svc.Escalate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if out.Escalated != s.escalated {
			t.Errorf("%v before due: escalated %d, want %d", s.before, out.Escalated, s.escalated)
		}
	}
	sent := e.mail.sent[sentBefore:]
	if len(sent) != 2 {
		t.Fatalf("%d escalation emails, want 2", len(sent))
	}
	body := aws.ToString(sent[0].Content.Simple.Body.Text.Data)
	subj := aws.ToString(sent[0].Content.Simple.Subject.Data)
	if !strings.Contains(subj, "jp-appi-26-final") || !strings.Contains(body, "Rule 8(2)") || !strings.Contains(body, "FirstFilingNotSent") {
		t.Errorf("stage escalation %q:\n%s", subj, body)
	}
	st, err := approval.ReadState(ctx, e.store, e.svc.Config, "c1")
	if err != nil {
		t.Fatal(err)
	}
	stages := 0
	for _, x := range st.Escalations {
		if x.Stage == "jp-appi-26-final" {
			stages++
		}
	}
	if stages != 2 {
		t.Errorf("%d stage escalations recorded, want 2", stages)
	}
}
