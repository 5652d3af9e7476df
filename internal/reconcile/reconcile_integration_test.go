//go:build integration

package reconcile_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"

	"breachflow/internal/audit"
	"breachflow/internal/cases"
	"breachflow/internal/casetable"
	"breachflow/internal/ledger"
	"breachflow/internal/local/localtest"
	"breachflow/internal/reconcile"
)

func TestMain(m *testing.M) { os.Exit(localtest.Main(m)) }

// newCase stores the Kakao Pay sample report in a fresh table and opens
// its case.
func newCase(t *testing.T) (db *dynamodb.Client, table string, store *cases.Store, caseID string) {
	t.Helper()
	db = localtest.DynamoDB(t)
	table = localtest.NewTable(t, db)
	store = &cases.Store{DB: db, Table: table}
	return db, table, store, localtest.OpenCase(t, store, localtest.SampleReport(t, "kakaopay-alipay.json"))
}

// seedCase writes n[shard] subjects into each shard, statuses in rotation,
// and records through the ledger (under the shard's send lease, as the
// send stage does) a send for every other pending subject. It returns what
// the whole case should count, worked out from what it wrote.
func seedCase(t testing.TB, db *dynamodb.Client, table, caseID string, n []int) map[string]int {
	t.Helper()
	ctx := context.Background()
	led := &ledger.Ledger{DB: db, Table: table}
	want := map[string]int{}
	for shard, size := range n {
		var (
			puts  []types.WriteRequest
			sends []ledger.Send
			pages = map[int]string{0: ""}
		)
		for i := range size {
			user := fmt.Sprintf("s%d-u%05d", shard, i)
			if (i+1)%ledger.DefaultPage == 0 {
				pages[(i+1)/ledger.DefaultPage] = user
			}
			st := statuses[(i+shard)%len(statuses)]
			item, err := attributevalue.MarshalMap(casetable.Subject{
				PK: casetable.SubjectPK(caseID, shard), SK: casetable.SubjectSK(user), CaseID: caseID, UserID: user,
				Shard: shard, Email: user + "@example.org", Locale: "ko", Jurisdiction: "KR", Status: st,
			})
			if err != nil {
				t.Fatal(err)
			}
			puts = append(puts, types.WriteRequest{PutRequest: &types.PutRequest{Item: item}})
			if st == casetable.StatusPending && i%2 == 0 {
				sends = append(sends, ledger.Send{UserID: user, Page: pages[i/ledger.DefaultPage], MessageID: "m-" + user, SentAt: time.Now()})
				want[string(casetable.StatusSent)]++
			} else {
				want[string(st)]++
			}
		}
		for len(puts) > 0 {
			k := min(25, len(puts))
			if _, err := db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{table: puts[:k]}}); err != nil {
				t.Fatal(err)
			}
			puts = puts[k:]
		}
		now := time.Now()
		lease, err := led.LeaseShard(ctx, caseID, shard, now, now.Add(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		for batch := 0; len(sends) > 0; batch++ {
			k := min(ledger.MaxRecordBatch, len(sends))
			if err := led.RecordSends(ctx, lease, batch, sends[:k]); err != nil {
				t.Fatal(err)
			}
			sends = sends[k:]
		}
	}
	return want
}

