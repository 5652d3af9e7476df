//go:build integration

package sms_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/pinpointsmsvoicev2"

	"breachflow/internal/casetable"
	"breachflow/internal/delivery"
	"breachflow/internal/ledger"
	"breachflow/internal/local/localsms"
	"breachflow/internal/local/localtest"
	"breachflow/internal/sms"
)

func TestMain(m *testing.M) { os.Exit(localtest.Main(m)) }

// links is the tests' Linker: an opaque token per person, as the posted
// notice's pages will hand out (here random, kept in a map).
type links struct {
	tokens   map[string]string
	unposted bool // the case's notice is not posted: no link for anyone
}

var errNotPosted = errors.New("notice not published")

func (l *links) Link(_ context.Context, caseID, userID string, _ int) (string, error) {
	if strings.HasSuffix(userID, "nolink") {
		return "", sms.ErrNoLink
	}
	if l.unposted {
		return "", errNotPosted
	}
	return "https://notice.example.com/n/" + l.tokens[userID], nil
}

type env struct {
	db     *dynamodb.Client
	table  string
	ledger *ledger.Ledger
	caseID string
	srv    *localsms.Server
	client *pinpointsmsvoicev2.Client
	links  *links
}

func newEnv(t *testing.T, opts localsms.Options) *env {
	t.Helper()
	db := localtest.DynamoDB(t)
	var b [4]byte
	rand.Read(b[:])
	e := &env{db: db, table: localtest.NewTable(t, db), caseID: "case-" + hex.EncodeToString(b[:]), links: &links{tokens: map[string]string{}}}
	e.ledger = &ledger.Ledger{DB: db, Table: e.table, Page: 16}
	opts.Addr = "127.0.0.1:0"
	srv, err := localsms.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	e.srv = srv
	e.client = sms.NewClient(aws.Config{Region: localsms.Region, Credentials: credentials.NewStaticCredentialsProvider("AKIDLOCAL", "secret", "")},
		func(o *pinpointsmsvoicev2.Options) { o.BaseEndpoint = aws.String(srv.Endpoint) })
	return e
}

func (e *env) seed(t *testing.T, subjects []casetable.Subject) {
	t.Helper()
	for start := 0; start < len(subjects); start += 25 {
		var reqs []types.WriteRequest
		for _, s := range subjects[start:min(start+25, len(subjects))] {
			s.PK, s.SK, s.CaseID = casetable.SubjectPK(e.caseID, s.Shard), casetable.SubjectSK(s.UserID), e.caseID
			item, err := attributevalue.MarshalMap(s)
			if err != nil {
				t.Fatal(err)
			}
			reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: item}})
			var b [16]byte
			rand.Read(b[:])
			e.links.tokens[s.UserID] = hex.EncodeToString(b[:])
		}
		for len(reqs) > 0 {
			out, err := e.db.BatchWriteItem(context.Background(), &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{e.table: reqs}})
			if err != nil {
				t.Fatal(err)
			}
			reqs = out.UnprocessedItems[e.table]
		}
	}
}

func (e *env) channel(client sms.Sender) *sms.Channel {
	senders, err := sms.ParseSenders([]string{"KR=0215881234", "JP=Breachflow"})
	if err != nil {
		panic(err)
	}
	return &sms.Channel{Client: client, Senders: senders, Org: "카카오페이", ConfigurationSet: "breachflow", Links: e.links}
}

func (e *env) pipeline(ch delivery.Channel, db ledger.DB, workers int) *delivery.Pipeline {
	if db == nil {
		db = e.db
	}
	return &delivery.Pipeline{
		Ledger: &ledger.Ledger{DB: db, Table: e.table, Page: 16}, Channel: ch,
		Pacing: delivery.Pacing{Workers: workers}, SendTimeout: 2 * time.Second,
		Backoff: delivery.Backoff{Base: time.Millisecond, Max: 20 * time.Millisecond},
	}
}

