//go:build integration

package posting_test

import (
	"context"
	cryptorand "crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"breachflow/internal/casetable"
	"breachflow/internal/draft"
	"breachflow/internal/email"
	"breachflow/internal/local/localtest"
	"breachflow/internal/notice"
	"breachflow/internal/posting"
	"breachflow/internal/report"
	"breachflow/internal/rules"
)

func TestMain(m *testing.M) { os.Exit(localtest.Main(m)) }

const site = "https://notice.example.com"

// kakaoPay is the sample case's report, assessment and drafts.
func kakaoPay(t *testing.T) (*report.Report, rules.Assessment, time.Time, []draft.Draft) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "events", "reports", "kakaopay-alipay.json"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := report.ParseAt(b, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	at := r.Timeline.Aware.Add(24 * time.Hour)
	a, err := rules.Assess(r, nil, at)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := draft.Build(r, a, at)
	if err != nil {
		t.Fatal(err)
	}
	return r, a, at, ds
}

// clock is a settable time source.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// TestPublishRecordsPeriodAndCheckFindsEarlyTakedown publishes the sample
// case's posted notices to the local S3 through the SDK and checks that
// each page is live with the approved bytes, that the period is the
// longest the case's regimes require (PIPA's 30 days here), that the audit
// chain records each page, that publishing again keeps the first posting
// time, and that the check names a page taken down or changed before its
// period ends, and none after.
func TestPublishRecordsPeriodAndCheckFindsEarlyTakedown(t *testing.T) {
	ctx := context.Background()
	db := localtest.DynamoDB(t)
	table := localtest.NewTable(t, db)
	s3c, bucket := localtest.S3(t)
	_, a, _, ds := kakaoPay(t)
	hash := draft.ContentHash(ds)
	clk := &clock{time.Date(2027, 1, 2, 9, 0, 0, 0, time.UTC)}
	log := localtest.Audit(t, table)
	pub := &posting.Publisher{S3: s3c, Store: posting.Store{DB: db, Table: table}, Audit: log, Bucket: bucket, BaseURL: site, Now: clk.now}

	period := posting.PeriodFor(a)
	if period.Days != 30 || period.Basis == nil || period.Basis.Regime != "kr-pipa" || period.Basis.Verification != "V" {
		t.Fatalf("period %+v: want PIPA's 30 days (Decree 39(3)), verified", period)
	}
	pages, err := pub.Publish(ctx, "case-1", hash, ds, period)
	if err != nil {
		t.Fatal(err)
	}
	if want := len(posting.Posted(ds)); len(pages) != want || want == 0 {
		t.Fatalf("published %d pages, want one per posted draft (%d)", len(pages), want)
	}
	byID := map[string]draft.Draft{}
	for _, d := range ds {
		byID[d.ID] = d
	}
	for _, pg := range pages {
		res, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(pg.Key)})
		if err != nil {
			t.Fatalf("page %s is not live: %v", pg.DraftID, err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if string(body) != byID[pg.DraftID].HTML {
			t.Errorf("page %s is not the approved draft", pg.DraftID)
		}
		if sum := sha256.Sum256(body); hex.EncodeToString(sum[:]) != pg.SHA256 {
			t.Errorf("page %s: recorded hash %s is not the served bytes'", pg.DraftID, pg.SHA256)
		}
		if !pg.PostedAt.Equal(clk.t) || !pg.Until.Equal(clk.t.Add(30*24*time.Hour)) {
			t.Errorf("page %s: posted %s until %s, want %s + 30 days", pg.DraftID, pg.PostedAt, pg.Until, clk.t)
		}
		if pg.URL != site+"/notices/case-1/"+pg.DraftID+".html" || pg.VersionID == "" {
			t.Errorf("page %s: url %s version %q", pg.DraftID, pg.URL, pg.VersionID)
		}
	}
	chain, err := log.Verify(ctx, "case-1")
	if err != nil {
		t.Fatal(err)
	}
	published := 0
	for _, e := range chain.Entries {
		if e.Action == posting.ActionPublished {
			published++
			if e.Detail["until"] == "" || e.Detail["posted_at"] == "" || e.Detail["sha256"] == "" {
				t.Errorf("audit entry lacks the page's dates or hash: %v", e.Detail)
			}
		}
	}
	if published != len(pages) {
		t.Errorf("audit chain records %d publications, want %d", published, len(pages))
	}

	// A retried run a day later: the same bytes keep their first posting.
	clk.t = clk.t.Add(24 * time.Hour)
	again, err := pub.Publish(ctx, "case-1", hash, ds, period)
	if err != nil {
		t.Fatal(err)
	}
	for _, pg := range again {
		if !pg.PostedAt.Equal(pages[0].PostedAt) {
			t.Errorf("republishing moved %s's posting to %s", pg.DraftID, pg.PostedAt)
		}
	}
	if c, _ := log.Verify(ctx, "case-1"); len(c.Entries) != len(chain.Entries) {
		t.Errorf("republishing the same pages appended %d audit entries", len(c.Entries)-len(chain.Entries))
	}

	check := posting.Checker{S3: s3c, Store: posting.Store{DB: db, Table: table}, Bucket: bucket}
	if _, probs, err := check.Check(ctx, "case-1", clk.t); err != nil || len(probs) != 0 {
		t.Fatalf("fresh pages: problems %v, err %v", probs, err)
	}
	// Someone takes one page down and edits another, 10 days in.
	gone, edited := pages[0], pages[1]
	if _, err := s3c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(gone.Key)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(edited.Key), Body: strings.NewReader("<p>nothing to see</p>")}); err != nil {
		t.Fatal(err)
	}
	_, probs, err := check.Check(ctx, "case-1", clk.t.Add(9*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]posting.Problem{}
	for _, p := range probs {
		got[p.DraftID] = p
	}
	if p, ok := got[gone.DraftID]; !ok || p.What != "missing" || p.At.IsZero() || !strings.Contains(p.String(), "taken down") {
		t.Errorf("taken-down page: problem %+v (%s)", p, p)
	}
	if p, ok := got[edited.DraftID]; !ok || p.What != "changed" {
		t.Errorf("edited page: problem %+v", p)
	}
	if len(probs) != 2 {
		t.Errorf("problems %v: want exactly the two pages touched", probs)
	}
	// After the period, taking pages down is allowed.
	if _, probs, _ := check.Check(ctx, "case-1", gone.Until.Add(time.Minute)); len(probs) != 0 {
		t.Errorf("after the period: %v", probs)
	}
}

