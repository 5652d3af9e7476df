//go:build integration

package delivery_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/google/go-cmp/cmp"

	"breachflow/internal/casetable"
	"breachflow/internal/delivery"
	"breachflow/internal/email"
	"breachflow/internal/ledger"
	"breachflow/internal/sheet"
)

// TestEveryoneInScopeGetsExactlyOne seeds a case with people in every
// state and checks the mailbox: each pending person with a usable address
// gets exactly one notice, nobody else gets any, and the unreachable land on
// the fallback list. A second run sends nothing.
func TestEveryoneInScopeGetsExactlyOne(t *testing.T) {
	e := newEnv(t, 4)
	var subjects []casetable.Subject
	want := map[string]int{}
	wantFallback := map[string]string{} // user id -> status
	for i := range 150 {
		var s casetable.Subject
		switch {
		case i < 8:
			s = e.subject(i, casetable.StatusNoContact, "")
			wantFallback[s.UserID] = "no_contact"
		case i < 12:
			s = e.subject(i, casetable.StatusDuplicate, e.addr(i))
			s.DuplicateOf = "u0100"
		case i < 15:
			s = e.subject(i, casetable.StatusSent, e.addr(i))
			s.MessageID = "earlier-run"
		case i < 18:
			s = e.subject(i, casetable.StatusPending, "not an address "+e.tok)
			wantFallback[s.UserID] = "failed"
		case i < 20:
			s = e.subject(i, casetable.StatusPending, "reject."+e.addr(i))
			wantFallback[s.UserID] = "failed"
		default:
			s = e.subject(i, casetable.StatusPending, e.addr(i))
			want[s.Email] = 1
		}
		subjects = append(subjects, s)
	}
	e.seed(t, subjects)

	// SES refuses the "reject." addresses as it would a message it will not
	// send; everything else goes to the emulator.
	ses := sendFunc(func(ctx context.Context, in *sesv2.SendEmailInput, opts ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
		if strings.HasPrefix(in.Destination.ToAddresses[0], "reject.") {
			return nil, &sestypes.MessageRejected{Message: aws.String("Email address is not verified.")}
		}
		return e.ses.SendEmail(ctx, in, opts...)
	})
	sum := drain(t, e.pipeline(ses, nil, 8), e)
	if sum.Sent != len(want) || sum.Failed != 5 || sum.Deferred != 0 || sum.LeaseLost != 0 {
		t.Errorf("run: %+v, want %d sent, 5 failed", sum, len(want))
	}
	got, msgs := e.received(t)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mailbox per address (-want +got):\n%s", diff)
	}
	for _, m := range msgs {
		if !strings.HasPrefix(m.Subject, "[개인정보 유출 통지]") || !strings.Contains(m.Body.Text, "님") {
			t.Errorf("message %s: subject %q, text %q", m.MessageID, m.Subject, m.Body.Text)
		}
	}
	// The ledger holds each sent person's message id, the one in the mailbox.
	ids := map[string]string{}
	for _, m := range msgs {
		ids[m.Destination.To[0]] = m.MessageID
	}
	for _, s := range subjects {
		if want[s.Email] == 0 {
			continue
		}
		g := e.get(t, s.UserID)
		if g.Status != casetable.StatusSent || g.MessageID != ids[s.Email] || g.SentAt == "" {
			t.Errorf("%s: status %s, message %q (mailbox %q), sent at %q", s.UserID, g.Status, g.MessageID, ids[s.Email], g.SentAt)
		}
	}

	// Fallback CSV: exactly the unreachable, with the reason and the
	// contact hints substitute notice needs.
	var buf bytes.Buffer
	n, err := e.ledger.ExportFallbackCSV(context.Background(), &buf, e.caseID, 1, e.shards)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	gotFallback := map[string]string{}
	for _, r := range rows[1:] {
		gotFallback[r[0]] = r[3]
		// The phone cell is neutralised for spreadsheets (package sheet);
		// read as data, it is the phone.
		if r[0] == "u0003" && (r[5] != "true" || sheet.Cell(r[7]) != "+821000000003") {
			t.Errorf("u0003 row %v: want has_phone true and the phone", r)
		}
		if r[3] == "failed" && r[4] != "invalid_address" && r[4] != "rejected:MessageRejected" {
			t.Errorf("row %v: unexpected reason", r)
		}
	}
	if diff := cmp.Diff(wantFallback, gotFallback); diff != "" || n != len(wantFallback) {
		t.Errorf("fallback list (%d rows) (-want +got):\n%s", n, diff)
	}

	// Resumability: the stage run again sends to nobody.
	again := drain(t, e.pipeline(ses, nil, 8), e)
	if again.Sent != 0 || again.Failed != 0 {
		t.Errorf("second run: %+v, want nothing sent", again)
	}
	if got2, _ := e.received(t); !cmp.Equal(got, got2) {
		t.Errorf("second run changed the mailbox")
	}
}

