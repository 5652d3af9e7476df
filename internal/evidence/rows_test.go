package evidence

import (
	"strings"
	"testing"

	"breachflow/internal/casetable"
	"breachflow/internal/ledger"
	"breachflow/internal/reconcile"
)

// ledger.csv has one row per channel the person's plan used, in the plan's
// order: under an order that texts first, no e-mail row while the text
// stands (e-mail never came due), and the e-mail after the text once it
// failed.
func TestLedgerRowsFollowThePlan(t *testing.T) {
	texted := &ledger.ChannelSend{MessageID: "m"}
	refused := &ledger.ChannelSend{Failed: "no_sender"}
	for _, tc := range []struct {
		name   string
		plan   string
		status casetable.Status
		sms    *ledger.ChannelSend
		want   string
	}{
		{"default order, e-mail reached", "email>sms", casetable.StatusSent, nil, "email"},
		{"default order, bounced then texted", "email>sms", casetable.StatusBounced, texted, "email,sms"},
		{"text first, text stands", "sms>email", casetable.StatusPending, texted, "sms"},
		{"text first, refused, e-mailed", "sms>email", casetable.StatusSent, refused, "sms,email"},
		{"text first, refused, e-mail still to come", "sms>email", casetable.StatusPending, refused, "sms,email"},
		{"text first, refused, both failed", "sms>email", casetable.StatusBounced, refused, "sms,email,posted"},
		{"both at once", "email+sms", casetable.StatusSent, texted, "email,sms"},
		{"no plan", "", casetable.StatusSent, nil, "email"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sub := &casetable.Subject{UserID: "u1", Plan: tc.plan, Status: tc.status}
			var got []string
			for _, r := range ledgerRows(sub, tc.sms, reconcile.Reach(sub, tc.sms)) {
				got = append(got, r[2])
			}
			if strings.Join(got, ",") != tc.want {
				t.Errorf("rows %v, want %s", got, tc.want)
			}
		})
	}
}
