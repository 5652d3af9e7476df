//go:build integration

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"breachflow/internal/cases"
	"breachflow/internal/casetable"
	"breachflow/internal/delivery"
	"breachflow/internal/functions"
	"breachflow/internal/intake"
	"breachflow/internal/ledger"
	"breachflow/internal/local/emulators"
	"breachflow/internal/reconcile"
	"breachflow/internal/reopen"
	"breachflow/internal/sms"
	"breachflow/internal/stage"
)

// Kinds of the order test's population beyond the channel test's: people
// with both contacts whose phone is in a country without a sender, and
// phone-only people there.
const (
	kindBothSenderless  = "both-senderless"
	kindPhoneSenderless = "phone-senderless"
)

// orderPopulation is n people in the demo report's scope, the same number
// of each kind: e-mail only, phone only (a sender for their country or
// none), both (a sender or none), postal only, no contact.
func orderPopulation(n int) []channelPerson {
	kinds := []string{kindEmail, kindPhone, kindPhoneSenderless, kindBoth, kindBothSenderless, kindPostal, kindNone}
	return population(n, kinds, func(p channelPerson) bool {
		switch p.kind {
		case kindPhone, kindBoth:
			return !p.senderless
		case kindPhoneSenderless, kindBothSenderless:
			return p.senderless
		}
		return true
	})
}