// TestCrashMidBatchThenResume kills the "process" after some sends: from
// then on every database call fails (records not yet written are lost, and
// so are the lease's renewals) and SES accepts nothing new, while the sends
// already in flight finish. The crashed run's shard is free one lease term
// after the crash, not at its deadline; a fresh run then completes the
// case: everyone has at least one notice, nobody is lost, and the extra
// messages stay within the stated bound (sends in flight plus one record
// batch).
func TestCrashMidBatchThenResume(t *testing.T) {
	e := newEnv(t, 1)
	const people, workers, crashAfter = 200, 6, 57
	subjects := e.seedPending(t, people)

	var dead atomic.Bool
	var crashedAt atomic.Int64
	var sends atomic.Int64
	ses := sendFunc(func(ctx context.Context, in *sesv2.SendEmailInput, opts ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
		if dead.Load() {
			return nil, errors.New("process crashed")
		}
		out, err := e.ses.SendEmail(ctx, in, opts...)
		if sends.Add(1) == crashAfter {
			crashedAt.Store(time.Now().UnixMilli())
			dead.Store(true) // the process dies right after this send
		}
		// A slow SES keeps every worker's send in flight at the crash: the
		// worst case the bound is about.
		time.Sleep(20 * time.Millisecond)
		return out, err
	})
	crashed := e.pipeline(ses, deadDB{DB: e.db, dead: &dead}, workers)
	// A deadline far off: before leases were renewed, the crashed run held
	// the shard until it.
	_, err := crashed.Run(context.Background(), delivery.Batch{CaseID: e.caseID, Shard: 0, Deadline: time.Now().Add(10 * time.Minute)})
	if err == nil {
		t.Fatal("crashed run returned no error")
	}

	// The next run is told the shard is busy until at most one lease term
	// after the crash, and gets it once that has passed.
	resume := e.pipeline(e.ses, nil, workers)
	term := 3 * resume.SendTimeout // the default LeaseTerm
	res, err := resume.Run(context.Background(), delivery.Batch{CaseID: e.caseID, Shard: 0})
	if err != nil {
		t.Fatal(err)
	}
	if res.Busy == 1 {
		if limit := crashedAt.Load() + term.Milliseconds(); res.BusyUntil > limit {
			t.Fatalf("the crashed run's lease lasts until %s, %s after the crash; want at most the lease term %s",
				time.UnixMilli(res.BusyUntil), time.Duration(res.BusyUntil-crashedAt.Load())*time.Millisecond, term)
		}
		time.Sleep(time.Until(time.UnixMilli(res.BusyUntil)) + 10*time.Millisecond)
	}
	sum := drain(t, resume, e)

	got, _ := e.received(t)
	extra := 0
	for _, s := range subjects {
		switch n := got[s.Email]; {
		case n == 0:
			t.Errorf("%s got no notice", s.UserID)
		case n > 1:
			extra += n - 1
		}
		if g := e.get(t, s.UserID); g.Status != casetable.StatusSent {
			t.Errorf("%s: status %s after resume", s.UserID, g.Status)
		}
	}
	if bound := crashed.DuplicateBound(); extra > bound {
		t.Errorf("%d duplicate notices, bound is %d (workers in flight plus one record batch)", extra, bound)
	}
	t.Logf("crash after %d sends: shard busy until %dms after the crash; resume sent %d, %d duplicates (bound %d)",
		crashAfter, res.BusyUntil-crashedAt.Load(), res.Sent+sum.Sent, extra, crashed.DuplicateBound())
}

