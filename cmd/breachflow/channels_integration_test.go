//go:build integration

package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"breachflow/internal/casetable"
	"breachflow/internal/delivery"
	"breachflow/internal/evidence"
	"breachflow/internal/functions"
	"breachflow/internal/ledger"
	"breachflow/internal/local/emulators"
	"breachflow/internal/posting"
	"breachflow/internal/reconcile"
	"breachflow/internal/sms"
	"breachflow/internal/usertable"
)

// Kinds of people in the channel test's population, by what the user
// table holds for them.
const (
	kindEmail  = "email-only"
	kindPhone  = "phone-only"
	kindBoth   = "both"
	kindPostal = "postal-only"
	kindNone   = "no-contact"
)

// channelPerson is one seeded person and what the test expects for them.
type channelPerson struct {
	usertable.User
	kind   string
	postal string
	// texted says a sender is configured for the person's country.
	senderless bool
}

// smsSenders are the local run's SMS senders: Korea and the US only, so
// phones elsewhere meet "no sender for the country" and fall back.
const smsSenders = "KR=0215881234,US=+18885550100"

// channelPopulation is the seeded population: the same number of each
// kind, every one of them in the demo report's scope.
func channelPopulation(n int) []channelPerson {
	return population(n, []string{kindEmail, kindPhone, kindBoth, kindPostal, kindNone}, func(p channelPerson) bool {
		return p.kind != kindBoth || !p.senderless // the bounced one must be textable; keep them all so
	})
}

// population is n people of the demo report's scope, the same number of
// each of kinds in turn, drawn from the generated users that have both an
// e-mail address of their own and a phone, that fits accepts: each keeps
// only the contacts of its kind.
func population(n int, kinds []string, fits func(channelPerson) bool) []channelPerson {
	var out []channelPerson
	for i := 0; len(out) < n; i++ {
		u := usertable.Generate(11, i)
		if u.Email == "" || u.Phone == "" || strings.TrimSpace(u.Email) != u.Email {
			continue // no address or phone to take away, or an address another user shares
		}
		u.PaymentService, u.OverseasTransfer = "kakaopay", true
		u.Postal = ""
		p := channelPerson{User: u, kind: kinds[len(out)%len(kinds)]}
		p.senderless = u.Country != "KR" && u.Country != "US"
		if !fits(p) {
			continue
		}
		switch p.kind {
		case kindEmail:
			p.Phone = ""
		case kindPhone, kindPhoneSenderless:
			p.Email = ""
		case kindPostal:
			p.Email, p.Phone = "", ""
			p.postal = "Examplestraat " + strconv.Itoa(i) + "\n1000 Sample City\n" + u.Country
			p.Postal = p.postal
		case kindNone:
			p.Email, p.Phone = "", ""
		}
		out = append(out, p)
	}
	return out
}

func (p channelPerson) item() map[string]ddbtypes.AttributeValue {
	return p.User.Item()
}

// startChannelCase starts a stack with the SMS channel on (smsSenders),
// writes people into its user table, and starts the case of report raw
// with the channel policy order (default: e-mail, then SMS, then post); it
// returns the case (its execution in lc.arn) and the stack's logs.
func startChannelCase(ctx context.Context, t *testing.T, people []channelPerson, raw []byte, order ...string) (*localCase, *syncBuffer) {
	t.Helper()
	envFile := writeEnvVars(t, `{"Parameters": {"SMS_SENDERS": "`+smsSenders+`", "SMS_MAX_SEND_RATE": "50", "SMS_ORGANISATION": "Example Pay", "SMS_CONFIGURATION_SET": "breachflow-sms"}}`)
	lc, logs := startLocalStack(ctx, t, localOptions{template: "../../template.yaml", envVars: envFile})
	db := lc.env.dynamo()
	for _, p := range people {
		if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(lc.up.userTable), Item: p.item()}); err != nil {
			t.Fatal(err)
		}
	}
	if len(order) == 0 {
		order = []string{"email", "sms", "postal"}
	}
	lc.startCase(t, editReport(t, raw, func(doc map[string]any) {
		doc["channel_policy"] = map[string]any{"order": order}
	}))
	return lc, logs
}