// TestChannelOrderTextFirst runs the demo case under the channel policy
// ["sms", "email", "postal"] with SMS senders for Korea and the US: people
// with both contacts get only the text unless it fails (refused for want of
// a sender in their country, or an undeliverable receipt filed during the
// receipt window), and then exactly one e-mail, sent after the failure was
// known; nobody gets anything twice, and reach accounts for everyone.
func TestChannelOrderTextFirst(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	people := orderPopulation(42)
	lc, _ := startChannelCase(ctx, t, people, liveDemoReport(t), "sms", "email", "postal")
	db := lc.env.dynamo()
	arn := aws.ToString(lc.arn)
	caseID := lc.caseID

	c := lc.awaitApproval(t)
	// The approvers see SMS first for everyone with a phone, e-mail as the
	// fallback of those with both.
	both := count(people, kindBoth) + count(people, kindBothSenderless)
	if c.Channels["sms"] != both+count(people, kindPhone)+count(people, kindPhoneSenderless) || c.Channels["email_fallback"] != both ||
		c.Channels["email"] != count(people, kindEmail) || c.Channels["postal"] != count(people, kindPostal) {
		t.Errorf("channel counts before approval: %v", c.Channels)
	}
	if err := demoApprove(ctx, &strings.Builder{}, lc.env, caseID, lc.report.Approvers); err != nil {
		t.Fatal(err)
	}

	// While the state machine waits for receipts, one text of a person
	// with both contacts is reported undeliverable: their e-mail follows
	// in the second round. Until then nobody with a phone has an e-mail.
	undelivered := firstOf(people, kindBoth)
	waitFor(ctx, t, "the receipt window", func() bool { return inState(ctx, t, lc.env.sfn(), arn, "AwaitBounces") })
	mails, err := emulators.Mailbox{URL: lc.up.stack.SES}.Messages(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	firstRound := map[string]int{}
	for _, m := range mails {
		for _, to := range m.Destination.To {
			firstRound[strings.ToLower(to)]++
		}
	}
	for _, p := range people {
		if (p.kind == kindBoth || p.kind == kindBothSenderless) && firstRound[strings.ToLower(p.Email)] != 0 {
			t.Errorf("%s person %s e-mailed in the first round, before their text failed", p.kind, p.ID)
		}
	}
	set := casetable.SetID(caseID, 1)
	failedAt := time.Now()
	if err := fileUndelivered(ctx, lc, set, c.Shards, undelivered.ID, failedAt); err != nil {
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
	// Every failure came within the window: no late round was needed.
	if n := entered(ctx, t, lc.env.sfn(), arn, "PlanLateRound"); n != 0 {
		t.Errorf("%d late rounds, want none", n)
	}

	emails, texts := noticeCounts(ctx, t, lc)

	t.Run("the text first, e-mail only when it failed, nothing twice", func(t *testing.T) {
		for _, p := range people {
			wantMail, wantText := 0, 0
			switch p.kind {
			case kindEmail, kindBothSenderless:
				wantMail = 1
			case kindBoth:
				wantText = 1
				if p.ID == undelivered.ID {
					wantMail = 1
				}
			case kindPhone:
				wantText = 1
			}
			if got := emails[strings.ToLower(p.Email)]; p.Email != "" && got != wantMail {
				t.Errorf("%s person %s: %d e-mails, want %d", p.kind, p.ID, got, wantMail)
			}
			if got := texts[delivery.TagValue(p.ID)]; got != wantText {
				t.Errorf("%s person %s: %d texts, want %d", p.kind, p.ID, got, wantText)
			}
		}
		if n := count(people, kindBothSenderless); n == 0 || count(people, kindBoth) == 0 {
			t.Fatalf("the population lacks people with both contacts (%d senderless)", n)
		}
	})

	t.Run("each fallback e-mail went out after its text failed", func(t *testing.T) {
		led := &ledger.Ledger{DB: db, Table: lc.env.CaseTable}
		for _, p := range people {
			if p.kind != kindBothSenderless && p.ID != undelivered.ID {
				continue
			}
			shard := casetable.Shard(p.ID, c.Shards)
			sub, err := led.Person(ctx, set, shard, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			sentAt, err := time.Parse(time.RFC3339Nano, sub.SentAt)
			if err != nil {
				t.Fatalf("%s person %s: e-mail sent at %q: %v", p.kind, p.ID, sub.SentAt, err)
			}
			failed := failedAt
			if p.kind == kindBothSenderless {
				err := led.ChannelSends(ctx, set, shard, casetable.ChannelSMS, func(cs ledger.ChannelSend) error {
					if cs.UserID == p.ID {
						if cs.Failed == "" {
							t.Errorf("%s person %s: SMS record %+v, want refused (no sender for the country, or a number it cannot read)", p.kind, p.ID, cs)
						}
						failed = cs.SentAt
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			if !sentAt.After(failed) {
				t.Errorf("%s person %s: e-mail sent at %v, not after the text failed at %v", p.kind, p.ID, sentAt, failed)
			}
		}
	})

	t.Run("every person accounted for, by channel", func(t *testing.T) {
		c, err := lc.env.cases().Get(ctx, caseID)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int{}
		for _, p := range people {
			switch {
			case p.kind == kindEmail || p.kind == kindBothSenderless || p.ID == undelivered.ID:
				want[reconcile.ReachEmail]++
			case p.kind == kindBoth || p.kind == kindPhone:
				want[reconcile.ReachSMS]++
			case p.kind == kindPostal:
				want[reconcile.ReachPostal]++
			default: // no contact; or a phone no sender serves
				want[reconcile.ReachPosted]++
			}
		}
		total := 0
		for k, n := range c.Reach {
			total += n
			if n != want[k] {
				t.Errorf("reach %s: %d, want %d (all: %v)", k, n, want[k], c.Reach)
			}
		}
		if total != len(people) || c.Reach[reconcile.ReachNone] != 0 {
			t.Errorf("reach counts %d people (%d unaccounted), want all %d", total, c.Reach[reconcile.ReachNone], len(people))
		}
	})
}

// fileUndelivered files, through the SMS events function as the local SMS
// endpoint's receipts reach it, a final undeliverable receipt of the text
// that userID of the subject set was sent, dated at.
func fileUndelivered(ctx context.Context, lc *localCase, set string, shards int, userID string, at time.Time) error {
	var textID string
	for _, m := range lc.up.stack.SMSServer.Messages() {
		if m.Context[sms.ContextUser] == delivery.TagValue(userID) {
			textID = m.MessageID
		}
	}
	if textID == "" {
		return fmt.Errorf("%s was not texted", userID)
	}
	receipt, err := json.Marshal(map[string]any{
		"eventType": "TEXT_CARRIER_UNREACHABLE", "eventTimestamp": at.UnixMilli(), "isFinal": true, "messageId": textID,
		"context": map[string]string{
			sms.ContextCase: delivery.TagValue(set), sms.ContextUser: delivery.TagValue(userID),
			sms.ContextShard: strconv.Itoa(casetable.Shard(userID, shards)),
		},
	})
	if err != nil {
		return err
	}
	_, err = lc.up.runtime.Functions[functions.SmsEvents.LogicalID].Invoke(ctx, receipt)
	return err
}

// TestLateReceiptGetsAnotherRound runs the demo case texting first, and
// files one person's undeliverable receipt after the second round has
// passed them on e-mail and before the count: just as the count Map
// starts, the one moment no round can see it. The count finds them owed
// an e-mail, the execution runs one more round (PlanLateRound) that
// e-mails exactly them, and the case closes with everyone accounted for.
func TestLateReceiptGetsAnotherRound(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	people := orderPopulation(21)
	lc, _ := startChannelCase(ctx, t, people, liveDemoReport(t), "sms", "email", "postal")
	arn := aws.ToString(lc.arn)
	late := firstOf(people, kindBoth)
	if late.ID == "" {
		t.Fatal("the population has nobody with both contacts and a sender")
	}
	set := casetable.SetID(lc.caseID, 1)
	var filed sync.Once
	count := lc.up.runtime.Functions[functions.ReconcileShard.LogicalID]
	count.Around(func(h lambda.Handler) lambda.Handler {
		return lambdaFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
			filed.Do(func() {
				c, err := lc.env.cases().Get(ctx, lc.caseID)
				if err == nil {
					err = fileUndelivered(ctx, lc, set, c.Shards, late.ID, time.Now())
				}
				if err != nil {
					t.Errorf("file the late receipt: %v", err)
				}
			})
			return h.Invoke(ctx, payload)
		})
	})
	defer count.Around(nil)

	lc.awaitApproval(t)
	if err := demoApprove(ctx, &strings.Builder{}, lc.env, lc.caseID, lc.report.Approvers); err != nil {
		t.Fatal(err)
	}
	lc.succeeded(t, "the execution")
	if n := entered(ctx, t, lc.env.sfn(), arn, "PlanLateRound"); n != 1 {
		t.Errorf("%d late rounds, want 1\n%s", n, stateTrail(ctx, t, lc.env, arn))
	}
	emails, texts := nothingTwice(ctx, t, lc, people, "after the late round before the close", late)

	c, err := lc.env.cases().Get(ctx, lc.caseID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != cases.StatusClosed || c.Reach[reconcile.ReachNone] != 0 || c.Reach[reconcile.ReachEmail] == 0 {
		t.Errorf("case %s, reach %v: want closed with nobody unreached", c.Status, c.Reach)
	}
	chain, err := lc.env.audit().Verify(ctx, lc.caseID)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range chain.Entries {
		if e.Action == reconcile.ActionLateRound || e.Action == "case.closed" {
			actions = append(actions, e.Action+" late="+e.Detail["late"])
		}
	}
	if want := []string{reconcile.ActionLateRound + " late=1", "case.closed late="}; !slices.Equal(actions, want) {
		t.Errorf("audit: %v, want %v", actions, want)
	}

	// Once the case has closed, no round is left: a text reported
	// undelivered now leaves its person owed an e-mail the close never
	// counted. The case notes it, status says so, and a recount from the
	// ledger (the evidence pack's) finds them.
	var textedOnly []channelPerson
	for _, p := range people {
		if p.kind == kindBoth && p.ID != late.ID && texts[delivery.TagValue(p.ID)] == 1 && emails[strings.ToLower(p.Email)] == 0 {
			textedOnly = append(textedOnly, p)
		}
	}
	if len(textedOnly) < 2 {
		t.Fatalf("%d others reached by text alone, want 2", len(textedOnly))
	}
	after := textedOnly[0]
	if err := fileUndelivered(ctx, lc, set, c.Shards, after.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	if c, err = lc.env.cases().Get(ctx, lc.caseID); err != nil {
		t.Fatal(err)
	}
	if want := []string{cases.ChangeKey(1, casetable.Shard(after.ID, c.Shards))}; !slices.Equal(c.ChangedAfterClose, want) {
		t.Errorf("changed after close: %v, want %v", c.ChangedAfterClose, want)
	}
	if st := runCLI(ctx, t, "status", lc.caseID); !strings.Contains(st, "changed       since the close") || !strings.Contains(st, "`breachflow resume "+lc.caseID+"`") || strings.Contains(st, "accounted     every person") {
		t.Errorf("status after a failure filed after the close:\n%s", st)
	}
	reach, err := reconcile.CountAllReach(ctx, lc.env.dynamo(), lc.env.CaseTable, set, c.Shards)
	if err != nil {
		t.Fatal(err)
	}
	if reach[reconcile.ReachNone] != 1 {
		t.Errorf("recount after the close: %v, want the one person owed an e-mail unreached", reach)
	}

	// resume starts a late round for the closed case: exactly that person
	// gets their e-mail, nobody gets anything twice, and the case closes
	// again with nobody unreached and nothing noted.
	if got := runCLI(ctx, t, "resume", lc.caseID); !strings.Contains(got, "a new execution sends what they leave owed") {
		t.Fatalf("resume of a case changed after its close:\n%s", got)
	}
	if c, err = lc.env.cases().Get(ctx, lc.caseID); err != nil {
		t.Fatal(err)
	}
	if c.ExecutionArn == arn {
		t.Fatal("resume recorded no new execution on the case")
	}
	lc.arn = aws.String(c.ExecutionArn)
	lc.succeeded(t, "the late round after the close")
	nothingTwice(ctx, t, lc, people, "after the late round resume started", after)
	if c, err = lc.env.cases().Get(ctx, lc.caseID); err != nil {
		t.Fatal(err)
	}
	if c.Status != cases.StatusClosed || c.Reach[reconcile.ReachNone] != 0 || len(c.ChangedAfterClose) != 0 {
		t.Errorf("after the late round: case %s, reach %v, changed %v; want closed, nobody unreached, nothing noted", c.Status, c.Reach, c.ChangedAfterClose)
	}
	if chain, err = lc.env.audit().Verify(ctx, lc.caseID); err != nil {
		t.Fatal(err)
	}
	if n := len(chain.Entries); n < 2 || chain.Entries[n-2].Action != intake.ActionReopened || chain.Entries[n-1].Action != "case.closed" {
		t.Errorf("audit log ends %v, want case.reopened then case.closed", chain.Entries[max(0, n-2):])
	}
	if got := runCLI(ctx, t, "resume", lc.caseID); !strings.Contains(got, "nothing to resume") {
		t.Errorf("resume once nothing is owed:\n%s", got)
	}

	// With nobody at the keyboard, the scheduled sweep starts the late
	// round itself once the failures have gathered: another text fails
	// after the (second) close.
	third := textedOnly[1]
	if err := fileUndelivered(ctx, lc, set, c.Shards, third.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	sweep := func(at time.Time) stage.SweepOutput {
		t.Helper()
		out, err := lc.up.stageDue(ctx, events.EventBridgeEvent{Time: at})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if out := sweep(time.Now()); out.LateRounds != 0 {
		t.Errorf("a sweep while the failures gather: %+v, want no late round yet", out)
	}
	if out := sweep(time.Now().Add(reopen.Gather)); out.LateRounds != 1 {
		t.Fatalf("a sweep once they have gathered: %+v, want one late round", out)
	}
	if c, err = lc.env.cases().Get(ctx, lc.caseID); err != nil {
		t.Fatal(err)
	}
	lc.arn = aws.String(c.ExecutionArn)
	lc.succeeded(t, "the late round the sweep started")
	nothingTwice(ctx, t, lc, people, "after the late round the sweep started", third)
	if c, err = lc.env.cases().Get(ctx, lc.caseID); err != nil || c.Status != cases.StatusClosed || len(c.ChangedAfterClose) != 0 || c.Reach[reconcile.ReachNone] != 0 {
		t.Errorf("after the swept late round: %s, changed %v, reach %v (%v); want closed, nothing noted, nobody unreached", c.Status, c.ChangedAfterClose, c.Reach, err)
	}
}

// nothingTwice checks, after what, that nobody got a notice twice on a
// channel and that each of owed (whose text failed) got exactly one text
// and one e-mail; it returns the counts (noticeCounts).
func nothingTwice(ctx context.Context, t *testing.T, lc *localCase, people []channelPerson, what string, owed ...channelPerson) (emails, texts map[string]int) {
	t.Helper()
	emails, texts = noticeCounts(ctx, t, lc)
	for _, p := range people {
		if p.Email != "" && emails[strings.ToLower(p.Email)] > 1 || texts[delivery.TagValue(p.ID)] > 1 {
			t.Errorf("%s, %s person %s: %d e-mails, %d texts", what, p.kind, p.ID, emails[strings.ToLower(p.Email)], texts[delivery.TagValue(p.ID)])
		}
	}
	for _, p := range owed {
		if emails[strings.ToLower(p.Email)] != 1 || texts[delivery.TagValue(p.ID)] != 1 {
			t.Errorf("%s, the person %s whose text failed: %d e-mails and %d texts, want one of each", what, p.ID, emails[strings.ToLower(p.Email)], texts[delivery.TagValue(p.ID)])
		}
	}
	return emails, texts
}

// lambdaFunc is a lambda.Handler made of a function.
type lambdaFunc func(ctx context.Context, payload []byte) ([]byte, error)

func (f lambdaFunc) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return f(ctx, payload)
}
