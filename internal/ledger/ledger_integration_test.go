//go:build integration

package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"

	"breachflow/internal/casetable"
	"breachflow/internal/ledger"
	"breachflow/internal/local/localtest"
)

func TestMain(m *testing.M) { os.Exit(localtest.Main(m)) }

func newLedger(t *testing.T, page int) *ledger.Ledger {
	t.Helper()
	db := localtest.DynamoDB(t)
	return &ledger.Ledger{DB: db, Table: localtest.NewTable(t, db), Page: page}
}

func seed(t *testing.T, l *ledger.Ledger, caseID string, subjects map[string]casetable.Status) {
	t.Helper()
	for id, st := range subjects {
		item, err := attributevalue.MarshalMap(casetable.Subject{PK: casetable.SubjectPK(caseID, 0), SK: casetable.SubjectSK(id),
			CaseID: caseID, UserID: id, Email: id + "@example.org", Locale: "ko", Jurisdiction: "KR", Status: st})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := l.DB.(*dynamodb.Client).PutItem(context.Background(), &dynamodb.PutItemInput{TableName: &l.Table, Item: item}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestShardLease: one holder at a time; an expired lease is taken over with
// a larger token, after which the old holder's check fails and its release
// does nothing; a released lease is free at once.
func TestShardLease(t *testing.T) {
	l := newLedger(t, 0)
	ctx := context.Background()
	now := time.Now()
	a, err := l.LeaseShard(ctx, "c1", 3, now, now.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	_, err = l.LeaseShard(ctx, "c1", 3, now.Add(time.Second), now.Add(2*time.Minute))
	var busy *ledger.ShardBusy
	if !errors.As(err, &busy) || !busy.Until.Equal(a.Until) {
		t.Fatalf("second lease while held: %v, want ShardBusy until %s", err, a.Until)
	}
	if _, err := l.LeaseShard(ctx, "c1", 4, now, now.Add(time.Minute)); err != nil {
		t.Errorf("another shard: %v", err)
	}
	if err := l.CheckLease(ctx, a, "u1", now.Add(time.Second)); err != nil {
		t.Errorf("holder's check: %v", err)
	}

	later := now.Add(2 * time.Minute) // a's lease has run out
	b, err := l.LeaseShard(ctx, "c1", 3, later, later.Add(time.Minute))
	if err != nil || b.Token <= a.Token {
		t.Fatalf("takeover after expiry: %+v, %v; want a larger token than %d", b, err, a.Token)
	}
	if err := l.CheckLease(ctx, a, "u2", later); !errors.Is(err, ledger.ErrLeaseLost) {
		t.Errorf("old holder's check: %v, want ErrLeaseLost", err)
	}
	if err := l.ReleaseLease(ctx, a, later); err != nil {
		t.Errorf("old holder's release: %v, want nil (a no-op)", err)
	}
	if _, err := l.LeaseShard(ctx, "c1", 3, later, later.Add(time.Minute)); !errors.As(err, &busy) {
		t.Errorf("the old holder's release freed the new holder's lease: %v", err)
	}
	if err := l.ReleaseLease(ctx, b, later); err != nil {
		t.Fatal(err)
	}
	if _, err := l.LeaseShard(ctx, "c1", 3, later, later.Add(time.Minute)); err != nil {
		t.Errorf("lease after release: %v", err)
	}
}

// TestRenewLease: a renewal moves the lease's end, so a run that keeps
// renewing keeps its shard past its first term; a lease that ran out, or
// was taken over, is never revived by its old holder's renewal.
func TestRenewLease(t *testing.T) {
	l := newLedger(t, 0)
	ctx := context.Background()
	now := time.Now()
	term := 30 * time.Second
	a, err := l.LeaseShard(ctx, "c1", 0, now, now.Add(term))
	if err != nil {
		t.Fatal(err)
	}
	at := now.Add(20 * time.Second)
	renewed, err := l.RenewLease(ctx, a, at, at.Add(term))
	if err != nil {
		t.Fatal(err)
	}
	if renewed.Token != a.Token || !renewed.Until.Equal(time.UnixMilli(at.Add(term).UnixMilli())) {
		t.Errorf("renewed %+v from %+v: want the same token, until %s", renewed, a, at.Add(term))
	}
	// Past the first term but inside the renewed one: still held.
	_, err = l.LeaseShard(ctx, "c1", 0, now.Add(term+time.Second), now.Add(term+time.Minute))
	var busy *ledger.ShardBusy
	if !errors.As(err, &busy) || !busy.Until.Equal(renewed.Until) {
		t.Fatalf("lease after the first term: %v, want ShardBusy until %s", err, renewed.Until)
	}
	if err := l.CheckLease(ctx, renewed, "u1", now.Add(term+time.Second)); err != nil {
		t.Errorf("holder's check after the first term: %v", err)
	}

	// A renewal after the lease ran out fails, and the shard stays free.
	gone := renewed.Until.Add(time.Second)
	if _, err := l.RenewLease(ctx, renewed, gone, gone.Add(term)); !errors.Is(err, ledger.ErrLeaseLost) {
		t.Errorf("renewal after the end: %v, want ErrLeaseLost", err)
	}
	if _, err := l.LeaseShard(ctx, "c1", 0, gone, gone.Add(term)); err != nil {
		t.Fatalf("lease after the renewed one ran out: %v", err)
	}
	// The old holder's renewal cannot touch the new holder's lease, even
	// with a clock that says the new lease is live.
	if _, err := l.RenewLease(ctx, renewed, gone, gone.Add(time.Hour)); !errors.Is(err, ledger.ErrLeaseLost) {
		t.Errorf("old holder's renewal of a taken-over lease: %v, want ErrLeaseLost", err)
	}
	if _, err := l.LeaseShard(ctx, "c1", 0, gone.Add(term+time.Second), gone.Add(time.Hour)); err != nil {
		t.Errorf("the old holder's renewal extended the new lease: %v", err)
	}
}

// TestShardFailures: a failure noted on a shard is read back by shard, with
// addresses masked, leaves a held lease alone, and is cleared when the
// shard is taken again.
func TestShardFailures(t *testing.T) {
	l := newLedger(t, 0)
	ctx := context.Background()
	now := time.Now()
	held, err := l.LeaseShard(ctx, "c1", 5, now, now.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []ledger.ShardFailure{
		{Shard: 5, Error: "wrapError", Cause: "send shard 5: send email: 6 tries: dial tcp 127.0.0.1:8005: connection refused", At: now},
		{Shard: 2, Error: "SendingPaused", Cause: "refused for someone.private@example.org", At: now.Add(time.Second)},
	} {
		if err := l.RecordShardFailure(ctx, "c1", f); err != nil {
			t.Fatal(err)
		}
	}
	got, err := ledger.ShardFailures(ctx, l.DB, l.Table, "c1", 8)
	if err != nil {
		t.Fatal(err)
	}
	want := []ledger.ShardFailure{
		{Shard: 2, Error: "SendingPaused", Cause: "refused for <address>", At: time.UnixMilli(now.Add(time.Second).UnixMilli())},
		{Shard: 5, Error: "wrapError", Cause: "send shard 5: send email: 6 tries: dial tcp 127.0.0.1:8005: connection refused", At: time.UnixMilli(now.UnixMilli())},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("failures (-want +got):\n%s", d)
	}
	// Noting a failure leaves the holder's lease as it was.
	if err := l.CheckLease(ctx, held, "u1", now.Add(time.Second)); err != nil {
		t.Errorf("holder's check after a failure was noted: %v", err)
	}
	if err := l.ReleaseLease(ctx, held, now); err != nil {
		t.Fatal(err)
	}
	// The next run on shard 2 clears its failure; shard 5's stays.
	if _, err := l.LeaseShard(ctx, "c1", 2, now, now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	got, err = ledger.ShardFailures(ctx, l.DB, l.Table, "c1", 8)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Shard != 5 {
		t.Errorf("after shard 2 was taken again: %+v, want shard 5's failure only", got)
	}
}

// TestPagesAndRecords: pages fall at the same places whatever the subjects'
// states; recorded sends drop out of Unsent and show as sent in Walk; an
// SES event on a recorded subject wins over the record; records of a page
// whose cursor is a prefix of another's stay apart.
func TestPagesAndRecords(t *testing.T) {
	l := newLedger(t, 2)
	ctx := context.Background()
	// Key order: a, a#b, a#c, b, c, d.
	seed(t, l, "c1", map[string]casetable.Status{
		"a": casetable.StatusPending, "a#b": casetable.StatusPending, "a#c": casetable.StatusNoContact,
		"b": casetable.StatusPending, "c": casetable.StatusPending, "d": casetable.StatusPending,
	})
	lease, err := l.LeaseShard(ctx, "c1", 0, time.Now(), time.Now().Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	pages := func() [][]string {
		var out [][]string
		for cursor := ""; ; {
			p, err := l.Unsent(ctx, lease, cursor)
			if err != nil {
				t.Fatal(err)
			}
			ids := []string{p.Start}
			for _, s := range p.Subjects {
				ids = append(ids, s.UserID)
			}
			out = append(out, ids)
			if p.Next == "" {
				return out
			}
			cursor = p.Next
		}
	}
	// The last page ends on the last subject, which DynamoDB cannot know
	// without reading on: one empty page follows.
	want := [][]string{{"", "a", "a#b"}, {"a#b", "b"}, {"b", "c", "d"}, {"d"}}
	if diff := cmp.Diff(want, pages()); diff != "" {
		t.Fatalf("pages: cursor then unsent (-want +got):\n%s", diff)
	}

	at := time.Date(2026, 11, 24, 1, 0, 0, 0, time.UTC)
	sends := []ledger.Send{
		{UserID: "a", Page: "", MessageID: "m-a", SentAt: at},
		{UserID: "b", Page: "a#b", MessageID: "m-b", SentAt: at},
		{UserID: "c", Page: "b", MessageID: "m-c", SentAt: at},
	}
	if err := l.RecordSends(ctx, lease, 0, sends); err != nil {
		t.Fatal(err)
	}
	// A record filed under page "a" (a cursor no run of this shard uses)
	// must not leak into page "a#b", whose record prefix starts with it.
	if err := l.RecordSends(ctx, lease, 1, []ledger.Send{{UserID: "a#b", Page: "a", MessageID: "m-stray", SentAt: at}}); err != nil {
		t.Fatal(err)
	}
	want = [][]string{{"", "a#b"}, {"a#b"}, {"b", "d"}, {"d"}}
	if diff := cmp.Diff(want, pages()); diff != "" {
		t.Errorf("pages after the sends (-want +got):\n%s", diff)
	}

	k := ledger.SubjectKey("c1", 0, "c")
	if out, err := l.ApplyEvent(ctx, k, casetable.StatusBounced, "m-c", "bounce:Permanent/General", at.Add(time.Minute)); err != nil || out != ledger.Applied {
		t.Fatalf("bounce: %v %v", out, err)
	}
	got := map[string]string{}
	err = l.Walk(ctx, "c1", 0, func(s *casetable.Subject) error {
		got[s.UserID] = fmt.Sprintf("%s %s %s", s.Status, s.MessageID, s.SentAt)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sent := "sent %s 2026-11-24T01:00:00Z"
	wantWalk := map[string]string{
		"a": fmt.Sprintf(sent, "m-a"), "a#b": "pending  ", "a#c": "no_contact  ",
		"b": fmt.Sprintf(sent, "m-b"), "c": "bounced m-c 2026-11-24T01:00:00Z", "d": "pending  ",
	}
	if diff := cmp.Diff(wantWalk, got); diff != "" {
		t.Errorf("walk (-want +got):\n%s", diff)
	}
	if s, err := l.Person(ctx, "c1", 0, "b"); err != nil || s.Status != casetable.StatusSent || s.MessageID != "m-b" {
		t.Errorf("Person(b) = %+v, %v", s, err)
	}
	if _, err := l.Person(ctx, "c1", 0, "zz"); !errors.Is(err, ledger.ErrNoSubject) {
		t.Errorf("Person(zz): %v, want ErrNoSubject", err)
	}
	if err := l.FailSubject(ctx, k, "invalid_address", at); !errors.Is(err, ledger.ErrNotPending) {
		t.Errorf("FailSubject on a bounced subject: %v, want ErrNotPending", err)
	}
}

// TestRecordSendsRefusesOversizedBatch keeps one write within
// BatchWriteItem's limits.
func TestRecordSendsRefusesOversizedBatch(t *testing.T) {
	l := newLedger(t, 0)
	sends := make([]ledger.Send, ledger.MaxRecordBatch+1)
	for i := range sends {
		sends[i] = ledger.Send{UserID: fmt.Sprint(i), Page: fmt.Sprint(i)}
	}
	err := l.RecordSends(context.Background(), ledger.Lease{CaseID: "c1"}, 0, sends)
	if err == nil {
		t.Fatal("no error for 26 sends")
	}
	var none *types.ResourceNotFoundException
	if errors.As(err, &none) {
		t.Errorf("reached the table: %v", err)
	}
}

// TestPageSizeIsFixedByTheFirstLease: records are filed by page, so a run or
// a reader whose own page size differs must still page the shard as its
// first run did, or it would miss records and send again.
func TestPageSizeIsFixedByTheFirstLease(t *testing.T) {
	first := newLedger(t, 2)
	ctx := context.Background()
	seed(t, first, "c1", map[string]casetable.Status{"a": casetable.StatusPending, "b": casetable.StatusPending, "c": casetable.StatusPending})
	lease, err := first.LeaseShard(ctx, "c1", 0, time.Now(), time.Now().Add(time.Minute))
	if err != nil || lease.PageSize != 2 {
		t.Fatalf("first lease %+v, %v: want page size 2", lease, err)
	}
	p, err := first.Unsent(ctx, lease, "")
	if err != nil || p.Next != "b" {
		t.Fatalf("first page %+v, %v", p, err)
	}
	if err := first.RecordSends(ctx, lease, 0, []ledger.Send{{UserID: "c", Page: "b", MessageID: "m-c", SentAt: time.Now()}}); err != nil {
		t.Fatal(err)
	}
	if err := first.ReleaseLease(ctx, lease, time.Now()); err != nil {
		t.Fatal(err)
	}

	later := &ledger.Ledger{DB: first.DB, Table: first.Table, Page: 3}
	again, err := later.LeaseShard(ctx, "c1", 0, time.Now(), time.Now().Add(time.Minute))
	if err != nil || again.PageSize != 2 {
		t.Fatalf("second lease %+v, %v: want the shard's page size 2, not the ledger's 3", again, err)
	}
	var unsent []string
	for cursor := ""; ; {
		p, err := later.Unsent(ctx, again, cursor)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range p.Subjects {
			unsent = append(unsent, s.UserID)
		}
		if p.Next == "" {
			break
		}
		cursor = p.Next
	}
	if diff := cmp.Diff([]string{"a", "b"}, unsent); diff != "" {
		t.Errorf("unsent under a ledger of another page size (-want +got):\n%s", diff)
	}
	sent := 0
	err = ledger.Walk(ctx, first.DB.(*dynamodb.Client), first.Table, "c1", 0, func(s *casetable.Subject) error {
		if s.Status == casetable.StatusSent {
			sent++
		}
		return nil
	})
	if err != nil || sent != 1 {
		t.Errorf("Walk at the default page size saw %d sent (%v), want 1", sent, err)
	}
}

// TestFilingsLists: a filing claimed and completed lists as sent with its
// message id and time; one claimed and not completed lists as claimed with
// no time; another case's filing does not list.
func TestFilingsLists(t *testing.T) {
	l := newLedger(t, 0)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	sent := ledger.FilingKey("c1", "kr-pipa-34-regulator")
	a, err := l.ClaimFiling(ctx, sent, now, now.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Complete(ctx, sent, a, "msg-1", now); err != nil {
		t.Fatal(err)
	}
	if _, err := l.ClaimFiling(ctx, ledger.FilingKey("c1", "eu-gdpr-33-authority-DE"), now, now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := l.ClaimFiling(ctx, ledger.FilingKey("c2", "sg-pdpa-26d-pdpc"), now, now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	got, err := ledger.Filings(ctx, l.DB, l.Table, "c1")
	if err != nil {
		t.Fatal(err)
	}
	want := []ledger.FilingRecord{
		{ObligationID: "eu-gdpr-33-authority-DE", Status: "claimed"},
		{ObligationID: "kr-pipa-34-regulator", Status: "sent", MessageID: "msg-1", SentAt: now},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("filings (-want +got):\n%s", d)
	}
}

// TestChannelOutcomes: the e-mail stage reads, page by page, each person's
// record on SMS (sent, refused, reported undeliverable) whether or not the
// SMS partition was paged like the e-mail one; a person with no record is
// absent, and a channel never leased costs nothing and reports nobody.
func TestChannelOutcomes(t *testing.T) {
	for _, sizes := range [][2]int{{4, 4}, {4, 3}, {3, 5}, {2, 7}} {
		t.Run(fmt.Sprintf("email page %d, sms page %d", sizes[0], sizes[1]), func(t *testing.T) {
			email := newLedger(t, sizes[0])
			text := &ledger.Ledger{DB: email.DB, Table: email.Table, Page: sizes[1]}
			ctx := context.Background()
			people := map[string]casetable.Status{}
			for i := range 11 {
				people[fmt.Sprintf("u%02d", i)] = casetable.StatusPending
			}
			people["u03"] = casetable.StatusFailed // not pending: e-mail's Unsent leaves them out
			seed(t, email, "c1", people)
			mailLease, err := email.LeaseShard(ctx, "c1", 0, time.Now(), time.Now().Add(time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			outcomes := func() map[string]string {
				got := map[string]string{}
				for cursor := ""; ; {
					p, err := email.Unsent(ctx, mailLease, cursor)
					if err != nil {
						t.Fatal(err)
					}
					out, err := email.ChannelOutcomes(ctx, mailLease, casetable.ChannelSMS, p)
					if err != nil {
						t.Fatal(err)
					}
					for id, c := range out {
						if _, dup := got[id]; dup {
							t.Errorf("%s reported on two pages", id)
						}
						got[id] = fmt.Sprintf("%s reached=%v", c.Failed+c.Receipt.Status, c.Reached())
					}
					if p.Next == "" {
						return got
					}
					cursor = p.Next
				}
			}
			if got := outcomes(); len(got) != 0 {
				t.Fatalf("outcomes before any text: %v", got)
			}

			// Text everyone but u07 and u10, the way the SMS stage pages its
			// partition: u01 refused at send, u05 and u03 reported
			// undeliverable, u02 delivered.
			smsLease, err := text.LeaseChannel(ctx, casetable.ChannelSMS, "c1", 0, time.Now(), time.Now().Add(time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			at := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
			batch := 0
			for cursor := ""; ; {
				p, err := text.Unsent(ctx, smsLease, cursor)
				if err != nil {
					t.Fatal(err)
				}
				var sends []ledger.Send
				for _, s := range p.Subjects {
					switch s.UserID {
					case "u07", "u10":
					case "u01":
						sends = append(sends, ledger.Send{UserID: s.UserID, Page: p.Start, SentAt: at, Failed: "no_sender"})
					default:
						sends = append(sends, ledger.Send{UserID: s.UserID, Page: p.Start, MessageID: "m-" + s.UserID, SentAt: at})
					}
				}
				if len(sends) > 0 {
					if err := text.RecordSends(ctx, smsLease, batch, sends); err != nil {
						t.Fatal(err)
					}
					batch++
				}
				if p.Next == "" {
					break
				}
				cursor = p.Next
			}
			for id, status := range map[string]string{"u05": "undelivered:TEXT_CARRIER_UNREACHABLE", "u03": "undelivered:TEXT_BLOCKED", "u02": "delivered"} {
				if _, err := text.ApplyReceipt(ctx, "c1", 0, casetable.ChannelSMS, ledger.Receipt{UserID: id, MessageID: "m-" + id, Status: status, Final: true, At: at.Add(time.Minute)}); err != nil {
					t.Fatal(err)
				}
			}
			want := map[string]string{
				"u00": " reached=true", "u01": "no_sender reached=false", "u02": "delivered reached=true",
				"u04": " reached=true", "u05": "undelivered:TEXT_CARRIER_UNREACHABLE reached=false",
				"u06": " reached=true", "u08": " reached=true", "u09": " reached=true",
			}
			if diff := cmp.Diff(want, outcomes()); diff != "" {
				t.Errorf("SMS outcomes by e-mail page (-want +got):\n%s", diff)
			}
		})
	}
}