// outcomes reads every person's SMS record.
func (e *env) outcomes(t *testing.T) map[string]ledger.ChannelSend {
	t.Helper()
	out := map[string]ledger.ChannelSend{}
	if err := e.ledger.ChannelSends(context.Background(), e.caseID, 0, casetable.ChannelSMS, func(c ledger.ChannelSend) error {
		out[c.UserID] = c
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func kr(i int) string { return fmt.Sprintf("+8210%08d", i) }

// TestEveryPhoneGetsOneTextAndBadInputIsRecorded seeds people with every
// kind of phone number: Korean in E.164 and national form, a Japanese one
// (a sender is configured), a US one (none is), malformed ones, an opted-out
// one, none at all, and people whose e-mail already went or bounced. Every
// person with a usable number gets exactly one text; everyone else with a
// number gets a failure record with its reason on the SMS channel (their
// fallback entry) and nobody's e-mail state changes. A second run sends
// nothing.
func TestEveryPhoneGetsOneTextAndBadInputIsRecorded(t *testing.T) {
	e := newEnv(t, localsms.Options{ConfigurationSets: []string{"breachflow"}, OptedOut: []string{kr(7)}})
	want := map[string]string{} // user -> "" (sent) or failure code
	var subjects []casetable.Subject
	add := func(uid, phone, juris string, status casetable.Status, outcome string) {
		subjects = append(subjects, casetable.Subject{UserID: uid, Phone: phone, Locale: "ko", Jurisdiction: juris, Status: status})
		if outcome != "-" {
			want[uid] = outcome
		}
	}
	for i := range 60 {
		st := []casetable.Status{casetable.StatusPending, casetable.StatusSent, casetable.StatusBounced, casetable.StatusNoContact}[i%4]
		phone := kr(1000 + i)
		if i%2 == 1 {
			phone = fmt.Sprintf("010-%04d-%04d", 20+i, i) // national form
		}
		add(fmt.Sprintf("u%03d", i), phone, "KR", st, "")
	}
	add("u100", "+81 90 1234 5678", "JP", casetable.StatusPending, "")
	add("u101", "+1 415 555 0100", "US-CA", casetable.StatusPending, "no_sender")
	add("u102", "010-1234", "KR", casetable.StatusPending, "invalid_number")
	add("u103", "call me", "KR", casetable.StatusNoContact, "invalid_number")
	add("u104", "+999 1234 5678", "KR", casetable.StatusPending, "unknown_country")
	add("u105", kr(7), "KR", casetable.StatusPending, "rejected:ConflictException")
	add("u106", "", "KR", casetable.StatusNoContact, "-")
	add("u107nolink", kr(8), "KR", casetable.StatusPending, "no_link")
	e.seed(t, subjects)

	p := e.pipeline(e.channel(e.client), nil, 4)
	res, err := p.Run(context.Background(), delivery.Batch{CaseID: e.caseID, Shard: 0})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Done || res.Sent != 61 || res.Failed != 6 || res.Skipped != 1 {
		t.Fatalf("result %+v, want 61 sent, 6 failed, 1 skipped, done", res)
	}
	got := e.outcomes(t)
	for uid, code := range want {
		o, ok := got[uid]
		switch {
		case !ok:
			t.Errorf("%s: no SMS record", uid)
		case o.Failed != code:
			t.Errorf("%s: failed %q, want %q", uid, o.Failed, code)
		case code == "" && o.MessageID == "":
			t.Errorf("%s: sent without a message id", uid)
		}
	}
	if _, ok := got["u106"]; ok {
		t.Error("a person without a phone number has an SMS record")
	}
	perNumber := map[string]int{}
	for _, m := range e.srv.Messages() {
		perNumber[m.Destination]++
		if !strings.Contains(m.Body, "https://notice.example.com/n/") || m.Context[sms.ContextCase] != e.caseID || m.Origination == "" {
			t.Errorf("message %+v", m)
		}
	}
	if len(perNumber) != 61 {
		t.Errorf("%d numbers got a text, want 61", len(perNumber))
	}
	for n, c := range perNumber {
		if c != 1 {
			t.Errorf("%s got %d texts", n, c)
		}
	}
	// E-mail's view is untouched: statuses as seeded.
	for _, s := range subjects {
		g, err := e.ledger.Person(context.Background(), e.caseID, 0, s.UserID)
		if err != nil {
			t.Fatal(err)
		}
		if g.Status != s.Status {
			t.Errorf("%s: e-mail status %s, seeded %s", s.UserID, g.Status, s.Status)
		}
	}
	again, err := p.Run(context.Background(), delivery.Batch{CaseID: e.caseID, Shard: 0})
	if err != nil || again.Sent != 0 || again.Failed != 0 || e.srv.Sent() != 61 {
		t.Fatalf("second run: %+v %v, endpoint sent %d", again, err, e.srv.Sent())
	}
}

type sendFunc func(ctx context.Context, in *pinpointsmsvoicev2.SendTextMessageInput, opts ...func(*pinpointsmsvoicev2.Options)) (*pinpointsmsvoicev2.SendTextMessageOutput, error)

func (f sendFunc) SendTextMessage(ctx context.Context, in *pinpointsmsvoicev2.SendTextMessageInput, opts ...func(*pinpointsmsvoicev2.Options)) (*pinpointsmsvoicev2.SendTextMessageOutput, error) {
	return f(ctx, in, opts...)
}

// deadDB fails every call once the "process" died.
type deadDB struct {
	*dynamodb.Client
	dead *atomic.Bool
}

var errDead = errors.New("process crashed")

func (d deadDB) Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	if d.dead.Load() {
		return nil, errDead
	}
	return d.Client.Query(ctx, in, opts...)
}

func (d deadDB) BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	if d.dead.Load() {
		return nil, errDead
	}
	return d.Client.BatchWriteItem(ctx, in, opts...)
}

func (d deadDB) PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	if d.dead.Load() {
		return nil, errDead
	}
	return d.Client.PutItem(ctx, in, opts...)
}

