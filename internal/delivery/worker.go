package delivery

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"breachflow/internal/casetable"
	"breachflow/internal/email"
	"breachflow/internal/ledger"
)

// Tag names put on every notice; SES events carry them back, and the
// sesevents package finds the subject by them.
const (
	TagCase  = "case_id"
	TagUser  = "user_id"
	TagShard = "shard"
	// TagObligation marks a regulator filing, by its obligation id.
	TagObligation = "obligation_id"
)

// transientTries is how often a send that failed with a server or
// transport error is tried before the run stops: with DefaultBackoff about
// three seconds of waiting, which rides out a passing blip. The SDK makes
// no retries of its own (NewSESClient).
const transientTries = 6

// work takes one person from page to outcome. It reports whether the
// outcome went to the recorder, which then finishes the job; otherwise the
// job is finished when work returns.
func (r *run) work(ctx context.Context, j job) (recording bool) {
	p := r.p
	if r.stopping() {
		r.postpone(j.page)
		return false
	}
	s := &j.s
	s.CaseID, s.Shard = r.b.CaseID, r.b.Shard // where it was read, whatever the item says
	key := ledger.SubjectKey(r.b.CaseID, r.b.Shard, s.UserID)
	ch := p.channel()
	var send Outgoing
	var err error
	if j.prepared != nil {
		send, err = j.prepared.Send, j.prepared.Err
	} else {
		pctx, cancel := context.WithTimeout(ctx, p.SendTimeout)
		send, err = ch.Prepare(pctx, s)
		cancel()
	}
	if refused, ok := errors.AsType[*Refusal](err); ok {
		return r.refuse(ctx, key, j, refused.Code)
	}
	switch {
	case errors.Is(err, ErrNotOnChannel):
		r.skipped.Add(1)
		return false
	case err != nil && ctx.Err() != nil:
		r.postpone(j.page) // the run is ending, not the person's fault
		return false
	case err != nil:
		// A render error is a template or data bug that would hit everyone
		// alike: stop rather than fail people for it.
		r.postpone(j.page)
		r.halt(fmt.Errorf("render notice for user %s: %w", s.UserID, err))
		return false
	}
	// The slot is held from before the send until its record is written:
	// this is what bounds the sends a crash leaves unrecorded.
	if !r.rec.acquire(ctx) {
		r.postpone(j.page)
		return false
	}
	for try := 0; ; try++ {
		if err := p.pacer.Wait(ctx); err != nil || !p.Now().Before(r.claimUntil()) {
			// Too late to send inside the lease (the queue for slots can be
			// long at a low rate): leave the person to the next run.
			r.rec.give()
			r.postpone(j.page)
			return false
		}
		// A stop must not cut a send short: an aborted call may still have
		// been sent, and then its record would be lost.
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), p.SendTimeout)
		id, err := send(sctx)
		cancel()
		if err == nil {
			r.sent.Add(1)
			r.rec.record(ledger.Send{UserID: s.UserID, Page: j.start, MessageID: id, SentAt: p.Now()}, j.page)
			return true
		}
		stop := func(e error) bool {
			r.rec.give()
			r.postpone(j.page)
			if e != nil {
				r.halt(e)
			}
			return false
		}
		switch ch.Classify(err) {
		case classReject:
			if p.Channel != nil {
				// The slot goes on to the failure's record.
				r.failed.Add(1)
				r.rec.record(ledger.Send{UserID: s.UserID, Page: j.start, SentAt: p.Now(), Failed: "rejected:" + errorCode(err)}, j.page)
				return true
			}
			r.rec.give()
			r.fail(ctx, key, j.page, "rejected:"+errorCode(err))
			return false
		case classStopQuota:
			return stop(&DailyQuotaExceeded{})
		case classStopPause:
			return stop(&SendingPaused{Reason: errorCode(err)})
		case classStopConf:
			return stop(&SendConfigInvalid{Reason: errorCode(err)})
		case classRetry:
			if try >= transientTries-1 {
				// An error that outlasts the retries (SES unreachable, server
				// errors) would hit everyone after this person too: stop the
				// run and let the state machine's retry policy decide, rather
				// than fail people for it.
				return stop(fmt.Errorf("send %s: %d tries: %w", p.channelName(), try+1, err))
			}
		}
		d := p.Backoff.Delay(try)
		if p.Now().Add(d).After(r.claimUntil()) {
			return stop(nil)
		}
		select {
		case <-time.After(d):
		case <-r.stop:
			return stop(nil)
		case <-ctx.Done():
			return stop(nil)
		}
	}
}