// TestChannelsEndToEnd runs the demo case with the SMS channel on over a
// population of e-mail-only, phone-only, both, postal-only and no-contact
// people: every person gets exactly one notice on each channel their plan
// gives them, a bounced e-mail moves its person to SMS, ledger.csv names
// the channel of each row, every person is accounted for, and no phone
// number or address reaches the execution history or the logs.
func TestChannelsEndToEnd(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	people := channelPopulation(60)
	lc, logs := startChannelCase(ctx, t, people, liveDemoReport(t))
	db := lc.env.dynamo()
	arn := aws.ToString(lc.arn)
	caseID := lc.caseID

	c := lc.awaitApproval(t)
	// The approvers see the people per channel plan before they approve.
	if c.Channels["email"] != count(people, kindEmail)+count(people, kindBoth) || c.Channels["sms_fallback"] != count(people, kindBoth) ||
		c.Channels["sms"] != count(people, kindPhone) || c.Channels["posted"] != count(people, kindNone) ||
		c.Channels["postal"] != count(people, kindPostal) {
		t.Errorf("channel counts before approval: %v", c.Channels)
	}
	if err := demoApprove(ctx, &strings.Builder{}, lc.env, caseID, lc.report.Approvers); err != nil {
		t.Fatal(err)
	}

	// While the state machine waits for bounces, one e-mail of a person
	// with a phone bounces: their SMS follows in the second round.
	bounced := firstOf(people, kindBoth)
	waitFor(ctx, t, "the bounce window", func() bool { return inState(ctx, t, lc.env.sfn(), arn, "AwaitBounces") })
	set := casetable.SetID(caseID, 1)
	shard := casetable.Shard(bounced.ID, c.Shards)
	sub, err := (&ledger.Ledger{DB: db, Table: lc.env.CaseTable}).Person(ctx, set, shard, bounced.ID)
	if err != nil {
		t.Fatal(err)
	}
	if sub.MessageID == "" {
		t.Fatalf("the person to bounce has no e-mail sent (status %s)", sub.Status)
	}
	if _, err := lc.up.runtime.Functions[functions.SesEvents.LogicalID].Invoke(ctx, bounceEvent(t, set, sub)); err != nil {
		t.Fatal(err)
	}

	var final *sfn.DescribeExecutionOutput
	waitFor(ctx, t, "the execution to end", func() bool {
		final, err = lc.env.sfn().DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
		return err == nil && final.Status != sfntypes.ExecutionStatusRunning
	})
	if final.Status != sfntypes.ExecutionStatusSucceeded {
		t.Fatalf("execution %s: %s: %s\n%v", final.Status, aws.ToString(final.Error), aws.ToString(final.Cause), failures(ctx, lc.env.sfn(), arn, 3))
	}

	emails, texts := noticeCounts(ctx, t, lc)

	t.Run("exactly one notice on each channel the plan gives", func(t *testing.T) {
		for _, p := range people {
			wantMail, wantText := 0, 0
			switch p.kind {
			case kindEmail, kindBoth:
				wantMail = 1
			}
			switch {
			case p.kind == kindPhone && !p.senderless:
				wantText = 1
			case p.ID == bounced.ID:
				wantText = 1
			}
			if got := emails[strings.ToLower(strings.TrimSpace(p.Email))]; p.Email != "" && got != wantMail {
				t.Errorf("%s person %s: %d e-mails, want %d", p.kind, p.ID, got, wantMail)
			}
			if got := texts[delivery.TagValue(p.ID)]; got != wantText {
				t.Errorf("%s person %s: %d texts, want %d", p.kind, p.ID, got, wantText)
			}
		}
		if texts[delivery.TagValue(bounced.ID)] != 1 {
			t.Errorf("the bounced e-mail did not move its person to SMS")
		}
	})

	t.Run("every person accounted for, by channel", func(t *testing.T) {
		c, err := lc.env.cases().Get(ctx, caseID)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int{}
		for _, p := range people {
			want[expectedReach(p, bounced.ID)]++
		}
		for k, n := range want {
			if c.Reach[k] != n {
				t.Errorf("reach %s: %d, want %d (all: %v)", k, c.Reach[k], n, c.Reach)
			}
		}
		if c.Reach[reconcile.ReachNone] != 0 {
			t.Errorf("%d people unaccounted for", c.Reach[reconcile.ReachNone])
		}
		if got := runCLI(ctx, t, "status", caseID); !strings.Contains(got, "accounted     every person in scope") || !strings.Contains(got, "reach         ") {
			t.Errorf("status does not account for everyone:\n%s", got)
		}
	})

	t.Run("the posted notice that covers the rest is live with its period", func(t *testing.T) {
		pages, err := posting.Store{DB: db, Table: lc.env.CaseTable}.Pages(ctx, caseID)
		if err != nil {
			t.Fatal(err)
		}
		if len(pages) == 0 {
			t.Fatal("nothing posted: the people only the posted notice reaches are not covered")
		}
		for _, pg := range pages {
			if pg.PostedAt.IsZero() || !pg.Until.After(pg.PostedAt.Add(29*24*time.Hour)) {
				t.Errorf("page %s: posted %v until %v: want a period of at least 30 days recorded", pg.DraftID, pg.PostedAt, pg.Until)
			}
		}
		mailed := 0
		for _, n := range emails {
			mailed += n
		}
		t.Logf("%d e-mails, %d texts, %d pages posted", mailed, len(lc.up.stack.SMSServer.Messages()), len(pages))
	})

	t.Run("ledger.csv names the channel per row", func(t *testing.T) {
		dir := t.TempDir()
		if _, err := (evidence.Source{DB: db, Table: lc.env.CaseTable, Audit: lc.env.audit()}).Write(ctx, caseID, dir); err != nil {
			t.Fatal(err)
		}
		rows := readCSV(t, filepath.Join(dir, "ledger.csv"))
		if rows[0][2] != "channel" {
			t.Fatalf("ledger.csv header %v: no channel column", rows[0])
		}
		byPerson := map[string][]string{}
		for _, r := range rows[1:] {
			byPerson[r[0]] = append(byPerson[r[0]], r[2])
		}
		for _, p := range people {
			got := strings.Join(byPerson[p.ID], ",")
			if want := expectedRows(p, bounced.ID); got != want {
				t.Errorf("%s person %s: ledger.csv channels %q, want %q", p.kind, p.ID, got, want)
			}
		}
	})

	t.Run("no phone number or address in execution history or logs", func(t *testing.T) {
		hist, err := lc.env.sfn().GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn), IncludeExecutionData: aws.Bool(true), MaxResults: 1000})
		if err != nil {
			t.Fatal(err)
		}
		h, _ := json.Marshal(hist.Events)
		for name, text := range map[string]string{"execution history": string(h), "logs": logs.String()} {
			if len(text) < 1000 {
				t.Fatalf("%s is nearly empty (%d bytes): nothing was checked", name, len(text))
			}
			for _, p := range people {
				digits := strings.Map(func(r rune) rune {
					if r >= '0' && r <= '9' {
						return r
					}
					return -1
				}, p.User.Phone)
				for _, v := range []string{p.Email, p.User.Phone, digits, p.postal, strings.Split(p.postal, "\n")[0]} {
					if len(v) > 6 && strings.Contains(text, v) {
						t.Fatalf("%s contains the contact details of a %s person", name, p.kind)
					}
				}
			}
		}
	})
}

