package sms

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/pinpointsmsvoicev2"
	"github.com/aws/aws-sdk-go-v2/service/pinpointsmsvoicev2/types"

	"breachflow/internal/breach"
	"breachflow/internal/casetable"
	"breachflow/internal/channelplan"
	"breachflow/internal/delivery"
	"breachflow/internal/ledger"
	"breachflow/internal/notice"
)

// Sender is the part of the End User Messaging SMS client the channel uses.
type Sender interface {
	SendTextMessage(ctx context.Context, in *pinpointsmsvoicev2.SendTextMessageInput, opts ...func(*pinpointsmsvoicev2.Options)) (*pinpointsmsvoicev2.SendTextMessageOutput, error)
}

// NewClient builds the SMS client the channel sends with. Like the SES
// client of package delivery it makes no retries of its own: the pipeline
// retries, each try after a slot of its pacer, so retries cannot push the
// rate over the origination identity's MPS.
func NewClient(cfg aws.Config, optFns ...func(*pinpointsmsvoicev2.Options)) *pinpointsmsvoicev2.Client {
	return pinpointsmsvoicev2.NewFromConfig(cfg, append([]func(*pinpointsmsvoicev2.Options){func(o *pinpointsmsvoicev2.Options) {
		o.Retryer = aws.NopRetryer{}
	}}, optFns...)...)
}

// Context keys put on every text: the configuration set's event
// destination carries them back with each delivery receipt (Event), as SES
// tags do for e-mail. Values are ids, never personal data.
const (
	ContextCase  = "case_id"
	ContextUser  = "user_id"
	ContextShard = "shard"
)

// Channel is the SMS channel of the send pipeline (a delivery.Channel): for
// each person with a phone number it checks the number (E.164, a country
// with a configured sender), writes the short text in the person's
// language with the link to their full notice, counts it for the country
// (SMS/LMS in EUC-KR bytes in Korea, GSM-7 or UCS-2 segments elsewhere)
// and sends it with SendTextMessage.
type Channel struct {
	Client  Sender
	Senders Senders
	// Org is the organisation's name texts open with when the channel
	// composes them (no Approved texts: plan, pacing, bench). The send
	// stage sends the approved drafts, which open with the report's
	// organisation name (package draft).
	Org string
	// ConfigurationSet routes delivery receipts to the event destination.
	ConfigurationSet string
	// Links gives each person's notice page link.
	Links Linker
	// MaxPrice, when set, is the most one message may cost in US dollars
	// (SendTextMessage's MaxPrice): a text that would cost more is refused
	// by the service and the person fails on the channel.
	MaxPrice string
	// Approved, when set, are the case's approved texts (the SMS drafts,
	// each ending in SampleLink; WithTexts): by language the first text,
	// under UpdateKey the update text (with SampleDate), under ClosingKey
	// and PossibilityKey the closing and possibility texts (kinds.go).
	// Each person gets their kind of text in their language with
	// SampleLink replaced by their own link and SampleDate by their
	// earlier notice's date, so what is sent is what the approvers read.
	// Unset (bench, plan), texts are composed with Org.
	Approved map[string]string
	// jurisdictional says Approved holds a closing or possibility text
	// (set by WithTexts).
	jurisdictional bool
}

// WithTexts is the channel sending the case's approved texts (Approved);
// the send stage calls it with the drafts the approval bound
// (draft.Approved.Texts) before each batch.
func (c *Channel) WithTexts(approved map[string]string) delivery.Channel {
	cc := *c
	cc.Approved = approved
	cc.jurisdictional = hasJurisdictional(approved)
	return &cc
}

// Name is the channel's ledger name.
func (c *Channel) Name() string { return casetable.ChannelSMS }

// Attributes are the subject attributes Prepare reads (besides the keys,
// user id, case and shard): the pipeline reads only these of each person
// (delivery.Projection). Prepare reading a field that is not here would
// see it empty; TestPrepareReadsOnlyItsAttributes checks that none does.
func (c *Channel) Attributes() []string {
	return []string{"phone", "locale", "jurisdiction", "status", "plan", "notice_kind", "update_of"}
}