// render calls the renderer, turning a panic into an error: a worker that
// panicked would take the whole invocation down with its sends unrecorded.
func (p *Pipeline) render(s *casetable.Subject) (m email.Message, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("renderer panicked: %v", v)
		}
	}()
	return p.Render(s)
}

// refuse fails a person the channel cannot send to. E-mail marks the
// subject failed (FailSubject); another channel records the failure in its
// own send partition, batched like a send, so the person's fallback entry
// on that channel is written and the channel is done with them.
func (r *run) refuse(ctx context.Context, key ledger.Key, j job, code string) (recording bool) {
	if r.p.Channel == nil {
		r.fail(ctx, key, j.page, code)
		return false
	}
	if !r.rec.acquire(ctx) {
		r.postpone(j.page)
		return false
	}
	r.failed.Add(1)
	r.rec.record(ledger.Send{UserID: j.s.UserID, Page: j.start, SentAt: r.p.Now(), Failed: code}, j.page)
	return true
}

// fail marks the person failed: they go to the fallback list.
func (r *run) fail(ctx context.Context, key ledger.Key, page int, reason string) {
	err := r.p.Ledger.FailSubject(context.WithoutCancel(ctx), key, reason, r.p.Now())
	switch {
	case err == nil:
		r.failed.Add(1)
	case errors.Is(err, ledger.ErrNotPending):
		r.skipped.Add(1)
	default:
		r.left(page)
		r.halt(fmt.Errorf("record failure: %w", err))
	}
}

// postpone counts a person left unsent for the next run.
func (r *run) postpone(page int) {
	r.deferred.Add(1)
	r.left(page)
}

// Input builds the SendEmail call the pipeline makes for one person (the
// benchmark sends the same call straight to SES to compare). The subject
// is cleaned again (email.Header) where it becomes a header: a rendered
// subject is clean already and goes out as approved, without a copy.
func (p *Pipeline) Input(s *casetable.Subject, m email.Message) *sesv2.SendEmailInput {
	utf8 := aws.String("UTF-8")
	body := &types.Body{}
	if m.Text != "" {
		body.Text = &types.Content{Data: aws.String(m.Text), Charset: utf8}
	}
	if m.HTML != "" {
		body.Html = &types.Content{Data: aws.String(m.HTML), Charset: utf8}
	}
	in := &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(p.From),
		Destination:      &types.Destination{ToAddresses: []string{s.Email}},
		Content: &types.EmailContent{Simple: &types.Message{
			Subject: &types.Content{Data: aws.String(email.Header(m.Subject)), Charset: utf8},
			Body:    body,
		}},
		EmailTags: []types.MessageTag{
			{Name: aws.String(TagCase), Value: aws.String(TagValue(s.CaseID))},
			{Name: aws.String(TagUser), Value: aws.String(TagValue(s.UserID))},
			{Name: aws.String(TagShard), Value: aws.String(strconv.Itoa(s.Shard))},
		},
	}
	if p.ConfigurationSet != "" {
		in.ConfigurationSetName = aws.String(p.ConfigurationSet)
	}
	return in
}

// tagPrefix marks a tag value that had to be encoded.
const tagPrefix = "b64_"

// TagValue makes id fit an SES tag value (ASCII letters, digits, _ and -):
// ids that do not fit are base64url-encoded behind a prefix. ParseTagValue
// undoes it.
func TagValue(id string) string {
	if id != "" && !strings.HasPrefix(id, tagPrefix) && len(id) <= 200 && strings.Trim(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == "" {
		return id
	}
	return tagPrefix + base64.RawURLEncoding.EncodeToString([]byte(id))
}

// ParseTagValue returns the id TagValue encoded.
func ParseTagValue(v string) (string, error) {
	enc, ok := strings.CutPrefix(v, tagPrefix)
	if !ok {
		return v, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil {
		return "", fmt.Errorf("tag value %q: %w", v, err)
	}
	return string(b), nil
}

// validAddress accepts a bare address (no display name, no spaces), the form
// scoping stores. Anything else is failed before SES sees it.
func validAddress(s string) bool {
	if s == "" || len(s) > 254 || strings.ContainsAny(s, " \t\r\n<>\"") {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s {
		return false
	}
	local, domain, ok := strings.Cut(s, "@")
	return ok && local != "" && strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}