// TestRenewalKeepsTheShard runs a paced batch for several lease terms while
// another invocation keeps trying to take the shard: the renewals keep the
// lease the first run's, so the other is told "busy" every time until the
// first gives the lease back, and each person gets one notice.
func TestRenewalKeepsTheShard(t *testing.T) {
	e := newEnv(t, 1)
	subjects := e.seedPending(t, 60)
	p := e.pipeline(e.ses, nil, 2)
	// A lease term of 6 s, renewed every 0.67 s, and about 12 s of sending:
	// two terms. The margins are wide on purpose: on a loaded CI machine a
	// renewal through dynalite can take a good part of a second.
	p.SendTimeout = 2 * time.Second
	p.Pacing.Rate = 5
	done := make(chan delivery.Result, 1)
	go func() {
		res, err := p.Run(context.Background(), delivery.Batch{CaseID: e.caseID, Deadline: time.Now().Add(time.Minute)})
		if err != nil {
			t.Error(err)
		}
		done <- res
	}()
	tries, busy := 0, 0
	var first delivery.Result
poll:
	for {
		select {
		case first = <-done:
			break poll
		case <-time.After(150 * time.Millisecond):
		}
		res, err := e.pipeline(e.ses, nil, 2).Run(context.Background(), delivery.Batch{CaseID: e.caseID, Deadline: time.Now().Add(time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
		tries++
		if res.Busy == 1 {
			busy++
			continue
		}
		if res.Sent > 0 {
			t.Errorf("try %d took the shard from a live, renewing run and sent %d", tries, res.Sent)
		}
	}
	if first.Sent != len(subjects) || first.LeaseLost != 0 || !first.Done {
		t.Errorf("first run %+v: want it to send to everyone, never losing its lease", first)
	}
	if busy < 10 {
		t.Errorf("only %d of %d tries found the shard busy: the run did not outlast several terms", busy, tries)
	}
	got, _ := e.received(t)
	for _, s := range subjects {
		if got[s.Email] != 1 {
			t.Errorf("%s got %d notices, want 1", s.UserID, got[s.Email])
		}
	}
}

// TestThrottlingNeverDropsAnyone answers every third call, and a burst at
// the start, with 429 TooManyRequestsException: the pipeline backs off and
// everyone still gets exactly one notice.
func TestThrottlingNeverDropsAnyone(t *testing.T) {
	e := newEnv(t, 2)
	subjects := e.seedPending(t, 80)
	var calls, throttled atomic.Int64
	ses := sendFunc(func(ctx context.Context, in *sesv2.SendEmailInput, opts ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
		if n := calls.Add(1); n <= 10 || n%3 == 0 {
			throttled.Add(1)
			return nil, &sestypes.TooManyRequestsException{Message: aws.String("Maximum sending rate exceeded.")}
		}
		return e.ses.SendEmail(ctx, in, opts...)
	})
	sum := drain(t, e.pipeline(ses, nil, 4), e)
	got, _ := e.received(t)
	for _, s := range subjects {
		if got[s.Email] != 1 {
			t.Errorf("%s got %d notices, want 1", s.UserID, got[s.Email])
		}
	}
	if sum.Sent != len(subjects) || sum.Failed != 0 {
		t.Errorf("run: %+v", sum)
	}
	t.Logf("%d calls, %d throttled", calls.Load(), throttled.Load())
}

// TestStopErrors checks the named errors the state machine routes on, and
// that a stop gives the shard's lease back: the next run continues at once.
func TestStopErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want error
	}{
		{"daily quota", &sestypes.TooManyRequestsException{Message: aws.String("Daily message quota exceeded.")}, &delivery.DailyQuotaExceeded{}},
		{"sending paused", &sestypes.SendingPausedException{Message: aws.String("Sending is paused for this account.")}, &delivery.SendingPaused{Reason: "SendingPausedException"}},
		{"account suspended", &sestypes.AccountSuspendedException{Message: aws.String("suspended")}, &delivery.SendingPaused{Reason: "AccountSuspendedException"}},
		{"mail from not verified", &sestypes.MailFromDomainNotVerifiedException{Message: aws.String("no")}, &delivery.SendConfigInvalid{Reason: "MailFromDomainNotVerifiedException"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, 1)
			subjects := e.seedPending(t, 40)
			var calls atomic.Int64
			ses := sendFunc(func(ctx context.Context, in *sesv2.SendEmailInput, opts ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
				if calls.Add(1) > 10 {
					return nil, tc.err
				}
				return e.ses.SendEmail(ctx, in, opts...)
			})
			var metrics bytes.Buffer
			p := e.pipeline(ses, nil, 3)
			p.Metrics = &metrics
			res, err := p.Run(context.Background(), delivery.Batch{CaseID: e.caseID})
			if diff := cmp.Diff(tc.want, err); diff != "" {
				t.Fatalf("error (-want +got):\n%s", diff)
			}
			if res.Done || res.Sent != 10 {
				t.Errorf("result %+v: want 10 sent and not done", res)
			}
			if _, paused := tc.want.(*delivery.SendingPaused); paused != strings.Contains(metrics.String(), `"SendingPaused":1`) {
				t.Errorf("alarm metric line = %q", metrics.String())
			}
			sum := drain(t, e.pipeline(e.ses, nil, 3), e) // fails if the shard is still leased
			got, _ := e.received(t)
			for _, s := range subjects {
				if got[s.Email] != 1 {
					t.Errorf("%s got %d notices, want 1", s.UserID, got[s.Email])
				}
			}
			if sum.Sent != 30 {
				t.Errorf("resume sent %d, want 30", sum.Sent)
			}
		})
	}
}