// Prepare makes one person's text. A person without a phone number is not
// the channel's (delivery.ErrNotOnChannel); a malformed number, a number in
// a country without a configured sender, a person without a notice page and
// a text over its limit are *delivery.Refusal with the reason's code, so
// the person is recorded as failed on SMS (their fallback entry).
func (c *Channel) Prepare(ctx context.Context, s *casetable.Subject) (delivery.Outgoing, error) {
	n, from, err := c.check(s)
	if err != nil {
		return nil, err
	}
	link, err := c.Links.Link(ctx, s.CaseID, s.UserID, s.Shard)
	if err != nil {
		return nil, linkError(err)
	}
	return c.outgoing(s, n, from, link)
}

// PreparePage prepares the people of one page (all of one shard) as
// Prepare does each, but issues their links at once when Links is a
// PageLinker: one read of the posting and one write for the page instead
// of one each per text. The pipeline calls it one page ahead of its
// workers (delivery.PagePreparer). nil when Links issues one link at a
// time: the pipeline then calls Prepare per person.
func (c *Channel) PreparePage(ctx context.Context, page []casetable.Subject) []delivery.Prepared {
	pl, ok := c.Links.(PageLinker)
	if !ok {
		return nil
	}
	type checked struct {
		n    Number
		from string
	}
	out := make([]delivery.Prepared, len(page))
	checks := make([]checked, len(page))
	// People to link, by subject set and shard (one of each on a page).
	type shardKey struct {
		set   string
		shard int
	}
	need := map[shardKey][]int{}
	var order []shardKey
	for i := range page {
		s := &page[i]
		n, from, err := c.check(s)
		if err != nil {
			out[i].Err = err
			continue
		}
		checks[i] = checked{n, from}
		k := shardKey{s.CaseID, s.Shard}
		if _, seen := need[k]; !seen {
			order = append(order, k)
		}
		need[k] = append(need[k], i)
	}
	for _, k := range order {
		idx := need[k]
		ids := make([]string, len(idx))
		for j, i := range idx {
			ids[j] = page[i].UserID
		}
		links, err := pl.LinkAll(ctx, k.set, k.shard, ids)
		if err == nil && len(links) != len(ids) {
			err = fmt.Errorf("%d links for %d people", len(links), len(ids))
		}
		for j, i := range idx {
			if err != nil {
				out[i].Err = linkError(err)
				continue
			}
			out[i].Send, out[i].Err = c.outgoing(&page[i], checks[i].n, checks[i].from, links[j])
		}
	}
	return out
}

// check is Prepare's part before the link: whether s is the channel's
// now, their number, and the sender for its country.
func (c *Channel) check(s *casetable.Subject) (Number, string, error) {
	if s.Phone == "" {
		return Number{}, "", delivery.ErrNotOnChannel
	}
	due, err := Due(s)
	if err != nil {
		return Number{}, "", &delivery.Refusal{Code: "bad_plan", Err: err}
	}
	if !due {
		return Number{}, "", delivery.ErrNotOnChannel
	}
	n, err := ParseNumber("phone", s.Phone, breach.Jurisdiction(s.Jurisdiction).Country())
	if err != nil {
		return Number{}, "", refusal(err)
	}
	from, err := c.Senders.For(n.Country())
	if err != nil {
		return Number{}, "", refusal(err)
	}
	return n, from, nil
}

func linkError(err error) error {
	if errors.Is(err, ErrNoLink) {
		return &delivery.Refusal{Code: "no_link", Err: err}
	}
	return fmt.Errorf("notice link: %w", err)
}