// TestShardCountsSumToCount runs the stage as the state machine does, each
// handler through Lambda's JSON path: one count per shard, the results as
// the Map's array into the close step. The sum equals reconcile.Count and
// what was written, and the case is closed with the counts in the record
// and the audit log.
func TestShardCountsSumToCount(t *testing.T) {
	ctx := context.Background()
	db, table, store, caseID := newCase(t)
	// Shard 1 spans three pages; shard 3 is empty.
	sizes := []int{40, 2*ledger.DefaultPage + 60, 23, 0}
	want := seedCase(t, db, table, caseID, sizes)
	if want["sent"] == 0 || want["pending"] == 0 {
		t.Fatalf("seed gives %v: want people both with and without a send record", want)
	}

	count := lambda.NewHandler((&reconcile.ShardHandler{DB: db, Table: table}).Handle)
	var shardCounts []json.RawMessage
	for shard := range sizes {
		out, err := count.Invoke(ctx, fmt.Appendf(nil, `{"case_id":%q,"shard":%d}`, caseID, shard))
		if err != nil {
			t.Fatalf("shard %d: %v", shard, err)
		}
		// Invoke's result is valid until the next call: keep a copy.
		shardCounts = append(shardCounts, append(json.RawMessage(nil), out...))
	}
	// The Map returns results in item order; the close step must not care.
	shardCounts[0], shardCounts[2] = shardCounts[2], shardCounts[0]

	whole, err := reconcile.Count(ctx, db, table, caseID, len(sizes))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, whole); diff != "" {
		t.Errorf("reconcile.Count (-written +counted):\n%s", diff)
	}

	in, err := json.Marshal(map[string]any{"case_id": caseID, "shards": len(sizes), "shard_counts": shardCounts})
	if err != nil {
		t.Fatal(err)
	}
	log := localtest.Audit(t, table)
	closeStep := lambda.NewHandler((&reconcile.Handler{Cases: store, Audit: log}).Handle)
	raw, err := closeStep.Invoke(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	var out reconcile.Output
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	people := 0
	for _, n := range want {
		people += n
	}
	wantOut := reconcile.Output{
		CaseID: caseID, People: people, ByStatus: want,
		Fallback:  want["failed"] + want["bounced"] + want["no_contact"],
		Unreached: want["pending"],
		// Subjects without a channel plan (scoped before plans) had
		// e-mail only: a failed e-mail leaves the posted notice.
		ByReach: map[string]int{
			reconcile.ReachEmail:  want["sent"] + want["delivered"] + want["complained"],
			reconcile.ReachPosted: want["failed"] + want["bounced"] + want["no_contact"],
			reconcile.ReachShared: want["duplicate"],
			reconcile.ReachNone:   want["pending"],
		},
		Unaccounted: want["pending"],
	}
	if diff := cmp.Diff(wantOut, out); diff != "" {
		t.Errorf("close output (-want +got):\n%s", diff)
	}

	c, err := store.Get(ctx, caseID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != cases.StatusClosed || !cmp.Equal(c.Delivery, whole) {
		t.Errorf("case status %s, delivery %v; want closed with %v", c.Status, c.Delivery, whole)
	}
	chain, err := log.Verify(ctx, caseID)
	entries := chain.Entries
	if err != nil {
		t.Fatal(err)
	}
	last := entries[len(entries)-1]
	wantDetail := map[string]string{"people": fmt.Sprint(people), "fallback": fmt.Sprint(wantOut.Fallback), "unreached": fmt.Sprint(wantOut.Unreached), "version": "1"}
	for s, n := range want {
		wantDetail["status."+s] = fmt.Sprint(n)
	}
	for r, n := range wantOut.ByReach {
		wantDetail["reach."+r] = fmt.Sprint(n)
	}
	if last.Action != "case.closed" || last.Actor != "reconcile" || !cmp.Equal(last.Detail, wantDetail) {
		t.Errorf("last audit entry %s by %s, detail %v; want case.closed by reconcile with %v", last.Action, last.Actor, last.Detail, wantDetail)
	}
}

// BenchmarkCountShardDynalite counts one shard of 5,000 subjects (10
// pages, every other pending subject sent) in dynalite: a floor for the
// rate, since dynalite does in JavaScript over LevelDB what DynamoDB
// spreads over its fleet. Run with -tags integration.
func BenchmarkCountShardDynalite(b *testing.B) {
	ctx := context.Background()
	db := localtest.DynamoDB(b)
	table := localtest.NewTable(b, db)
	const subjects = 10 * ledger.DefaultPage
	seedCase(b, db, table, "bench", []int{subjects})
	b.ResetTimer()
	for b.Loop() {
		if _, err := reconcile.CountShard(ctx, db, table, "bench", 0); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*subjects)/b.Elapsed().Seconds(), "subjects/s")
}

// TestUnreachedCountsEveryChannel: under a policy that texts first, people
// the text reached stay pending on e-mail for good; the close step counts
// them reached, not unreached, in its output and its audit entry.
func TestUnreachedCountsEveryChannel(t *testing.T) {
	ctx := context.Background()
	_, table, store, caseID := newCase(t)
	counts := []reconcile.ShardCount{{CaseID: caseID, Shard: 0, People: 9,
		ByStatus: map[string]int{"pending": 6, "sent": 3},
		ByReach:  map[string]int{reconcile.ReachSMS: 5, reconcile.ReachEmail: 3, reconcile.ReachNone: 1}}}
	log := localtest.Audit(t, table)
	out, err := (&reconcile.Handler{Cases: store, Audit: log}).Handle(ctx, reconcile.Input{CaseID: caseID, Shards: 1, ShardCounts: counts})
	if err != nil {
		t.Fatal(err)
	}
	if out.Unreached != 1 || out.Unaccounted != 1 {
		t.Errorf("unreached %d, unaccounted %d; want 1 and 1 (five were texted)", out.Unreached, out.Unaccounted)
	}
	chain, err := log.Verify(ctx, caseID)
	if err != nil {
		t.Fatal(err)
	}
	if got := chain.Entries[len(chain.Entries)-1].Detail["unreached"]; got != "1" {
		t.Errorf("the close entry says unreached %s, want 1", got)
	}
}