// firstOf is the first person of kind in people (zero if none is).
func firstOf(people []channelPerson, kind string) channelPerson {
	for _, p := range people {
		if p.kind == kind {
			return p
		}
	}
	return channelPerson{}
}

func count(people []channelPerson, kind string) int {
	n := 0
	for _, p := range people {
		if p.kind == kind {
			n++
		}
	}
	return n
}

// expectedReach is how the person should be accounted for.
func expectedReach(p channelPerson, bounced string) string {
	switch {
	case p.ID == bounced:
		return reconcile.ReachSMS
	case p.kind == kindEmail || p.kind == kindBoth:
		return reconcile.ReachEmail
	case p.kind == kindPhone && !p.senderless:
		return reconcile.ReachSMS
	case p.kind == kindPostal:
		return reconcile.ReachPostal
	}
	return reconcile.ReachPosted // no contact; or a phone no sender serves
}

// expectedRows are the channels of the person's ledger.csv rows, in order.
func expectedRows(p channelPerson, bounced string) string {
	switch {
	case p.ID == bounced:
		return "email,sms"
	case p.kind == kindEmail || p.kind == kindBoth:
		return "email"
	case p.kind == kindPhone && !p.senderless:
		return "sms"
	case p.kind == kindPhone:
		return "sms,posted" // refused: no sender for the country
	case p.kind == kindPostal:
		return "postal"
	}
	return "posted"
}

// inState reports whether the execution has entered the named state.
// noticeCounts counts what the local stack delivered: e-mails by
// lower-cased recipient address (the SES mailbox) and texts by the user tag
// each carries (the SMS endpoint's messages).
func noticeCounts(ctx context.Context, t *testing.T, lc *localCase) (emails, texts map[string]int) {
	t.Helper()
	mails, err := emulators.Mailbox{URL: lc.up.stack.SES}.Messages(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	emails, texts = map[string]int{}, map[string]int{}
	for _, m := range mails {
		for _, to := range m.Destination.To {
			emails[strings.ToLower(to)]++
		}
	}
	for _, m := range lc.up.stack.SMSServer.Messages() {
		texts[m.Context[sms.ContextUser]]++
	}
	return emails, texts
}

func inState(ctx context.Context, t *testing.T, c *sfn.Client, arn, name string) bool {
	return entered(ctx, t, c, arn, name) > 0
}

// entered counts how often the execution has entered the state name.
func entered(ctx context.Context, t *testing.T, c *sfn.Client, arn, name string) int {
	t.Helper()
	n := 0
	p := sfn.NewGetExecutionHistoryPaginator(c, &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn), MaxResults: 1000})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page.Events {
			if d := e.StateEnteredEventDetails; d != nil && aws.ToString(d.Name) == name {
				n++
			}
		}
	}
	return n
}

// bounceEvent is SES's permanent bounce of sub's notice, as the
// configuration set's event destination delivers it.
func bounceEvent(t *testing.T, set string, sub *casetable.Subject) []byte {
	t.Helper()
	raw, err := os.ReadFile("../../events/ses/eventbridge-bounce-permanent.json")
	if err != nil {
		t.Fatal(err)
	}
	var ev map[string]any
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	mail := ev["detail"].(map[string]any)["mail"].(map[string]any)
	mail["messageId"] = sub.MessageID
	mail["timestamp"] = time.Now().UTC().Format(time.RFC3339Nano)
	tags := mail["tags"].(map[string]any)
	delete(tags, delivery.TagObligation)
	tags[delivery.TagCase] = []string{delivery.TagValue(set)}
	tags[delivery.TagUser] = []string{delivery.TagValue(sub.UserID)}
	tags[delivery.TagShard] = []string{strconv.Itoa(sub.Shard)}
	out, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// readCSV reads a whole CSV file of a pack.
func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return rows
}