// TestConcurrentRunsShareAShard runs two invocations on the same shard at
// once (a redrive racing a slow child): the shard's lease lets one send and
// tells the other to wait, so each person gets one notice.
func TestConcurrentRunsShareAShard(t *testing.T) {
	e := newEnv(t, 1)
	subjects := e.seedPending(t, 120)
	var wg sync.WaitGroup
	results := make([]delivery.Result, 2)
	for i := range 2 {
		wg.Go(func() {
			res, err := e.pipeline(e.ses, nil, 4).Run(context.Background(), delivery.Batch{CaseID: e.caseID})
			if err != nil {
				t.Error(err)
			}
			results[i] = res
		})
	}
	wg.Wait()
	got, _ := e.received(t)
	for _, s := range subjects {
		if got[s.Email] != 1 {
			t.Errorf("%s got %d notices, want 1", s.UserID, got[s.Email])
		}
	}
	if n := results[0].Sent + results[1].Sent; n != len(subjects) {
		t.Errorf("sent %d + %d, want %d in all", results[0].Sent, results[1].Sent, len(subjects))
	}
	if busy := results[0].Busy + results[1].Busy; busy != 1 {
		t.Errorf("results %+v: want exactly one run told the shard is busy", results)
	}
	for _, r := range results {
		if r.Busy == 1 && (r.Done || r.BusyUntil <= time.Now().UnixMilli()-60_000) {
			t.Errorf("busy result %+v: want not done, with the other lease's end", r)
		}
	}
}

