package channelplan_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"breachflow/internal/breach"
	"breachflow/internal/channelplan"
)

func TestFor(t *testing.T) {
	high := &channelplan.Policy{Order: []string{"email", "sms", "postal"}, AllFor: []breach.Category{breach.CategoryRRN}}
	for _, tc := range []struct {
		name   string
		policy *channelplan.Policy
		c      channelplan.Contacts
		cats   []string
		want   string
	}{
		{"default, all contacts", nil, channelplan.Contacts{Email: true, Phone: true, Postal: true}, nil, "email>sms>postal"},
		{"default, email only", nil, channelplan.Contacts{Email: true}, nil, "email"},
		{"default, phone only", nil, channelplan.Contacts{Phone: true}, nil, "sms"},
		{"default, postal only", nil, channelplan.Contacts{Postal: true}, nil, "postal"},
		{"no contact", nil, channelplan.Contacts{}, nil, "posted"},
		{"sms first", &channelplan.Policy{Order: []string{"sms", "email"}}, channelplan.Contacts{Email: true, Phone: true, Postal: true}, nil, "sms>email"},
		{"high risk: both at once", high, channelplan.Contacts{Email: true, Phone: true, Postal: true}, []string{"rrn", "name"}, "email+sms>postal"},
		{"high risk, phone only", high, channelplan.Contacts{Phone: true}, []string{"rrn"}, "sms"},
		{"high risk, postal only", high, channelplan.Contacts{Postal: true}, []string{"rrn"}, "postal"},
		{"not high risk", high, channelplan.Contacts{Email: true, Phone: true}, []string{"name"}, "email>sms"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := channelplan.For(tc.policy, tc.c, tc.cats)
			if got.String() != tc.want {
				t.Fatalf("For = %q, want %q", got, tc.want)
			}
			back, err := channelplan.Parse(got.String())
			if err != nil || back.String() != tc.want {
				t.Fatalf("Parse(%q) = %q, %v", tc.want, back, err)
			}
		})
	}
}

func TestDue(t *testing.T) {
	p, err := channelplan.Parse("email>sms>postal")
	if err != nil {
		t.Fatal(err)
	}
	none := func(string) bool { return false }
	email := func(ch string) bool { return ch == "email" }
	both := func(ch string) bool { return ch == "email" || ch == "sms" }
	all := func(string) bool { return true }
	for _, tc := range []struct {
		ch     string
		failed func(string) bool
		want   bool
	}{
		{"email", none, true}, {"sms", none, false}, {"postal", none, false},
		{"sms", email, true}, {"postal", email, false},
		{"postal", both, true},
	} {
		if got := p.Due(tc.ch, tc.failed); got != tc.want {
			t.Errorf("Due(%s) = %v, want %v", tc.ch, got, tc.want)
		}
	}
	if p.Exhausted(both) || !p.Exhausted(all) {
		t.Error("Exhausted wrong")
	}
	together, _ := channelplan.Parse("email+sms>postal")
	if !together.Due("sms", none) {
		t.Error("sms of a first step is due at once")
	}
	if together.Due("postal", email) {
		t.Error("postal is due only when e-mail and SMS both failed")
	}
	var empty channelplan.Plan
	if empty.Due("email", none) || !empty.Exhausted(none) {
		t.Error("an empty plan sends nothing and is covered by the posted notice")
	}
	if _, err := channelplan.Parse("email>fax"); err == nil {
		t.Error("Parse accepted an unknown channel")
	}
}