// TestLinksResolveExpireAndCarryNoPersonalData issues a person's link,
// resolves it through the link page over HTTP to their notice in their
// language, and checks that the URL and the stored item hold no personal
// data and no token in the clear, and that the link expires with the
// posting period.
func TestLinksResolveExpireAndCarryNoPersonalData(t *testing.T) {
	ctx := context.Background()
	db := localtest.DynamoDB(t)
	table := localtest.NewTable(t, db)
	s3c, bucket := localtest.S3(t)
	r, a, at, ds := kakaoPay(t)
	clk := &clock{time.Date(2027, 1, 2, 9, 0, 0, 0, time.UTC)}
	links := &posting.Links{DB: db, Table: table, BaseURL: site, Now: clk.now}

	if _, err := links.Link(ctx, "case-2", "u-000042", 3); !errors.Is(err, posting.ErrNotPublished) {
		t.Fatalf("link before the notice is posted: %v, want ErrNotPublished", err)
	}
	pub := &posting.Publisher{S3: s3c, Store: posting.Store{DB: db, Table: table}, Bucket: bucket, BaseURL: site, Now: clk.now}
	if _, err := pub.Publish(ctx, "case-2", draft.ContentHash(ds), ds, posting.PeriodFor(a)); err != nil {
		t.Fatal(err)
	}
	person := casetable.Subject{
		PK: casetable.SubjectPK("case-2", 3), SK: casetable.SubjectSK("u-000042"), CaseID: "case-2", UserID: "u-000042", Shard: 3,
		Name: "김민준", Email: "minjun.kim@example.com", Phone: "+821012345678", Locale: "ko", Jurisdiction: "KR",
		Categories: []string{"name", "phone", "credit_information"}, Status: casetable.StatusPending,
	}
	item, err := attributevalue.MarshalMap(person)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: item}); err != nil {
		t.Fatal(err)
	}

	link, err := links.Link(ctx, "case-2", person.UserID, person.Shard)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^https://notice\.example\.com/n/[A-Za-z0-9_-]{28}$`).MatchString(link) {
		t.Fatalf("link %q: want <site>/n/<28 base64url characters>", link)
	}
	for _, pd := range []string{person.UserID, person.Name, person.Email, person.Phone, "case-2"} {
		if strings.Contains(link, pd) {
			t.Errorf("link %s carries %q", link, pd)
		}
	}
	token := link[strings.LastIndex(link, "/")+1:]
	scan, err := db.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(table)})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, it := range scan.Items {
		var raw map[string]any
		attributevalue.UnmarshalMap(it, &raw)
		for _, v := range raw {
			if s, ok := v.(string); ok && strings.Contains(s, token) {
				t.Errorf("the table stores the token in the clear (%v)", raw["sk"])
			}
		}
		if pk, _ := raw["pk"].(string); strings.HasPrefix(pk, "LINK#") && strings.Contains(fmt.Sprint(raw["links"]), posting.TokenHash(token)) {
			found = true
		}
	}
	if !found {
		t.Error("no link item holding the token's hash")
	}
	if second, _ := links.Link(ctx, "case-2", person.UserID, person.Shard); second == link {
		t.Error("two issues gave the same token")
	}

	set, err := notice.NewNoticeSet(draft.Facts(r, a, at))
	if err != nil {
		t.Fatal(err)
	}
	pages := &posting.LinkPages{Links: links, Notices: func(_ context.Context, caseID, approved string) (email.Renderer, error) {
		if caseID != "case-2" || approved != draft.ContentHash(ds) {
			t.Errorf("notices asked for %s under %s, want the hash the posting was published under", caseID, approved)
		}
		return draft.Renderer(set), nil
	}}
	srv := httptest.NewServer(pages)
	defer srv.Close()
	get := func(path string) (int, string, http.Header) {
		res, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b), res.Header
	}
	code, body, hdr := get(posting.LinkPath + token)
	if code != http.StatusOK || !strings.Contains(body, `lang="ko"`) || !strings.Contains(body, person.Name) {
		t.Fatalf("link page: %d, Korean notice naming the person: %v / %v", code, strings.Contains(body, `lang="ko"`), strings.Contains(body, person.Name))
	}
	if hdr.Get("Cache-Control") != "no-store" || hdr.Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("link page headers: %v", hdr)
	}
	if code, _, _ := get(posting.LinkPath + "AAAAAAAAAAAAAAAAAAAAAAAAAAAA"); code != http.StatusNotFound {
		t.Errorf("unknown token: %d, want 404", code)
	}
	if code, _, _ := get(posting.LinkPath + "../../etc/passwd"); code != http.StatusNotFound {
		t.Errorf("malformed token: %d, want 404", code)
	}

	// An amended case's later version keeps its people under a set of its
	// own (casetable.SetID): a link issued for that set finds them, under
	// the case's posting.
	v2 := person
	v2.PK, v2.CaseID = casetable.SubjectPK(casetable.SetID("case-2", 2), 3), casetable.SetID("case-2", 2)
	item2, err := attributevalue.MarshalMap(v2)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: item2}); err != nil {
		t.Fatal(err)
	}
	link2, err := links.Link(ctx, v2.CaseID, v2.UserID, v2.Shard)
	if err != nil {
		t.Fatalf("link for a later version's set: %v", err)
	}
	if code, body, _ := get(posting.LinkPath + link2[strings.LastIndex(link2, "/")+1:]); code != http.StatusOK || !strings.Contains(body, person.Name) {
		t.Errorf("later version's link page: %d", code)
	}

	// The posting period ends: the link expires with it.
	clk.t = clk.t.Add(30*24*time.Hour + time.Second)
	if _, err := links.Resolve(ctx, token); !errors.Is(err, posting.ErrLinkExpired) {
		t.Errorf("after the period: %v, want ErrLinkExpired", err)
	}
	if code, body, _ := get(posting.LinkPath + token); code != http.StatusGone || strings.Contains(body, person.Name) {
		t.Errorf("expired link page: %d", code)
	}
	if _, err := links.Link(ctx, "case-2", person.UserID, person.Shard); !errors.Is(err, posting.ErrNotPublished) {
		t.Errorf("a link issued after the period: %v, want ErrNotPublished", err)
	}
}

