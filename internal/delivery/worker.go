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

// work takes one person from claim to recorded outcome.
func (r *run) work(ctx context.Context, j job) {
	p := r.p
	if r.stopping() {
		r.left(j.page)
		return
	}
	now := p.Now()
	if j.s.Status == casetable.StatusClaimed && j.s.LeaseUntil >= now.UnixMilli() {
		r.busy.Add(1)
		for {
			cur := r.busyUntil.Load()
			if j.s.LeaseUntil <= cur || r.busyUntil.CompareAndSwap(cur, j.s.LeaseUntil) {
				break
			}
		}
		return
	}
	key := ledger.SubjectKey(r.b.CaseID, r.b.Shard, j.s.UserID)
	s, err := r.claim(ctx, key, j, now)
	if errors.Is(err, ledger.ErrNotClaimable) {
		r.skipped.Add(1)
		return
	}
	if err != nil {
		r.left(j.page)
		r.halt(err)
		return
	}
	attempt := s.Attempts
	if !validAddress(s.Email) {
		r.finish(ctx, key, attempt, j.page, "invalid_address")
		return
	}
	if attempt > p.MaxAttempts {
		r.finish(ctx, key, attempt, j.page, "too_many_attempts")
		return
	}
	msg, err := p.Render(s)
	if err != nil {
		// A render error is a template or data bug that would hit everyone
		// alike: stop rather than fail people for it.
		r.release(ctx, key, attempt, j.page)
		r.halt(fmt.Errorf("render notice for user %s: %w", s.UserID, err))
		return
	}
	in := p.Input(s, msg)
	for try := 0; ; try++ {
		if err := p.pacer.Wait(ctx); err != nil || !p.Now().Before(r.stopClaim) {
			// Too late to send inside the lease (the queue for slots can be
			// long at a low rate): give the person back.
			r.release(ctx, key, attempt, j.page)
			return
		}
		// A stop must not cut a send short: an aborted call may still have
		// been sent, and then its complete would be lost.
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), p.SendTimeout)
		out, err := p.SES.SendEmail(sctx, in)
		cancel()
		if err == nil {
			r.complete(ctx, key, attempt, j.page, aws.ToString(out.MessageId))
			return
		}
		switch classify(err) {
		case classReject:
			r.finish(ctx, key, attempt, j.page, "rejected:"+errorCode(err))
			return
		case classStopQuota:
			r.release(ctx, key, attempt, j.page)
			r.halt(&DailyQuotaExceeded{})
			return
		case classStopPause:
			r.release(ctx, key, attempt, j.page)
			r.halt(&SendingPaused{Reason: errorCode(err)})
			return
		case classStopConf:
			r.release(ctx, key, attempt, j.page)
			r.halt(&SendConfigInvalid{Reason: errorCode(err)})
			return
		case classRetry:
			if try >= 3 {
				// An error that outlasts the retries (SES unreachable, server
				// errors) would hit everyone after this person too: stop the
				// run and let the state machine's retry policy decide, rather
				// than use up people's attempts and fail them.
				r.release(ctx, key, attempt, j.page)
				r.halt(fmt.Errorf("send email: %d tries: %w", try+1, err))
				return
			}
		}
		d := p.Backoff.Delay(try)
		if p.Now().Add(d).After(r.stopClaim) {
			r.release(ctx, key, attempt, j.page)
			return
		}
		select {
		case <-time.After(d):
		case <-r.stop:
			r.release(ctx, key, attempt, j.page)
			return
		case <-ctx.Done():
			r.release(ctx, key, attempt, j.page)
			return
		}
	}
}

// claim takes the person's lease. A person read from a page already has
// their data, so only the fencing token comes back; one named by id is read
// back whole.
func (r *run) claim(ctx context.Context, key ledger.Key, j job, now time.Time) (*casetable.Subject, error) {
	if j.byID {
		s, err := r.p.Ledger.ClaimSubject(ctx, key, now, r.lease)
		if err != nil {
			return nil, err
		}
		s.CaseID, s.Shard = r.b.CaseID, r.b.Shard // where it was claimed, whatever the item says
		return s, nil
	}
	attempt, err := r.p.Ledger.Claim(ctx, key, now, r.lease)
	if err != nil {
		return nil, err
	}
	s := j.s
	s.Status, s.Attempts, s.LeaseUntil = casetable.StatusClaimed, attempt, r.lease.UnixMilli()
	s.CaseID, s.Shard = r.b.CaseID, r.b.Shard
	return &s, nil
}

// complete records a send. A lost complete is the one way a person gets a
// second notice, so it is retried before giving up, on a context that a
// stop does not cancel.
func (r *run) complete(ctx context.Context, key ledger.Key, attempt, page int, messageID string) {
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.p.SendTimeout)
	defer cancel()
	var err error
	for try := range 4 {
		err = r.p.Ledger.Complete(wctx, key, attempt, messageID, r.p.Now())
		if err == nil || errors.Is(err, ledger.ErrLeaseLost) {
			break
		}
		time.Sleep(r.p.Backoff.Delay(try))
	}
	switch {
	case err == nil:
		r.sent.Add(1)
	case errors.Is(err, ledger.ErrLeaseLost):
		r.sent.Add(1)
		r.leaseLost.Add(1)
	default:
		r.sent.Add(1)
		r.left(page)
		r.halt(fmt.Errorf("record send: %w", err))
	}
}

// finish marks the person failed: they go to the fallback list.
func (r *run) finish(ctx context.Context, key ledger.Key, attempt, page int, reason string) {
	err := r.p.Ledger.Fail(context.WithoutCancel(ctx), key, attempt, reason, r.p.Now())
	switch {
	case err == nil:
		r.failed.Add(1)
	case errors.Is(err, ledger.ErrLeaseLost):
		r.skipped.Add(1)
	default:
		r.left(page)
		r.halt(fmt.Errorf("record failure: %w", err))
	}
}

// release gives the claim back, not counted as an attempt (the person was
// not at fault), so the next run takes the person at once. If even that
// fails, the lease expires at the run's deadline and the claim counts.
func (r *run) release(ctx context.Context, key ledger.Key, attempt, page int) {
	r.deferred.Add(1)
	r.left(page)
	if err := r.p.Ledger.Release(context.WithoutCancel(ctx), key, attempt, true, r.p.Now()); err != nil && !errors.Is(err, ledger.ErrLeaseLost) {
		r.p.Log.Warn("release claim failed; it expires with the lease", "case_id", r.b.CaseID, "error", err)
	}
}

// Input builds the SendEmail call the pipeline makes for one person (the
// benchmark sends the same call straight to SES to compare).
func (p *Pipeline) Input(s *casetable.Subject, m Message) *sesv2.SendEmailInput {
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
			Subject: &types.Content{Data: aws.String(oneLine(m.Subject)), Charset: utf8},
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

// oneLine keeps header text on one line: no CR or LF reaches a header.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '\r' || r == '\n' }), " ")
}
