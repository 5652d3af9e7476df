package reconcile_test

import (
	"testing"

	"breachflow/internal/casetable"
	"breachflow/internal/ledger"
	"breachflow/internal/reconcile"
)

// SMS records of the tests: a text that stands, one refused at send, one
// reported undeliverable.
var (
	texted      = &ledger.ChannelSend{MessageID: "m"}
	refused     = &ledger.ChannelSend{Failed: "invalid_number"}
	undelivered = &ledger.ChannelSend{MessageID: "m", Receipt: ledger.Receipt{Status: "undelivered:TEXT_BLOCKED", Final: true}}
)

// Every person is accounted for in exactly one way, from their e-mail
// state, their SMS record and their channel plan.
func TestReach(t *testing.T) {
	for _, tc := range []struct {
		name   string
		plan   string
		status casetable.Status
		sms    *ledger.ChannelSend
		want   string
	}{
		{"e-mail delivered", "email>sms", casetable.StatusDelivered, nil, reconcile.ReachEmail},
		{"e-mail sent, no event yet", "email>sms", casetable.StatusSent, nil, reconcile.ReachEmail},
		{"bounced, then texted", "email>sms", casetable.StatusBounced, texted, reconcile.ReachSMS},
		{"bounced, text not yet sent", "email>sms", casetable.StatusBounced, nil, reconcile.ReachNone},
		{"both at once", "email+sms>postal", casetable.StatusDelivered, texted, reconcile.ReachBoth},
		{"phone only", "sms", casetable.StatusNoContact, texted, reconcile.ReachSMS},
		{"phone only, refused", "sms", casetable.StatusNoContact, refused, reconcile.ReachPosted},
		{"undelivered text, then a letter", "email>sms>postal", casetable.StatusBounced, undelivered, reconcile.ReachPostal},
		{"postal only", "postal", casetable.StatusNoContact, nil, reconcile.ReachPostal},
		{"no contact", "posted", casetable.StatusNoContact, nil, reconcile.ReachPosted},
		{"not sent yet", "email", casetable.StatusPending, nil, reconcile.ReachNone},
		{"shared address", "email", casetable.StatusDuplicate, nil, reconcile.ReachShared},
		{"current", "email", casetable.StatusCurrent, nil, reconcile.ReachCurrent},
		{"no plan, failed", "", casetable.StatusFailed, nil, reconcile.ReachPosted},
		// An order that texts first: e-mail waits, pending, for the text.
		{"text first, texted", "sms>email", casetable.StatusPending, texted, reconcile.ReachSMS},
		{"text first, delivered", "sms>email>postal", casetable.StatusPending, &ledger.ChannelSend{MessageID: "m", Receipt: ledger.Receipt{Status: "delivered", Final: true}}, reconcile.ReachSMS},
		{"text first, not texted yet", "sms>email", casetable.StatusPending, nil, reconcile.ReachNone},
		{"text refused, e-mail not yet sent", "sms>email", casetable.StatusPending, refused, reconcile.ReachNone},
		{"text refused, then e-mailed", "sms>email", casetable.StatusSent, refused, reconcile.ReachEmail},
		{"text undelivered, then e-mail delivered", "sms>email", casetable.StatusDelivered, undelivered, reconcile.ReachEmail},
		{"text refused, e-mail bounced", "sms>email", casetable.StatusBounced, refused, reconcile.ReachPosted},
		{"text refused, e-mail bounced, then a letter", "sms>email>postal", casetable.StatusBounced, refused, reconcile.ReachPostal},
		{"text first, e-mail not yet failed: no letter", "sms>email>postal", casetable.StatusPending, undelivered, reconcile.ReachNone},
		{"shared address holder, both", "sms>email", casetable.StatusSent, texted, reconcile.ReachBoth},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := reconcile.Reach(&casetable.Subject{Plan: tc.plan, Status: tc.status}, tc.sms)
			if got != tc.want {
				t.Errorf("Reach = %s, want %s", got, tc.want)
			}
		})
	}
}

// A person is owed a send no round made only when a failure on one channel
// has made the next electronic channel of their plan due and that channel
// has nothing for them: a failure learned after the round passed them.
func TestLate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		plan   string
		status casetable.Status
		sms    *ledger.ChannelSend
		want   bool
	}{
		{"e-mail bounced, no text", "email>sms", casetable.StatusBounced, nil, true},
		{"e-mail bounced, then a letter, no text", "email>sms>postal", casetable.StatusBounced, nil, true},
		{"text undelivered, no e-mail", "sms>email", casetable.StatusPending, undelivered, true},
		{"text undelivered, no e-mail, then a letter", "sms>email>postal", casetable.StatusPending, undelivered, true},
		{"text refused, no e-mail", "sms>email", casetable.StatusPending, refused, true},
		{"e-mail bounced, then texted", "email>sms", casetable.StatusBounced, texted, false},
		{"e-mail bounced, text refused", "email>sms", casetable.StatusBounced, refused, false},
		{"text undelivered, then e-mailed", "sms>email", casetable.StatusSent, undelivered, false},
		{"text undelivered, e-mail bounced", "sms>email", casetable.StatusBounced, undelivered, false},
		{"text stands", "sms>email", casetable.StatusPending, texted, false},
		// Not a failure: the first step has simply not been sent (a round
		// still to come, which is not a late round's business).
		{"e-mail not sent yet", "email>sms", casetable.StatusPending, nil, false},
		{"text not sent yet", "sms>email", casetable.StatusPending, nil, false},
		{"e-mail only, bounced", "email", casetable.StatusBounced, nil, false},
		{"no plan, bounced", "", casetable.StatusBounced, nil, false},
		{"shared address", "email>sms", casetable.StatusDuplicate, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := reconcile.Late(&casetable.Subject{Plan: tc.plan, Status: tc.status}, tc.sms); got != tc.want {
				t.Errorf("Late = %v, want %v (reach %s)", got, tc.want, reconcile.Reach(&casetable.Subject{Plan: tc.plan, Status: tc.status}, tc.sms))
			}
		})
	}
}
