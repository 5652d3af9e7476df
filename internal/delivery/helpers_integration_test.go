//go:build integration

package delivery_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"breachflow/internal/casetable"
	"breachflow/internal/delivery"
	"breachflow/internal/email"
	"breachflow/internal/ledger"
	"breachflow/internal/local/emulators"
	"breachflow/internal/local/localtest"
)

func TestMain(m *testing.M) { os.Exit(localtest.Main(m)) }

// env is one test's table, clients and case.
type env struct {
	db      *dynamodb.Client
	table   string
	ses     *sesv2.Client
	mailbox emulators.Mailbox
	ledger  *ledger.Ledger
	caseID  string
	shards  int
	tok     string // in every address, so the mailbox shows only this test's mail
}

func newEnv(t *testing.T, shards int) *env {
	t.Helper()
	db := localtest.DynamoDB(t)
	ses, mb := localtest.SES(t)
	var b [4]byte
	rand.Read(b[:])
	e := &env{db: db, table: localtest.NewTable(t, db), ses: ses, mailbox: mb, shards: shards, tok: hex.EncodeToString(b[:])}
	e.caseID = "case-" + e.tok
	e.ledger = &ledger.Ledger{DB: db, Table: e.table, Page: testPage}
	return e
}

// testPage is the tests' page size: small, so that runs span many pages.
const testPage = 16

// person is a subject to seed: its status and, for pending ones, the
// address kind.
func (e *env) addr(i int) string { return fmt.Sprintf("p%04d.%s@example.org", i, e.tok) }

func (e *env) subject(i int, status casetable.Status, email string) casetable.Subject {
	uid := fmt.Sprintf("u%04d", i)
	shard := casetable.Shard(uid, e.shards)
	s := casetable.Subject{
		PK: casetable.SubjectPK(e.caseID, shard), SK: casetable.SubjectSK(uid),
		CaseID: e.caseID, UserID: uid, Shard: shard, Name: "고객 " + uid, Email: email,
		Locale: "ko", Jurisdiction: "KR", Categories: []string{"name", "credit_information"}, Status: status,
	}
	if i%3 == 0 {
		s.Phone = fmt.Sprintf("+8210%08d", i)
	}
	return s
}

func (e *env) seed(t *testing.T, subjects []casetable.Subject) {
	t.Helper()
	ctx := context.Background()
	for start := 0; start < len(subjects); start += 25 {
		var reqs []types.WriteRequest
		for _, s := range subjects[start:min(start+25, len(subjects))] {
			item, err := attributevalue.MarshalMap(s)
			if err != nil {
				t.Fatal(err)
			}
			reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: item}})
		}
		for len(reqs) > 0 {
			out, err := e.db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{e.table: reqs}})
			if err != nil {
				t.Fatal(err)
			}
			reqs = out.UnprocessedItems[e.table]
		}
	}
}

// seedPending seeds n pending people with usable addresses.
func (e *env) seedPending(t *testing.T, n int) []casetable.Subject {
	t.Helper()
	subjects := make([]casetable.Subject, n)
	for i := range n {
		subjects[i] = e.subject(i, casetable.StatusPending, e.addr(i))
	}
	e.seed(t, subjects)
	return subjects
}

// get reads one subject back as the ledger reports it (its send record
// folded in).
func (e *env) get(t *testing.T, userID string) casetable.Subject {
	t.Helper()
	s, err := e.ledger.Person(context.Background(), e.caseID, casetable.Shard(userID, e.shards), userID)
	if err != nil {
		t.Fatal(err)
	}
	return *s
}

// received counts this test's messages per recipient address.
func (e *env) received(t *testing.T) (map[string]int, []emulators.Message) {
	t.Helper()
	msgs, err := e.mailbox.Messages(context.Background(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	var mine []emulators.Message
	for _, m := range msgs {
		for _, to := range m.Destination.To {
			if strings.Contains(to, e.tok) {
				got[to]++
				mine = append(mine, m)
			}
		}
	}
	return got, mine
}

// render is a stand-in for the notice package: it uses only ids and the
// person's name, escaped nowhere because the test reads it back as text.
func render(s *casetable.Subject) (email.Message, error) {
	return email.Message{
		Subject: "[개인정보 유출 통지] " + s.CaseID,
		Text:    "안녕하세요 " + s.Name + " 님, 귀하의 정보가 유출되었습니다. (" + s.UserID + ")",
		HTML:    "<p>안녕하세요 " + s.Name + " 님</p>",
	}, nil
}

func (e *env) pipeline(ses delivery.Sender, db ledger.DB, workers int) *delivery.Pipeline {
	if db == nil {
		db = e.db
	}
	return &delivery.Pipeline{
		Ledger:      &ledger.Ledger{DB: db, Table: e.table, Page: testPage},
		SES:         ses,
		Render:      render,
		From:        "privacy@example.com",
		Pacing:      delivery.Pacing{Workers: workers},
		SendTimeout: 2 * time.Second,
		Backoff:     delivery.Backoff{Base: time.Millisecond, Max: 20 * time.Millisecond},
	}
}

// drain runs every shard until it reports done, as the state machine's
// loop does, and sums the results.
func drain(t *testing.T, p *delivery.Pipeline, e *env) delivery.Result {
	t.Helper()
	var sum delivery.Result
	for shard := range e.shards {
		b := delivery.Batch{CaseID: e.caseID, Shard: shard}
		for round := 0; ; round++ {
			if round > 50 {
				t.Fatalf("shard %d not done after 50 rounds", shard)
			}
			res, err := p.Run(context.Background(), b)
			if err != nil {
				t.Fatalf("shard %d: %v", shard, err)
			}
			sum.Sent += res.Sent
			sum.Failed += res.Failed
			sum.Skipped += res.Skipped
			sum.Busy += res.Busy
			sum.Deferred += res.Deferred
			sum.LeaseLost += res.LeaseLost
			if res.Busy > 0 {
				t.Fatalf("shard %d: still leased until %s by an earlier run", shard, time.UnixMilli(res.BusyUntil))
			}
			if res.Done {
				break
			}
			b.Cursor = res.NextCursor
		}
	}
	return sum
}

// sendFunc adapts a function to delivery.Sender, for fault wrappers.
type sendFunc func(ctx context.Context, in *sesv2.SendEmailInput, opts ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)

func (f sendFunc) SendEmail(ctx context.Context, in *sesv2.SendEmailInput, opts ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
	return f(ctx, in, opts...)
}

// deadDB is the ledger's DB with a switch: once dead, every call fails, as
// if the process had died.
type deadDB struct {
	ledger.DB
	dead *atomic.Bool
}

var errDead = fmt.Errorf("process crashed")

func (d deadDB) Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	if d.dead.Load() {
		return nil, errDead
	}
	return d.DB.Query(ctx, in, opts...)
}

func (d deadDB) BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	if d.dead.Load() {
		return nil, errDead
	}
	return d.DB.BatchWriteItem(ctx, in, opts...)
}

func (d deadDB) PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	if d.dead.Load() {
		return nil, errDead
	}
	return d.DB.PutItem(ctx, in, opts...)
}

func (d deadDB) GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	if d.dead.Load() {
		return nil, errDead
	}
	return d.DB.GetItem(ctx, in, opts...)
}

func (d deadDB) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	if d.dead.Load() {
		return nil, errDead
	}
	return d.DB.UpdateItem(ctx, in, opts...)
}