// outgoing is Prepare's part after the link: the text and its send.
func (c *Channel) outgoing(s *casetable.Subject, n Number, from, link string) (delivery.Outgoing, error) {
	body, err := c.body(s, link)
	if err != nil {
		return nil, err
	}
	if _, err := SplitText("message", body, n.Country()); err != nil {
		return nil, refusal(err)
	}
	in := &pinpointsmsvoicev2.SendTextMessageInput{
		DestinationPhoneNumber: aws.String(n.E164()),
		OriginationIdentity:    aws.String(from),
		MessageBody:            aws.String(body),
		MessageType:            types.MessageTypeTransactional,
		Context: map[string]string{
			ContextCase:  delivery.TagValue(s.CaseID),
			ContextUser:  delivery.TagValue(s.UserID),
			ContextShard: strconv.Itoa(s.Shard),
		},
	}
	if c.ConfigurationSet != "" {
		in.ConfigurationSetName = aws.String(c.ConfigurationSet)
	}
	if c.MaxPrice != "" {
		in.MaxPrice = aws.String(c.MaxPrice)
	}
	return func(ctx context.Context) (string, error) {
		out, err := c.Client.SendTextMessage(ctx, in)
		if err != nil {
			return "", err
		}
		return aws.ToString(out.MessageId), nil
	}, nil
}

// Due reports whether s is to get a text now, by their channel plan
// (casetable.Subject.Plan): SMS is in the plan's first step, or comes after
// e-mail and their e-mail failed (bounced, refused, or never possible:
// ledger.FallbackStatuses). A person a later version leaves current gets
// nothing. A subject scoped before plans existed (no plan at all) gets a
// text when they have a phone number, as before.
//
// Nobody is texted whose e-mail has not failed yet: a send stage that runs
// before an e-mail bounces passes them by without a record, and the next
// run of the stage (the state machine runs it again after the bounce
// window) texts them once the bounce is filed.
func Due(s *casetable.Subject) (bool, error) {
	if s.Plan == "" {
		return s.Phone != "", nil
	}
	if s.Status == casetable.StatusCurrent {
		return false, nil
	}
	plan, err := channelplan.Parse(s.Plan)
	if err != nil {
		return false, err
	}
	return plan.Due(channelplan.SMS, func(ch string) bool {
		return ch == channelplan.Email && slices.Contains(ledger.FallbackStatuses, s.Status)
	}), nil
}

func refusal(err error) error {
	var fe *FieldError
	if errors.As(err, &fe) {
		return &delivery.Refusal{Code: fe.Code, Err: err}
	}
	var tl *TooLong
	if errors.As(err, &tl) {
		return &delivery.Refusal{Code: "too_long", Err: err}
	}
	return err
}

// Classify maps a SendTextMessage error to what the pipeline does
// (the API's errors: ServiceQuotaExceededException, ThrottlingException,
// AccessDeniedException, ResourceNotFoundException, ValidationException,
// ConflictException, InternalServerException).
func (c *Channel) Classify(err error) delivery.Outcome {
	var (
		throttled *types.ThrottlingException
		quota     *types.ServiceQuotaExceededException
		denied    *types.AccessDeniedException
		notFound  *types.ResourceNotFoundException
		invalid   *types.ValidationException
		conflict  *types.ConflictException
	)
	switch {
	case errors.As(err, &throttled):
		return delivery.OutcomeThrottle
	case errors.As(err, &quota):
		if strings.HasPrefix(string(quota.Reason), "MONTHLY_SPEND_LIMIT") || strings.HasPrefix(string(quota.Reason), "DAILY_") {
			return delivery.OutcomeStopQuota
		}
		return delivery.OutcomeStopConf
	case errors.As(err, &denied):
		return delivery.OutcomeStopPause
	case errors.As(err, &notFound):
		return delivery.OutcomeStopConf // the origination identity or configuration set
	case errors.As(err, &conflict):
		// The destination opted out, or the identity is busy with a
		// change: either way not this person's notice on SMS.
		return delivery.OutcomeReject
	case errors.As(err, &invalid):
		switch invalid.Reason {
		case types.ValidationExceptionReasonInvalidIdentityForDestinationCountry,
			types.ValidationExceptionReasonSenderIdNotRegistered,
			types.ValidationExceptionReasonSenderIdRequiresRegistration,
			types.ValidationExceptionReasonSenderIdNotSupported,
			types.ValidationExceptionReasonCountryNotEnabled,
			types.ValidationExceptionReasonChannelNotEnabled:
			// A sender problem hits everyone of the country: stop.
			return delivery.OutcomeStopConf
		}
		return delivery.OutcomeReject
	}
	return delivery.OutcomeRetry
}

