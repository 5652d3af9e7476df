package delivery

import (
	"testing"

	"breachflow/internal/casetable"
)

// EmailDue is channelplan.Plan.Due for e-mail with the person's SMS outcome
// as the send stage read it, plus the shared-address holder, whose one
// e-mail is everyone's notice at that address.
func TestEmailDue(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    casetable.Subject
		due  bool
		wait bool // waitsForText: the page's SMS records must be read
	}{
		{"default order", casetable.Subject{Plan: "email>sms>postal"}, true, false},
		{"both at once", casetable.Subject{Plan: "email+sms>postal"}, true, false},
		{"scoped before plans", casetable.Subject{}, true, false},
		{"text first, no outcome yet", casetable.Subject{Plan: "sms>email"}, false, true},
		{"text first, text failed", casetable.Subject{Plan: "sms>email", FailedOn: []string{"sms"}}, true, true},
		{"text first with a letter after", casetable.Subject{Plan: "sms>email>postal"}, false, true},
		{"text only", casetable.Subject{Plan: "sms", FailedOn: []string{"sms"}}, false, false},
		{"posted only", casetable.Subject{Plan: "posted"}, false, false},
		{"shared address holder, text first", casetable.Subject{Plan: "sms>email", HolderJurisdictions: []string{"KR"}}, true, false},
		{"shared address holder, no e-mail in plan", casetable.Subject{Plan: "sms", HolderJurisdictions: []string{"KR"}}, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			due, err := EmailDue(&tc.s)
			if err != nil || due != tc.due {
				t.Errorf("EmailDue = %v, %v; want %v", due, err, tc.due)
			}
			if got := waitsForText(&tc.s); got != tc.wait {
				t.Errorf("waitsForText = %v, want %v", got, tc.wait)
			}
		})
	}
	if _, err := EmailDue(&casetable.Subject{Plan: "fax>email"}); err == nil {
		t.Error("EmailDue accepted a plan with an unknown channel")
	}
}