// TestLinkAllIssuesAPageAtOnce issues a page of people's links in one call:
// each resolves to its own person, a token with another's secret in the
// same group resolves to nobody, one item holds the group (hashes only),
// a random source that repeats itself fails loudly, and a group id drawn
// twice is drawn again instead of overwriting the group that has it.
func TestLinkAllIssuesAPageAtOnce(t *testing.T) {
	ctx := context.Background()
	db := localtest.DynamoDB(t)
	table := localtest.NewTable(t, db)
	s3c, bucket := localtest.S3(t)
	_, a, _, ds := kakaoPay(t)
	clk := &clock{time.Date(2027, 1, 2, 9, 0, 0, 0, time.UTC)}
	links := &posting.Links{DB: db, Table: table, BaseURL: site, Now: clk.now}
	set := casetable.SetID("case-3", 2)
	if _, err := links.LinkAll(ctx, set, 4, []string{"u-1"}); !errors.Is(err, posting.ErrNotPublished) {
		t.Fatalf("links before the notice is posted: %v, want ErrNotPublished", err)
	}
	pub := &posting.Publisher{S3: s3c, Store: posting.Store{DB: db, Table: table}, Bucket: bucket, BaseURL: site, Now: clk.now}
	if _, err := pub.Publish(ctx, "case-3", draft.ContentHash(ds), ds, posting.PeriodFor(a)); err != nil {
		t.Fatal(err)
	}
	users := make([]string, 1200) // more than one group holds
	for i := range users {
		users[i] = fmt.Sprintf("u-%06d", i)
	}
	urls, err := links.LinkAll(ctx, set, 4, users)
	if err != nil {
		t.Fatal(err)
	}
	if len(urls) != len(users) {
		t.Fatalf("%d links for %d people", len(urls), len(users))
	}
	tokens := map[string]bool{}
	for i, u := range urls {
		tok := u[strings.LastIndex(u, "/")+1:]
		if !posting.ValidToken(tok) || tokens[tok] {
			t.Fatalf("link %d: token invalid or repeated", i)
		}
		tokens[tok] = true
		if i%97 != 0 && i != len(urls)-1 {
			continue
		}
		k, err := links.Resolve(ctx, tok)
		if err != nil || k.UserID != users[i] || k.CaseID != set || k.Shard != 4 {
			t.Errorf("link %d resolves to %+v, %v; want %s in %s shard 4", i, k, err, users[i], set)
		}
	}
	// Another person's secret under the same group id names nobody.
	first := urls[0][strings.LastIndex(urls[0], "/")+1:]
	forged := first[:7] + strings.Repeat("A", len(first)-7) // group id kept, secret replaced
	if _, err := links.Resolve(ctx, forged); !errors.Is(err, posting.ErrLinkNotFound) {
		t.Errorf("a forged secret in a real group: %v, want ErrLinkNotFound", err)
	}
	scan, err := db.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(table)})
	if err != nil {
		t.Fatal(err)
	}
	groups := 0
	for _, it := range scan.Items {
		var raw map[string]any
		attributevalue.UnmarshalMap(it, &raw)
		if pk, _ := raw["pk"].(string); strings.HasPrefix(pk, "LINK#") {
			groups++
			if s := fmt.Sprint(raw); strings.Contains(s, first) || strings.Contains(s, first[:7]) {
				t.Error("a link group stores a token or its group id in the clear")
			}
		}
	}
	if groups != 2 {
		t.Errorf("%d link items for %d people, want 2 (at most 1000 a group)", groups, len(users))
	}

	// A source that hands out the same bytes: two people would share a
	// link, so issuing fails.
	stuck := &posting.Links{DB: db, Table: table, BaseURL: site, Now: clk.now, Rand: func(b []byte) error { clear(b); return nil }}
	if _, err := stuck.LinkAll(ctx, set, 4, []string{"u-a", "u-b"}); err == nil {
		t.Error("a stuck random source issued links")
	}
	// The same group id twice: the second draw clashes with the stored
	// group and draws again; both people keep their own link.
	draws := 0
	clash := &posting.Links{DB: db, Table: table, BaseURL: site, Now: clk.now, Rand: func(b []byte) error {
		draws++
		if _, err := io.ReadFull(randReader{}, b); err != nil {
			return err
		}
		if draws <= 2 {
			copy(b, "group") // the group id of the first two draws
		}
		return nil
	}}
	one, err := clash.Link(ctx, set, "u-x", 4)
	if err != nil {
		t.Fatal(err)
	}
	two, err := clash.Link(ctx, set, "u-y", 4)
	if err != nil {
		t.Fatalf("a clashing group id: %v, want a fresh draw", err)
	}
	if draws != 3 {
		t.Errorf("%d draws, want 3 (the clash drawn again)", draws)
	}
	for tok, want := range map[string]string{one: "u-x", two: "u-y"} {
		if k, err := links.Resolve(ctx, tok[strings.LastIndex(tok, "/")+1:]); err != nil || k.UserID != want {
			t.Errorf("after a clash: %+v, %v; want %s", k, err, want)
		}
	}
}

// randReader reads crypto/rand.
type randReader struct{}

func (randReader) Read(b []byte) (int, error) { return cryptorand.Read(b) }