//go:embed texts.json
var textsJSON []byte

var texts = mustTexts()

func mustTexts() map[string]map[breach.Element]string {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(textsJSON, &raw); err != nil {
		panic(fmt.Sprintf("sms: texts.json: %v", err))
	}
	out := map[string]map[breach.Element]string{}
	for lang, r := range raw {
		if strings.HasPrefix(lang, "_") {
			continue
		}
		var m map[breach.Element]string
		if err := json.Unmarshal(r, &m); err != nil {
			panic(fmt.Sprintf("sms: texts.json %s: %v", lang, err))
		}
		out[lang] = m
	}
	return out
}

// Compose writes the short text in locale's language (its base language;
// English when there is no text for it) with the link to the full notice.
func (c *Channel) Compose(locale, link string) (Text, error) {
	return c.compose(locale, link, breach.ElementNature, breach.ElementNature, "")
}

// body is the text sent to s with link: their kind of text (first,
// update, closing or possibility, kinds.go) in their language, the approved one when
// the channel has approved texts, else composed.
func (c *Channel) body(s *casetable.Subject, link string) (string, error) {
	if c.Approved != nil {
		return c.approvedBody(s, link)
	}
	var t Text
	var err error
	if s.NoticeKind == casetable.NoticeUpdate {
		var date string
		if date, err = notice.FormatDate(textLang(s.Locale), s.Jurisdiction, updateOf(s)); err != nil {
			return "", err
		}
		t, err = c.ComposeUpdate(s.Locale, date, link)
	} else {
		t, err = c.Compose(s.Locale, link)
	}
	if err != nil {
		return "", err
	}
	return t.String(), nil
}

// SampleLink stands for a person's link in the SMS drafts the approvers
// read: the shape and length of a real one (an https URL with a 28
// character token), no person's token. The send stage replaces it with
// each person's own link.
const SampleLink = planLink

// Sample is the text the SMS channel sends in locale's language for
// organisation org, with SampleLink for the person's link: what drafting
// shows the approvers (package draft).
func Sample(org, locale string) (Text, error) {
	return (&Channel{Org: org}).Compose(locale, SampleLink)
}

// CheckLocale is the SMS channel's content check for one language against
// duty d: the text as Compose writes it, with a link (the full notice
// behind it is checked on its page).
func (c *Channel) CheckLocale(locale string, d notice.Duty) error {
	t, err := c.Compose(locale, "https://notice.invalid/x")
	if err != nil {
		return err
	}
	return Check("sms/"+locale+" for "+string(d.Jurisdiction), t, d)
}

// Off is the SMS channel of a deployment with no SMS senders: everyone
// whose plan gives them a text now is refused on SMS ("sms_off"), which
// moves them on along their plan (a letter, or the posted notice) and keeps
// them accounted for, instead of leaving them waiting for a channel that
// will not come.
type Off struct{}

// Name is the channel's ledger name.
func (Off) Name() string { return casetable.ChannelSMS }

// Prepare refuses the people due a text and skips the rest.
func (Off) Prepare(_ context.Context, s *casetable.Subject) (delivery.Outgoing, error) {
	if s.Phone == "" {
		return nil, delivery.ErrNotOnChannel
	}
	due, err := Due(s)
	if err != nil || !due {
		return nil, delivery.ErrNotOnChannel
	}
	return nil, &delivery.Refusal{Code: "sms_off", Err: errors.New("sms: no sender configured for any country")}
}

// Classify is never asked: Off sends nothing.
func (Off) Classify(error) delivery.Outcome { return delivery.OutcomeReject }
