package delivery

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"

	"breachflow/internal/casetable"
)

// Channel is one way a notice reaches a person. The pipeline owns what
// every channel shares (the shard's lease, the pacer, the workers, the
// batched records and so the duplicate bound, crash resume, the stop
// errors); a channel says only how one person's message is made, how it is
// sent and what a send error means. E-mail through SES is the pipeline's
// own channel (a Pipeline without a Channel); package sms supplies the SMS
// one.
type Channel interface {
	// Name is the channel's name in the ledger (casetable.ChannelSMS): its
	// sends are leased and recorded in a send partition of their own.
	Name() string
	// Prepare makes one person's message. ErrNotOnChannel skips the person
	// (nothing is recorded: they are not this channel's); a *Refusal fails
	// them on this channel, a record that is their fallback entry; any
	// other error would hit everyone (a template bug, a notice not posted
	// yet) and stops the run. ctx bounds the work (a notice link issued,
	// say): it ends with the run.
	Prepare(ctx context.Context, s *casetable.Subject) (Outgoing, error)
	// Classify says what the pipeline does after a send error.
	Classify(err error) Outcome
}

// Outgoing sends one prepared message and returns its message id. The
// pipeline calls it once per try, each try after a slot of the pacer.
type Outgoing func(ctx context.Context) (messageID string, err error)

// ErrNotOnChannel is Prepare's answer for a person the channel does not
// serve (no phone number, not in their channel plan).
var ErrNotOnChannel = errors.New("delivery: person not on this channel")

// Refusal is Prepare's answer for a person the channel cannot send to:
// Code is the ledger's reason ("invalid_number", "no_sender", "too_long"),
// never personal data; Err says why, naming the field only.
type Refusal struct {
	Code string
	Err  error
}

func (e *Refusal) Error() string { return fmt.Sprintf("refused (%s): %v", e.Code, e.Err) }
func (e *Refusal) Unwrap() error { return e.Err }

// Outcome is what a send error means to the pipeline.
type Outcome = class

// Outcomes of a send error.
const (
	// OutcomeRetry: transient (a server or transport error): back off and
	// try again, six times before the run stops.
	OutcomeRetry = classRetry
	// OutcomeThrottle: over the service's rate: back off and try again
	// while the lease lasts.
	OutcomeThrottle = classThrottle
	// OutcomeReject: this message or destination: the person fails on the
	// channel (fallback).
	OutcomeReject = classReject
	// OutcomeStopQuota stops the run with DailyQuotaExceeded.
	OutcomeStopQuota = classStopQuota
	// OutcomeStopPause stops the run with SendingPaused.
	OutcomeStopPause = classStopPause
	// OutcomeStopConf stops the run with SendConfigInvalid.
	OutcomeStopConf = classStopConf
)

// ErrorCode is the code of an AWS API error (its ErrorCode), or "error".
// Channels use it for failure reasons; it never carries the request.
func ErrorCode(err error) string { return errorCode(err) }

// emailChannel is the pipeline's own channel: SES v2 SendEmail.
type emailChannel struct{ p *Pipeline }

func (emailChannel) Name() string { return "" }

func (c emailChannel) Prepare(_ context.Context, s *casetable.Subject) (Outgoing, error) {
	// A plan that leaves e-mail out, or puts it after a text that has
	// not failed: not this channel's person now, whatever address they
	// have. Nothing is recorded, so the e-mail Map's second round (after
	// the receipt window) asks again.
	due, err := EmailDue(s)
	if err != nil {
		return nil, &Refusal{Code: "bad_plan", Err: err}
	}
	if !due {
		return nil, ErrNotOnChannel
	}
	if !validAddress(s.Email) {
		return nil, &Refusal{Code: "invalid_address", Err: errors.New("email: not a plain address")}
	}
	msg, err := c.p.render(s)
	if err != nil {
		return nil, err
	}
	in := c.p.Input(s, msg)
	return func(ctx context.Context) (string, error) {
		out, err := c.p.SES.SendEmail(ctx, in)
		if err != nil {
			return "", err
		}
		return aws.ToString(out.MessageId), nil
	}, nil
}

func (emailChannel) Classify(err error) Outcome { return classify(err) }
