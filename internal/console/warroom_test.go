package console_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"breachflow/internal/console"
)

// warRoom serves a case that is sending: required duties with and without
// a fixed deadline, a long list of duties not required, and a delivery
// source whose counts move with every call (400 more sent each time).
func warRoom(t *testing.T) *httptest.Server {
	t.Helper()
	f := newFixture(t, true)
	now := time.Now().UTC()
	c := sampleCase(now)
	c.Obligations = append(c.Obligations,
		console.Obligation{ID: "kr-pipa-34-individuals", Regime: "KR PIPA", Recipient: "정보주체", Kind: "individuals", Citation: "PIPA art. 34(1)", Required: true, DueAt: now.Add(60 * time.Hour)},
		console.Obligation{ID: "eu-gdpr-34", Regime: "GDPR", Recipient: "data subjects", Kind: "individuals", Citation: "GDPR art. 34", Required: true},
	)
	for i := range 40 {
		c.Obligations = append(c.Obligations, console.Obligation{ID: "us-x-" + string(rune('a'+i%26)), Regime: "US state", Recipient: "AG",
			Citation: "statute", Rationale: "no resident of this state is affected", Required: false})
	}
	c.Timeline = []console.Event{{At: now.Add(-2 * time.Hour), Action: "case.opened", What: "case opened from report 3f2a"}}
	c.Stages = []console.Stage{
		{ID: "jp-appi-26-final", StageOf: "jp-appi-26-preliminary", Recipient: "PPC", Citation: "APPI Art. 26(1); Rule 8(2)", Verification: "V",
			Status: "scheduled", DueAt: now.Add(5 * 24 * time.Hour)},
		{ID: "eu-gdpr-33-4-phase-DE", StageOf: "eu-gdpr-33-authority-DE", Recipient: "BfDI", Citation: "GDPR Art. 33(4)", Verification: "V",
			Status: "waiting", Note: "no date yet: clock not started: timeline.facts_confirmed is not recorded"},
		{ID: "us-nydfs-500-17-extortion-explanation", StageOf: "us-nydfs-500-17-extortion", Recipient: "DFS", Citation: "23 NYCRR 500.17(c)(2)",
			Verification: "S", Status: "scheduled", DueAt: now.Add(20 * 24 * time.Hour)},
	}
	var calls atomic.Int64
	srv := httptest.NewServer(console.New(console.Config{Browse: true}, console.Deps{
		Approval: f.svc, Cases: console.StaticCases{c},
		Delivery: func(context.Context, string) ([]console.Delivery, error) {
			sent := min(int(calls.Add(1))*400, 10_000)
			return []console.Delivery{console.EmailDelivery(map[string]int{
				"sent": sent, "pending": 10_000 - sent, "bounced": 12, "no_contact": 30, "duplicate": 5,
			})}, nil
		},
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestCasePageRequiredFirst: required duties come first, soonest first,
// one with no fixed deadline says so instead of counting to year 1, and the
// forty duties not owed sit collapsed below with their reasons.
func TestCasePageRequiredFirst(t *testing.T) {
	srv := warRoom(t)
	code, page, _ := get(t, srv.URL+"/cases/kp-2024-001")
	if code != 200 {
		t.Fatalf("case page: %d", code)
	}
	req := page[strings.Index(page, `id="required"`):strings.Index(page, `id="not-required"`)]
	order := []string{`data-id="GDPR/sa"`, `data-id="KR-PIPA/regulator"`, `data-id="kr-pipa-34-individuals"`, `data-id="eu-gdpr-34"`}
	last := -1
	for _, id := range order {
		i := strings.Index(req, id)
		if i < 0 || i < last {
			t.Fatalf("required duties out of order (want %v):\n%s", order, req)
		}
		last = i
	}
	if strings.Contains(page, "0001-01-01") || strings.Contains(page, "739") {
		t.Error("a duty without a deadline shows a clock to year 1")
	}
	if !strings.Contains(req, "no fixed deadline") || strings.Contains(req, "us-x-") {
		t.Error("the required table lacks 'no fixed deadline' or holds duties not owed")
	}
	if !strings.Contains(page, "<details id=\"not-required\"><summary>40 duties considered and not required") ||
		!strings.Contains(page, "no resident of this state is affected") {
		t.Error("the duties not owed are not collapsed with their reasons")
	}
	if !strings.Contains(page, `id="timeline"`) || !strings.Contains(page, "case opened from report 3f2a") {
		t.Error("no timeline")
	}
	if !strings.Contains(page, `data-live="/cases/kp-2024-001/delivery"`) {
		t.Error("no live delivery panel")
	}
}

// TestDeliveryEndpoint: counts per channel, and at a measured rate the
// finish time against the individuals' deadlines, with plan's arithmetic.
func TestDeliveryEndpoint(t *testing.T) {
	srv := warRoom(t)
	code, body, hdr := get(t, srv.URL+"/cases/kp-2024-001/delivery?rate=50")
	if code != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "application/json") {
		t.Fatalf("delivery: %d %s", code, hdr.Get("Content-Type"))
	}
	var rep struct {
		Channels []console.Delivery `json:"channels"`
		Rate     float64            `json:"rate"`
		Finish   *time.Time         `json:"finish"`
		Deadline []struct {
			ID  string `json:"id"`
			Met bool   `json:"met"`
		} `json:"deadlines"`
	}
	if err := json.Unmarshal([]byte(body), &rep); err != nil {
		t.Fatal(err)
	}
	d := rep.Channels[0]
	// 10,047 in the ledger, 5 duplicates and 30 with no address: 10,012 to
	// reach; this first call finds 400 sent and 12 bounced.
	if d.ToReach != 10_012 || d.Done != 412 || d.Remaining != 9_600 || d.Fallback != 42 {
		t.Errorf("delivery = %+v", d)
	}
	// 9,600 at 50/s is ~3 minutes: the 60-hour deadline is met. The GDPR
	// duty has no fixed deadline and is not planned against.
	if rep.Finish == nil || time.Until(*rep.Finish) > 4*time.Minute || len(rep.Deadline) != 1 || !rep.Deadline[0].Met ||
		rep.Deadline[0].ID != "kr-pipa-34-individuals" {
		t.Errorf("plan = finish %v, deadlines %+v", rep.Finish, rep.Deadline)
	}
	_, body, _ = get(t, srv.URL+"/cases/kp-2024-001/delivery")
	if !strings.Contains(body, `"finish": null`) || !strings.Contains(body, "not measured yet") {
		t.Errorf("without a rate the plan should say why it has none:\n%s", body)
	}
}

// TestDeliveryNeedsBrowse: behind the public function URL (browse off)
// there is no delivery endpoint.
func TestDeliveryNeedsBrowse(t *testing.T) {
	f := newFixture(t, false)
	if code, _, _ := get(t, f.srv.URL+"/cases/kp-2024-001/delivery"); code != 404 {
		t.Errorf("delivery without browse: %d, want 404", code)
	}
}

// TestDeliveryShowsWhySendingStopped: when shards' send runs failed, the
// case page and the delivery endpoint say which shard, which error and
// why, escaped; a named error is shown by name, a plain one by its text.
func TestDeliveryShowsWhySendingStopped(t *testing.T) {
	f := newFixture(t, true)
	at := time.Date(2026, 11, 24, 3, 4, 0, 0, time.UTC)
	srv := httptest.NewServer(console.New(console.Config{Browse: true}, console.Deps{
		Approval: f.svc, Cases: console.StaticCases{sampleCase(time.Now())},
		Delivery: func(context.Context, string) ([]console.Delivery, error) {
			d := console.EmailDelivery(map[string]int{"sent": 120, "pending": 880})
			d.Stopped = []console.Stop{
				{Shard: 12, Cause: "send shard 12: send email: 6 tries: dial tcp 127.0.0.1:8005: connection refused <b>", At: at},
				{Shard: 40, Error: "SendingPaused", Cause: "SES sending paused (SendingPausedException)", At: at},
			}
			return []console.Delivery{d}, nil
		},
	}))
	t.Cleanup(srv.Close)
	_, page, _ := get(t, srv.URL+"/cases/kp-2024-001")
	for _, want := range []string{
		"Sending stopped on shard 12 at 2026-11-24 03:04 UTC: send shard 12: send email: 6 tries: dial tcp 127.0.0.1:8005: connection refused &lt;b&gt;",
		"Sending stopped on shard 40 at 2026-11-24 03:04 UTC: <strong>SendingPaused</strong>: SES sending paused",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("case page lacks %q", want)
		}
	}
	_, body, _ := get(t, srv.URL+"/cases/kp-2024-001/delivery")
	var rep struct {
		Channels []console.Delivery `json:"channels"`
	}
	if err := json.Unmarshal([]byte(body), &rep); err != nil {
		t.Fatal(err)
	}
	if s := rep.Channels[0].Stopped; len(s) != 2 || s[0].Shard != 12 || s[0].Error != "" || s[1].Error != "SendingPaused" || !s[1].At.Equal(at) {
		t.Errorf("delivery endpoint's stopped shards: %+v", s)
	}
}

// TestCasePageShowsRejection: a rejected case shows the approvers' reason
// and what it waits for.
func TestCasePageShowsRejection(t *testing.T) {
	f := newFixture(t, true)
	now := time.Now().UTC()
	c := sampleCase(now)
	c.Version, c.Latest = 1, 2
	c.Rejection = &console.Rejection{Version: 1, By: "legal-lead@example.com", Reason: "The helpline number is the old one", At: now.Add(-time.Hour)}
	c.WaitingFor = "a revision: an amendment (breachflow amend kp-2024-001 REPORT.json) or a re-draft (breachflow redraft kp-2024-001)"
	srv := httptest.NewServer(console.New(console.Config{Browse: true}, console.Deps{Approval: f.svc, Cases: console.StaticCases{c}}))
	t.Cleanup(srv.Close)
	code, page, _ := get(t, srv.URL+"/cases/kp-2024-001")
	if code != 200 {
		t.Fatalf("case page: %d", code)
	}
	for _, want := range []string{`id="rejection"`, "The helpline number is the old one", `id="waiting"`, "breachflow redraft kp-2024-001", "report version 1 of 2"} {
		if !strings.Contains(page, want) {
			t.Errorf("case page lacks %q", want)
		}
	}
}

// TestEmailDeliveryLeavesCurrentOut: people a later version tells nothing
// (current) are not left to reach.
func TestEmailDeliveryLeavesCurrentOut(t *testing.T) {
	d := console.EmailDelivery(map[string]int{"sent": 10, "current": 90, "duplicate": 2})
	if d.ToReach != 10 || d.Remaining != 0 {
		t.Errorf("to reach %d, remaining %d; want 10 and 0", d.ToReach, d.Remaining)
	}
}

// TestCasePageShowsStagedDuties: the staged duties sit in a section of
// their own, soonest first, with a clock, a warning for the one due within
// a week, "no date yet" for one whose clock has not started, and each
// one's citation and research mark.
func TestCasePageShowsStagedDuties(t *testing.T) {
	srv := warRoom(t)
	_, page, _ := get(t, srv.URL+"/cases/kp-2024-001")
	i := strings.Index(page, `id="staged"`)
	if i < 0 {
		t.Fatal("no staged-duties section")
	}
	sec := page[i : i+strings.Index(page[i:], "</section>")]
	jp, ny, gd := strings.Index(sec, `data-id="jp-appi-26-final"`), strings.Index(sec, `data-id="us-nydfs-500-17-extortion-explanation"`), strings.Index(sec, `data-id="eu-gdpr-33-4-phase-DE"`)
	if jp < 0 || ny < jp || gd < ny {
		t.Errorf("staged duties out of order (soonest first, undated last):\n%s", sec)
	}
	row := sec[jp:ny]
	if !strings.Contains(row, "stage scheduled soon") || !strings.Contains(row, "due soon") || !strings.Contains(row, `class="countdown"`) ||
		!strings.Contains(row, "Rule 8(2)") || !strings.Contains(row, "follows jp-appi-26-preliminary") {
		t.Errorf("the final report due in five days is not shown as due soon with its clock and citation:\n%s", row)
	}
	if strings.Contains(sec[ny:gd], "due soon") {
		t.Error("a duty due in twenty days is flagged as due soon")
	}
	if !strings.Contains(sec[gd:], "no date yet") || !strings.Contains(sec[gd:], "timeline.facts_confirmed") {
		t.Errorf("a waiting duty does not say it has no date and why:\n%s", sec[gd:])
	}
	if !strings.Contains(sec, "[S]") {
		t.Error("the research mark of the NYDFS explanation is not shown")
	}
}
