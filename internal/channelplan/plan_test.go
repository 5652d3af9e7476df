package channelplan_test

import (
	"errors"
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