func (d deadDB) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	if d.dead.Load() {
		return nil, errDead
	}
	return d.Client.UpdateItem(ctx, in, opts...)
}

// TestCrashThenResumeWithinTheBound: the process dies after some texts
// (every database call fails from then on, the texts in flight finish);
// once the crashed run's lease has run out a fresh run sends the rest.
// Everyone has a text, and the people texted twice are at most the
// pipeline's DuplicateBound (End User Messaging takes no idempotency key
// either).
func TestCrashThenResumeWithinTheBound(t *testing.T) {
	e := newEnv(t, localsms.Options{ConfigurationSets: []string{"breachflow"}})
	const people, workers, crashAfter = 150, 5, 41
	var subjects []casetable.Subject
	for i := range people {
		subjects = append(subjects, casetable.Subject{UserID: fmt.Sprintf("u%03d", i), Phone: kr(i), Locale: "ko", Jurisdiction: "KR", Status: casetable.StatusPending})
	}
	e.seed(t, subjects)
	var dead atomic.Bool
	var sends atomic.Int64
	client := sendFunc(func(ctx context.Context, in *pinpointsmsvoicev2.SendTextMessageInput, opts ...func(*pinpointsmsvoicev2.Options)) (*pinpointsmsvoicev2.SendTextMessageOutput, error) {
		if dead.Load() {
			return nil, errDead
		}
		out, err := e.client.SendTextMessage(ctx, in, opts...)
		if sends.Add(1) == crashAfter {
			dead.Store(true)
		}
		time.Sleep(15 * time.Millisecond) // keep every worker's send in flight at the crash
		return out, err
	})
	crashed := e.pipeline(e.channel(client), deadDB{Client: e.db, dead: &dead}, workers)
	crashed.LeaseTerm = 3 * crashed.SendTimeout
	if _, err := crashed.Run(context.Background(), delivery.Batch{CaseID: e.caseID, Shard: 0}); err == nil {
		t.Fatal("crashed run returned no error")
	}
	resume := e.pipeline(e.channel(e.client), nil, workers)
	var sent int
	for deadline := time.Now().Add(30 * time.Second); ; {
		res, err := resume.Run(context.Background(), delivery.Batch{CaseID: e.caseID, Shard: 0})
		if err != nil {
			t.Fatal(err)
		}
		sent += res.Sent
		if res.Done {
			break
		}
		if res.Busy == 1 {
			time.Sleep(time.Until(time.UnixMilli(res.BusyUntil)) + 10*time.Millisecond)
		}
		if time.Now().After(deadline) {
			t.Fatal("shard never done")
		}
	}
	perNumber := map[string]int{}
	for _, m := range e.srv.Messages() {
		perNumber[m.Destination]++
	}
	extra := 0
	for i := range people {
		switch n := perNumber[kr(i)]; {
		case n == 0:
			t.Errorf("u%03d got no text", i)
		case n > 1:
			extra += n - 1
		}
	}
	if got := len(e.outcomes(t)); got != people {
		t.Errorf("%d SMS records, want %d", got, people)
	}
	if bound := crashed.DuplicateBound(); extra > bound {
		t.Errorf("%d duplicate texts, bound %d", extra, bound)
	}
	t.Logf("crash after %d texts: resume sent %d, %d duplicates (bound %d)", crashAfter, sent, extra, crashed.DuplicateBound())
}