// TestLateRoundKeepsTheCaseOpen: a count that finds people owed a send asks
// for another round while late rounds are left, recording the counts but
// neither closing the case nor marking the version sent; with none left it
// closes the case as usual and says how many are still owed.
func TestLateRoundKeepsTheCaseOpen(t *testing.T) {
	ctx := context.Background()
	_, table, store, caseID := newCase(t)
	counts := []reconcile.ShardCount{
		{CaseID: caseID, Shard: 0, People: 5, ByStatus: map[string]int{"bounced": 2, "sent": 3},
			ByReach: map[string]int{reconcile.ReachEmail: 3, reconcile.ReachNone: 2}, Late: 2},
		{CaseID: caseID, Shard: 1, People: 1, ByStatus: map[string]int{"sent": 1}, ByReach: map[string]int{reconcile.ReachEmail: 1}},
	}
	log := localtest.Audit(t, table)
	h := &reconcile.Handler{Cases: store, Audit: log}
	last := func() audit.Entry {
		t.Helper()
		chain, err := log.Verify(ctx, caseID)
		if err != nil {
			t.Fatal(err)
		}
		return chain.Entries[len(chain.Entries)-1]
	}

	out, err := h.Handle(ctx, reconcile.Input{CaseID: caseID, Shards: 2, ShardCounts: counts, LateRounds: 1})
	if err != nil {
		t.Fatal(err)
	}
	c, err := store.Get(ctx, caseID)
	if err != nil {
		t.Fatal(err)
	}
	if !out.Again || out.Late != 2 || out.Unreached != 2 {
		t.Errorf("with a late round left: again %v, late %d, unreached %d; want true, 2, 2", out.Again, out.Late, out.Unreached)
	}
	if c.Status == cases.StatusClosed || c.Sent(1) || c.Reach[reconcile.ReachNone] != 2 {
		t.Errorf("case after the count: status %s, sent %v, reach %v; want open, unsent, the counts recorded", c.Status, c.SentVersions, c.Reach)
	}
	if e := last(); e.Action != reconcile.ActionLateRound || e.Detail["late"] != "2" || e.Detail["rounds_left"] != "0" {
		t.Errorf("audit entry %s %v; want %s with late 2, rounds_left 0", e.Action, e.Detail, reconcile.ActionLateRound)
	}

	if out, err = h.Handle(ctx, reconcile.Input{CaseID: caseID, Shards: 2, ShardCounts: counts, LateRounds: 0}); err != nil {
		t.Fatal(err)
	}
	if c, err = store.Get(ctx, caseID); err != nil {
		t.Fatal(err)
	}
	if out.Again || c.Status != cases.StatusClosed || !c.Sent(1) {
		t.Errorf("with no late round left: again %v, status %s, sent %v; want false, closed, sent", out.Again, c.Status, c.SentVersions)
	}
	if e := last(); e.Action != "case.closed" || e.Detail["late"] != "2" {
		t.Errorf("audit entry %s %v; want case.closed with late 2", e.Action, e.Detail)
	}

	bad := slices.Clone(counts)
	bad[1].Late = -1
	if _, err := h.Handle(ctx, reconcile.Input{CaseID: caseID, Shards: 2, ShardCounts: bad}); err == nil || !strings.Contains(err.Error(), "shard_counts[1].late") {
		t.Errorf("a negative late count: %v", err)
	}
}

// TestACloseClearsItsVersionsChanges: failures noted after an earlier
// close are counted by the next close of the same version, which forgets
// them; another version's stay noted.
func TestACloseClearsItsVersionsChanges(t *testing.T) {
	ctx := context.Background()
	_, table, store, caseID := newCase(t)
	if _, err := store.Update(ctx, caseID, func(c *cases.Case) error { c.Status = cases.StatusClosed; return nil }); err != nil {
		t.Fatal(err)
	}
	for _, set := range []string{caseID, casetable.SetID(caseID, 2)} {
		if noted, err := store.NoteChangeAfterClose(ctx, set, 0); err != nil || !noted {
			t.Fatalf("note %s: %v %v", set, noted, err)
		}
	}
	counts := []reconcile.ShardCount{{CaseID: caseID, Shard: 0, People: 1, ByStatus: map[string]int{"sent": 1}, ByReach: map[string]int{reconcile.ReachEmail: 1}}}
	if _, err := (&reconcile.Handler{Cases: store, Audit: localtest.Audit(t, table)}).Handle(ctx, reconcile.Input{CaseID: caseID, Shards: 1, ShardCounts: counts}); err != nil {
		t.Fatal(err)
	}
	c, err := store.Get(ctx, caseID)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{cases.ChangeKey(2, 0)}; !slices.Equal(c.ChangedAfterClose, want) {
		t.Errorf("changed after close %v once version 1 is counted again, want %v", c.ChangedAfterClose, want)
	}
}
