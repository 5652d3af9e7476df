package sms_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/pinpointsmsvoicev2"

	"breachflow/internal/casetable"
	"breachflow/internal/delivery"
	"breachflow/internal/sms"
)

// lastInput is a Sender that keeps the input it is given.
type lastInput struct {
	in *pinpointsmsvoicev2.SendTextMessageInput
}

func (c *lastInput) SendTextMessage(_ context.Context, in *pinpointsmsvoicev2.SendTextMessageInput, _ ...func(*pinpointsmsvoicev2.Options)) (*pinpointsmsvoicev2.SendTextMessageOutput, error) {
	c.in = in
	return &pinpointsmsvoicev2.SendTextMessageOutput{}, nil
}

// pageLinks is a PageLinker that counts its calls and names each link by
// set, shard and user; fail makes LinkAll fail.
type pageLinks struct {
	one, all int
	fail     error
}

func (l *pageLinks) Link(_ context.Context, caseID, userID string, shard int) (string, error) {
	l.one++
	return fmt.Sprintf("https://n.example.org/n/%s-%d-%s", caseID, shard, userID), nil
}

func (l *pageLinks) LinkAll(_ context.Context, caseID string, shard int, users []string) ([]string, error) {
	l.all++
	if l.fail != nil {
		return nil, l.fail
	}
	out := make([]string, len(users))
	for i, u := range users {
		out[i] = fmt.Sprintf("https://n.example.org/n/%s-%d-%s", caseID, shard, u)
	}
	return out, nil
}

// people are subjects with every field set, each a different case for the
// channel: due now, after a failed e-mail, not yet due, current, no phone,
// a malformed number, a country without a sender.
func people() []casetable.Subject {
	base := casetable.Subject{
		CaseID: "case-1", Shard: 2, Name: "김민준", Email: "m@example.com", Postal: "Seoul", Locale: "ko-KR", Jurisdiction: "KR",
		Categories: []string{"name", "phone"}, Status: casetable.StatusPending, Plan: "sms", DuplicateOf: "x", MessageID: "m",
		SentAt: "2027-01-01T00:00:00Z", Reason: "r", ScopedAt: "s", UpdatedAt: "u", EventAt: "e", HolderJurisdictions: []string{"KR"},
		HolderCategories: []string{"name"}, NoticeKind: casetable.NoticeUpdate, UpdateOf: "2026-12-01T00:00:00Z", PriorVersion: 1,
		Phone: "010-1234-5678",
	}
	var out []casetable.Subject
	for i, f := range []func(*casetable.Subject){
		func(*casetable.Subject) {},
		func(s *casetable.Subject) { s.Plan, s.Status = "email>sms", casetable.StatusBounced },
		func(s *casetable.Subject) { s.Plan = "email>sms" },
		func(s *casetable.Subject) { s.Status = casetable.StatusCurrent },
		func(s *casetable.Subject) { s.Phone = "" },
		func(s *casetable.Subject) { s.Phone = "12" },
		func(s *casetable.Subject) { s.Phone, s.Jurisdiction, s.Locale = "+14155550100", "US-CA", "en-US" },
		func(s *casetable.Subject) { s.Plan = "" },
	} {
		s := base
		s.UserID = fmt.Sprintf("u-%d", i)
		s.PK, s.SK = casetable.SubjectPK(s.CaseID, s.Shard), casetable.SubjectSK(s.UserID)
		f(&s)
		out = append(out, s)
	}
	return out
}

func channel(t *testing.T, links sms.Linker) (*sms.Channel, *lastInput) {
	t.Helper()
	senders, err := sms.ParseSenders([]string{"KR=0215881234"})
	if err != nil {
		t.Fatal(err)
	}
	c := &lastInput{}
	return &sms.Channel{Client: c, Senders: senders, Org: "카카오페이", Links: links}, c
}

// outcome is what Prepare made of a person: the text's input, or the error.
func outcome(t *testing.T, c *lastInput, send delivery.Outgoing, err error) string {
	t.Helper()
	if err != nil {
		return "error: " + err.Error()
	}
	c.in = nil
	if _, err := send(context.Background()); err != nil {
		t.Fatal(err)
	}
	in := c.in
	return fmt.Sprintf("to %s from %s (%s, %s): %s %v", aws.ToString(in.DestinationPhoneNumber), aws.ToString(in.OriginationIdentity),
		in.MessageType, aws.ToString(in.ConfigurationSetName), aws.ToString(in.MessageBody), in.Context)
}

// The pipeline reads only the channel's Attributes of each person: Prepare
// must make the same text of a person read that way as of the whole
// subject, for every kind of person.
func TestPrepareReadsOnlyItsAttributes(t *testing.T) {
	ch, c := channel(t, &pageLinks{})
	keep := append([]string{casetable.AttrPK, casetable.AttrSK, "user_id", "case_id", "shard"}, ch.Attributes()...)
	for _, s := range people() {
		item, err := attributevalue.MarshalMap(s)
		if err != nil {
			t.Fatal(err)
		}
		for k := range item {
			if !slices.Contains(keep, k) {
				delete(item, k)
			}
		}
		var read casetable.Subject
		if err := attributevalue.UnmarshalMap(item, &read); err != nil {
			t.Fatal(err)
		}
		send, err := ch.Prepare(context.Background(), &s)
		full := outcome(t, c, send, err)
		send, err = ch.Prepare(context.Background(), &read)
		if got := outcome(t, c, send, err); got != full {
			t.Errorf("%s read with the channel's attributes: %s\nwhole subject: %s", s.UserID, got, full)
		}
	}
}

// PreparePage makes of each person what Prepare makes, with the page's
// links issued in one call; a failed issue fails every person it was for
// with an error that stops the run; without a PageLinker it leaves the
// page to Prepare.
func TestPreparePageIsPrepareWithLinksAtOnce(t *testing.T) {
	links := &pageLinks{}
	ch, c := channel(t, links)
	page := people()
	got := ch.PreparePage(context.Background(), slices.Clone(page))
	if len(got) != len(page) || links.all != 1 || links.one != 0 {
		t.Fatalf("PreparePage: %d results for %d people, %d LinkAll and %d Link calls; want one LinkAll", len(got), len(page), links.all, links.one)
	}
	for i := range page {
		a := outcome(t, c, got[i].Send, got[i].Err)
		send, err := ch.Prepare(context.Background(), &page[i])
		if b := outcome(t, c, send, err); a != b {
			t.Errorf("%s: page %s, person %s", page[i].UserID, a, b)
		}
	}
	links.fail = errors.New("table down")
	for i, p := range ch.PreparePage(context.Background(), people()) {
		var refusal *delivery.Refusal
		if p.Err == nil || (!errors.Is(p.Err, delivery.ErrNotOnChannel) && !errors.As(p.Err, &refusal) && !errors.Is(p.Err, links.fail)) {
			t.Errorf("person %d with links failing: %v", i, p.Err)
		}
	}
	links.fail = sms.ErrNoLink
	for i, p := range ch.PreparePage(context.Background(), people()) {
		var refusal *delivery.Refusal
		if i == 0 && (!errors.As(p.Err, &refusal) || refusal.Code != "no_link") {
			t.Errorf("no link: %v, want refused no_link", p.Err)
		}
	}
	one, _ := channel(t, oneLink{})
	if one.PreparePage(context.Background(), people()) != nil {
		t.Error("a Linker of one link at a time: PreparePage prepared the page")
	}
}

type oneLink struct{}

func (oneLink) Link(context.Context, string, string, int) (string, error) { return "https://n/x", nil }