// TestThrottledTextsAreRetriedNotDropped: an endpoint allowing 40 texts a
// second against an unpaced pipeline throttles many sends; each is retried
// after a backoff and everyone gets one text.
func TestThrottledTextsAreRetriedNotDropped(t *testing.T) {
	e := newEnv(t, localsms.Options{MPS: 40})
	var subjects []casetable.Subject
	for i := range 80 {
		subjects = append(subjects, casetable.Subject{UserID: fmt.Sprintf("u%03d", i), Phone: kr(i), Locale: "en", Jurisdiction: "KR", Status: casetable.StatusPending})
	}
	e.seed(t, subjects)
	ch := e.channel(e.client)
	ch.ConfigurationSet = ""
	p := e.pipeline(ch, nil, 8)
	p.Backoff = delivery.Backoff{Base: 20 * time.Millisecond, Max: 400 * time.Millisecond}
	res, err := p.Run(context.Background(), delivery.Batch{CaseID: e.caseID, Shard: 0})
	if err != nil || !res.Done || res.Sent != 80 || e.srv.Sent() != 80 {
		t.Fatalf("result %+v %v; endpoint sent %d", res, err, e.srv.Sent())
	}
}

// TestStopErrors: a sender identity the account lacks stops the run with
// SendConfigInvalid and fails nobody.
func TestStopErrors(t *testing.T) {
	e := newEnv(t, localsms.Options{Identities: map[string]string{"0299999999": "82"}, ConfigurationSets: []string{"breachflow"}})
	e.seed(t, []casetable.Subject{{UserID: "u1", Phone: kr(1), Locale: "ko", Jurisdiction: "KR", Status: casetable.StatusPending}})
	res, err := e.pipeline(e.channel(e.client), nil, 2).Run(context.Background(), delivery.Batch{CaseID: e.caseID, Shard: 0})
	var conf *delivery.SendConfigInvalid
	if !errors.As(err, &conf) || res.Failed != 0 || res.Done {
		t.Fatalf("result %+v, err %v; want SendConfigInvalid and nobody failed", res, err)
	}
	if len(e.outcomes(t)) != 0 {
		t.Fatal("a stopped run recorded people")
	}
}