// An order that puts SMS first makes e-mail wait for the text's outcome:
// e-mail is due only once SMS failed for the person, whatever the reason.
func TestDueSMSFirst(t *testing.T) {
	p, err := channelplan.Parse("sms>email>postal")
	if err != nil {
		t.Fatal(err)
	}
	failed := func(chs ...string) func(string) bool {
		return func(ch string) bool { return slices.Contains(chs, ch) }
	}
	for _, tc := range []struct {
		name   string
		ch     string
		failed func(string) bool
		want   bool
	}{
		{"text first, at once", "sms", failed(), true},
		{"e-mail waits while the text stands", "email", failed(), false},
		{"e-mail waits whatever e-mail did", "email", failed("email"), false},
		{"e-mail once the text failed", "email", failed("sms"), true},
		{"no letter while e-mail stands", "postal", failed("sms"), false},
		{"a letter once both failed", "postal", failed("sms", "email"), true},
		{"a letter not on an e-mail failure alone", "postal", failed("email"), false},
		{"e-mail stays due whatever came after it", "email", failed("sms", "email", "postal"), true},
	} {
		if got := p.Due(tc.ch, tc.failed); got != tc.want {
			t.Errorf("%s: Due(%s) = %v, want %v", tc.name, tc.ch, got, tc.want)
		}
	}
	onlyText, _ := channelplan.Parse("sms")
	if onlyText.Due("email", failed("sms")) {
		t.Error("e-mail is not due for a plan without it")
	}
	if !p.Exhausted(failed("sms", "email", "postal")) || p.Exhausted(failed("sms", "email")) {
		t.Error("Exhausted wrong for sms>email>postal")
	}
	// The stored form of the policy's plan is what Due reads.
	got := channelplan.For(&channelplan.Policy{Order: []string{"sms", "email"}}, channelplan.Contacts{Email: true, Phone: true}, nil)
	if got.String() != "sms>email" || got.Due("email", failed()) || !got.Due("sms", failed()) {
		t.Errorf("For(sms, email) = %q: e-mail must wait for the text", got)
	}
}

func TestValidate(t *testing.T) {
	p := &channelplan.Policy{Order: []string{"email", "carrier-pigeon", "email"}, AllFor: []breach.Category{"secret-thing"}}
	err := p.Validate("channel_policy")
	if err == nil {
		t.Fatal("Validate accepted an unknown channel")
	}
	var fe *channelplan.FieldError
	if !errors.As(err, &fe) || fe.Field != "channel_policy.order[1]" {
		t.Fatalf("first error = %v, want channel_policy.order[1]", err)
	}
	for _, want := range []string{"channel_policy.order[1]", "channel_policy.order[2]", "channel_policy.all_channels_for[0]"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %s: %v", want, err)
		}
	}
	if strings.Contains(err.Error(), "carrier-pigeon") || strings.Contains(err.Error(), "secret-thing") {
		t.Errorf("error repeats the value: %v", err)
	}
	if err := (&channelplan.Policy{}).Validate("channel_policy"); err != nil {
		t.Errorf("default policy: %v", err)
	}
}

// Postal before an electronic channel is refused on the postal entry: a
// letter's failure is never known, so what follows it would never be due.
// Postal after every electronic channel, or alone, is accepted.
func TestValidatePostalLast(t *testing.T) {
	for _, tc := range []struct {
		order []string
		field string // "": accepted
	}{
		{[]string{"email", "sms", "postal"}, ""},
		{[]string{"sms", "email", "postal"}, ""},
		{[]string{"sms", "email"}, ""},
		{[]string{"postal"}, ""},
		{[]string{"email", "postal"}, ""},
		{[]string{"postal", "email"}, "channel_policy.order[0]"},
		{[]string{"sms", "postal", "email"}, "channel_policy.order[1]"},
		{[]string{"email", "postal", "sms"}, "channel_policy.order[1]"},
	} {
		err := (&channelplan.Policy{Order: tc.order}).Validate("channel_policy")
		if tc.field == "" {
			if err != nil {
				t.Errorf("%v: %v", tc.order, err)
			}
			continue
		}
		var fe *channelplan.FieldError
		if !errors.As(err, &fe) || fe.Field != tc.field || !strings.Contains(fe.Reason, "postal must come after") {
			t.Errorf("%v: error %v, want a FieldError on %s saying postal must come last", tc.order, err, tc.field)
		}
	}
}
