//go:build integration

package delivery_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"breachflow/internal/casetable"
	"breachflow/internal/delivery"
	"breachflow/internal/ledger"
)

// textChannel stands in for the SMS channel: it texts people whose number
// ends in an even digit pair and refuses the rest, recording like the real
// one in the shard's SMS partition.
type textChannel struct{}

func (textChannel) Name() string { return casetable.ChannelSMS }
func (textChannel) Prepare(_ context.Context, s *casetable.Subject) (delivery.Outgoing, error) {
	if s.Phone == "" || !strings.HasPrefix(s.Plan, "sms") {
		return nil, delivery.ErrNotOnChannel
	}
	n, _ := strconv.Atoi(strings.TrimPrefix(s.UserID, "u"))
	if n%4 == 2 {
		return nil, &delivery.Refusal{Code: "no_sender", Err: errors.New("sms: no sender for the country")}
	}
	return func(context.Context) (string, error) { return "text-" + s.UserID, nil }, nil
}
func (textChannel) Classify(error) delivery.Outcome { return delivery.OutcomeReject }

// TestEmailWaitsForTheText: under the plan sms>email the e-mail pipeline
// leaves a person alone while their text stands and e-mails them, once,
// after it failed (refused at send, or an undeliverable receipt), even when
// the SMS partition was paged with another page size; people whose plan
// has e-mail first are e-mailed at once, as before.
func TestEmailWaitsForTheText(t *testing.T) {
	e := newEnv(t, 2)
	ctx := context.Background()
	var subjects []casetable.Subject
	for i := range 80 {
		s := e.subject(i, casetable.StatusPending, e.addr(i))
		s.Plan = "email"
		if i%2 == 0 {
			s.Phone, s.Plan = "+8210"+strconv.Itoa(10000000+i), "sms>email"
		}
		subjects = append(subjects, s)
	}
	e.seed(t, subjects)
	mail := e.pipeline(e.ses, nil, 4)

	// First round: e-mail before any text.
	if res := drain(t, mail, e); res.Sent != 40 || res.Failed != 0 {
		t.Fatalf("first e-mail round: %+v, want the 40 e-mail-first people sent", res)
	}
	// The texts, on an SMS partition paged unlike e-mail's.
	texts := &delivery.Pipeline{
		Ledger: &ledger.Ledger{DB: e.db, Table: e.table, Page: testPage/2 + 1}, Channel: textChannel{},
		Pacing: delivery.Pacing{Workers: 4}, SendTimeout: 2 * time.Second,
	}
	if res := drain(t, texts, e); res.Sent != 20 || res.Failed != 20 {
		t.Fatalf("texts: %+v, want 20 sent and 20 refused", res)
	}
	// During the receipt window: u0004's text undeliverable, u0008's delivered.
	at := time.Now()
	for id, status := range map[string]string{"u0004": "undelivered:TEXT_CARRIER_UNREACHABLE", "u0008": "delivered"} {
		if _, err := e.ledger.ApplyReceipt(ctx, e.caseID, casetable.Shard(id, e.shards), casetable.ChannelSMS,
			ledger.Receipt{UserID: id, MessageID: "text-" + id, Status: status, Final: true, At: at}); err != nil {
			t.Fatal(err)
		}
	}
	// Second round: the refused and the undeliverable get their e-mail.
	if res := drain(t, mail, e); res.Sent != 21 {
		t.Fatalf("second e-mail round: %+v, want 21 sent (20 refused texts, 1 undeliverable)", res)
	}
	if res := drain(t, mail, e); res.Sent != 0 {
		t.Fatalf("a third round sent %d", res.Sent)
	}
	got, _ := e.received(t)
	for i, s := range subjects {
		want := 1
		if i%2 == 0 && i%4 == 0 && s.UserID != "u0004" {
			want = 0 // the text stands
		}
		if got[s.Email] != want {
			t.Errorf("%s (plan %s): %d e-mails, want %d", s.UserID, s.Plan, got[s.Email], want)
		}
	}
}