// TestReceiptsReachTheLedger: the endpoint reports each text's delivery
// receipt as a configuration set's event destination does; wrapped in an
// SNS record, as the topic delivers it, the smsevents handler files it on
// the SMS channel: delivered for one, undelivered for the unreachable one.
// An older receipt arriving late changes nothing, and the handler's log
// never shows a number.
func TestReceiptsReachTheLedger(t *testing.T) {
	var logs strings.Builder
	var mu sync.Mutex
	closed := &closedCases{}
	h := &sms.ReceiptHandler{Cases: closed, Log: slog.New(slog.NewJSONHandler(&lockedWriter{w: &logs, mu: &mu}, nil))}
	done := make(chan error, 8)
	e := newEnv(t, localsms.Options{ConfigurationSets: []string{"breachflow"}, Unreachable: []string{kr(2)},
		Events: func(ctx context.Context, ev []byte) {
			rec, _ := json.Marshal(map[string]any{"Records": []any{map[string]any{"EventSource": "aws:sns", "Sns": map[string]any{"Message": string(ev)}}}})
			_, err := h.Handle(ctx, rec)
			done <- err
		}})
	h.Ledger = e.ledger
	e.seed(t, []casetable.Subject{
		{UserID: "u1", Phone: kr(1), Locale: "ko", Jurisdiction: "KR", Status: casetable.StatusPending},
		{UserID: "u2", Phone: kr(2), Locale: "ko", Jurisdiction: "KR", Status: casetable.StatusPending},
	})
	if _, err := e.pipeline(e.channel(e.client), nil, 2).Run(context.Background(), delivery.Batch{CaseID: e.caseID, Shard: 0}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("no receipt filed")
		}
	}
	got := e.outcomes(t)
	if r := got["u1"].Receipt; r.Status != "delivered" || !r.Final || r.MessageID != got["u1"].MessageID {
		t.Errorf("u1 receipt %+v (sent %s)", r, got["u1"].MessageID)
	}
	if r := got["u2"].Receipt; r.Status != "undelivered:TEXT_CARRIER_UNREACHABLE" || !r.Final {
		t.Errorf("u2 receipt %+v", r)
	}
	// A pending receipt older than the final one arrives late.
	late := fmt.Sprintf(`{"eventType":"TEXT_PENDING","eventVersion":"1.0","eventTimestamp":%d,"isFinal":false,"messageId":%q,"destinationPhoneNumber":%q,"context":{"case_id":%q,"user_id":"u1","shard":"0"}}`,
		time.Now().Add(-time.Hour).UnixMilli(), got["u1"].MessageID, kr(1), e.caseID)
	sum, err := h.Handle(context.Background(), json.RawMessage(late))
	if err != nil || sum.Stale != 1 {
		t.Fatalf("late receipt: %+v %v", sum, err)
	}
	if r := e.outcomes(t)["u1"].Receipt; r.Status != "delivered" {
		t.Errorf("a late pending receipt regressed u1 to %+v", r)
	}
	// Only the failure is news to a closed case.
	if want := []string{e.caseID + "/0"}; !slices.Equal(closed.notes(), want) {
		t.Errorf("noted to the case: %v, want %v", closed.notes(), want)
	}
	mu.Lock()
	defer mu.Unlock()
	if strings.Contains(logs.String(), "+8210") || strings.Contains(logs.String(), "8210000000") || !strings.Contains(logs.String(), "sms event") {
		t.Errorf("handler log:\n%s", logs.String())
	}
}

type lockedWriter struct {
	w  *strings.Builder
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// TestNoPostedNoticeStopsTheRun: when the case's notice is not posted (the
// links cannot be issued for anyone), the run stops with that error,
// nobody is texted and nobody is failed: the next run, once the notice is
// up, sends to everyone.
func TestNoPostedNoticeStopsTheRun(t *testing.T) {
	e := newEnv(t, localsms.Options{ConfigurationSets: []string{"breachflow"}})
	e.seed(t, []casetable.Subject{
		{UserID: "u1", Phone: kr(1), Locale: "ko", Jurisdiction: "KR", Status: casetable.StatusPending},
		{UserID: "u2", Phone: kr(2), Locale: "ko", Jurisdiction: "KR", Status: casetable.StatusPending},
	})
	e.links.unposted = true
	p := e.pipeline(e.channel(e.client), nil, 2)
	res, err := p.Run(context.Background(), delivery.Batch{CaseID: e.caseID, Shard: 0})
	if !errors.Is(err, errNotPosted) || res.Sent != 0 || res.Failed != 0 || res.Done || e.srv.Sent() != 0 || len(e.outcomes(t)) != 0 {
		t.Fatalf("unposted: %+v %v", res, err)
	}
	e.links.unposted = false
	res, err = p.Run(context.Background(), delivery.Batch{CaseID: e.caseID, Shard: 0, Cursor: res.NextCursor})
	if err != nil || res.Sent != 2 || !res.Done {
		t.Fatalf("after posting: %+v %v", res, err)
	}
}

// closedCases records what a handler notes to the case store
// (sms.Closed), as "set/shard".
type closedCases struct {
	mu    sync.Mutex
	noted []string
}

func (c *closedCases) NoteChangeAfterClose(_ context.Context, set string, shard int) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.noted = append(c.noted, fmt.Sprintf("%s/%d", set, shard))
	return true, nil
}

func (c *closedCases) notes() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.noted)
}