// TestDeadlineStopsAndCursorResumes gives a paced run too little time for
// its shard: it stops claiming before its deadline, hands back a cursor,
// and runs from that cursor finish the shard with one notice each.
func TestDeadlineStopsAndCursorResumes(t *testing.T) {
	e := newEnv(t, 1)
	subjects := e.seedPending(t, 100)
	p := e.pipeline(e.ses, nil, 4)
	p.Pacing.Rate = 50
	first, err := p.Run(context.Background(), delivery.Batch{CaseID: e.caseID, Deadline: time.Now().Add(2*p.SendTimeout + 600*time.Millisecond)})
	if err != nil {
		t.Fatal(err)
	}
	if first.Done || first.Sent == 0 || first.Sent >= len(subjects) || first.NextCursor == "" {
		t.Fatalf("first run %+v: want a partial run with a cursor", first)
	}
	b := delivery.Batch{CaseID: e.caseID, Cursor: first.NextCursor}
	total := first.Sent
	for !first.Done {
		res, err := e.pipeline(e.ses, nil, 4).Run(context.Background(), b)
		if err != nil {
			t.Fatal(err)
		}
		if res.Busy > 0 {
			t.Fatalf("run after the deadline stop: %+v; the stopped run kept its lease", res)
		}
		total += res.Sent
		first.Done, b.Cursor = res.Done, res.NextCursor
	}
	got, _ := e.received(t)
	for _, s := range subjects {
		if got[s.Email] != 1 {
			t.Errorf("%s got %d notices, want 1", s.UserID, got[s.Email])
		}
	}
	t.Logf("first run sent %d before its deadline; %d in all", first.Sent, total)
}

// TestFilingsGoOnceWithAttachment sends two regulator filings as raw MIME:
// the emulator parses them back with the Korean subject, the body and the
// attachment; a second run sends nothing.
func TestFilingsGoOnceWithAttachment(t *testing.T) {
	e := newEnv(t, 1)
	f := &delivery.Filer{Ledger: e.ledger, SES: e.ses, From: "privacy@example.com", Addresses: delivery.FilingAddresses{
		"kr-pipa-34-regulator": "pipc." + e.tok + "@example.go.kr", "금융위원회(FSC)": "fss." + e.tok + "@example.go.kr",
	}}
	filings := []email.Filing{
		{ID: "filing-kr-pipa-34-regulator", ObligationIDs: []string{"kr-pipa-34-regulator"}, Regulator: "개인정보보호위원회(PIPC)", Message: email.Message{
			Subject: "개인정보 유출 신고 (" + e.tok + ")", Text: "유출 신고서 본문", HTML: "<h1>유출 신고서</h1>",
			Attachments: []email.Attachment{{Filename: "신고서.html", ContentType: "text/html; charset=UTF-8", Data: []byte("<h1>유출 신고서</h1>")}},
		}},
		{ID: "filing-kr-ciupa-39-4-regulator", ObligationIDs: []string{"kr-ciupa-39-4-regulator"}, Regulator: "금융위원회(FSC)", Message: email.Message{
			Subject: "신용정보 유출 신고 (" + e.tok + ")", Text: "신용정보 유출 신고서",
			Attachments: []email.Attachment{{Filename: "report.txt", ContentType: "text/plain; charset=UTF-8", Data: []byte("신용정보 유출 신고서")}},
		}},
	}
	res, err := f.SendFilings(context.Background(), e.caseID, filings)
	if err != nil || res.Sent != 2 {
		t.Fatalf("SendFilings = %+v, %v", res, err)
	}
	again, err := f.SendFilings(context.Background(), e.caseID, filings)
	if err != nil || again.Sent != 0 || again.Skipped != 2 {
		t.Fatalf("second SendFilings = %+v, %v; want both skipped", again, err)
	}
	got, msgs := e.received(t)
	if len(got) != 2 || len(msgs) != 2 {
		t.Fatalf("mailbox has %v, want one message to each regulator", got)
	}
	for i, m := range msgs {
		fl := filings[0]
		if strings.HasPrefix(m.Destination.To[0], "fss.") {
			fl = filings[1]
		}
		if m.Subject != fl.Message.Subject || strings.TrimSpace(m.Body.Text) != fl.Message.Text || len(m.Attachments) != 1 {
			t.Errorf("message %d: subject %q text %q, %d attachments", i, m.Subject, m.Body.Text, len(m.Attachments))
		}
		if name := fl.Message.Attachments[0].Filename; !strings.Contains(string(m.Attachments[0]), name) {
			t.Errorf("attachment %s lacks the file name %q", m.Attachments[0][:min(200, len(m.Attachments[0]))], name)
		}
	}
}

// TestPersistentServerErrorsStopWithoutFailingPeople: SES failing with
// server or transport errors stops the run (the state machine retries it)
// and fails nobody: the next run sends to everyone.
func TestPersistentServerErrorsStopWithoutFailingPeople(t *testing.T) {
	e := newEnv(t, 1)
	subjects := e.seedPending(t, 30)
	down := errors.New("dial tcp: connection refused")
	ses := sendFunc(func(context.Context, *sesv2.SendEmailInput, ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
		return nil, down
	})
	for range 6 {
		if _, err := e.pipeline(ses, nil, 3).Run(context.Background(), delivery.Batch{CaseID: e.caseID}); !errors.Is(err, down) {
			t.Fatalf("run against a down SES: %v, want the transport error", err)
		}
	}
	for _, s := range subjects {
		if g := e.get(t, s.UserID); g.Status != casetable.StatusPending || g.MessageID != "" {
			t.Errorf("%s: %s (message %q) after the outage, want pending and unsent", s.UserID, g.Status, g.MessageID)
		}
	}
	drain(t, e.pipeline(e.ses, nil, 3), e)
	got, _ := e.received(t)
	for _, s := range subjects {
		if got[s.Email] != 1 {
			t.Errorf("%s got %d notices, want 1", s.UserID, got[s.Email])
		}
	}
}

// TestTakenOverLeaseStopsTheRun: another run takes the shard's lease while
// this one still works it (as if this one had overrun its deadline). The
// first run stops at its next page with LeaseLost set and no error; what it
// sent is recorded, so the run after the takeover sends to the rest only.
func TestTakenOverLeaseStopsTheRun(t *testing.T) {
	e := newEnv(t, 1)
	subjects := e.seedPending(t, 80)
	later := time.Now().Add(time.Hour) // past the first run's lease
	var calls atomic.Int64
	var thief ledger.Lease
	ses := sendFunc(func(ctx context.Context, in *sesv2.SendEmailInput, opts ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
		if calls.Add(1) == 5 {
			var err error
			if thief, err = e.ledger.LeaseShard(ctx, e.caseID, 0, later, later.Add(time.Minute)); err != nil {
				t.Errorf("take the lease over: %v", err)
			}
		}
		return e.ses.SendEmail(ctx, in, opts...)
	})
	first, err := e.pipeline(ses, nil, 2).Run(context.Background(), delivery.Batch{CaseID: e.caseID, Deadline: time.Now().Add(time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	if first.LeaseLost != 1 || first.Done || first.Sent == 0 || first.Sent >= len(subjects) || first.NextCursor == "" {
		t.Fatalf("first run %+v: want it stopped by the takeover, with a cursor", first)
	}
	if err := e.ledger.ReleaseLease(context.Background(), thief, later); err != nil {
		t.Fatal(err)
	}
	sum := drain(t, e.pipeline(e.ses, nil, 2), e)
	got, _ := e.received(t)
	for _, s := range subjects {
		if got[s.Email] != 1 {
			t.Errorf("%s got %d notices, want 1", s.UserID, got[s.Email])
		}
	}
	if first.Sent+sum.Sent != len(subjects) {
		t.Errorf("sent %d then %d, want %d in all", first.Sent, sum.Sent, len(subjects))
	}
}
