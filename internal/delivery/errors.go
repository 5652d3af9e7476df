package delivery

import (
	"errors"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
)

// SendingPaused stops the send stage: SES paused sending for the account or
// its configuration set (reputation: bounce or complaint rate), or suspended
// the account. Nothing more can go out until a person acts, so the state
// machine raises the alarm instead of retrying.
type SendingPaused struct {
	// Reason is SES's error code: SendingPausedException or
	// AccountSuspendedException.
	Reason string
}

// Error says why sending stopped.
func (e *SendingPaused) Error() string { return "SES sending is paused: " + e.Reason }

// DailyQuotaExceeded stops the batch: the account's 24-hour quota is spent.
// Unlike per-second throttling, retrying soon is pointless; the state machine
// waits and runs the stage again, which resumes where this one stopped.
type DailyQuotaExceeded struct{}

// Error says why sending stopped.
func (e *DailyQuotaExceeded) Error() string { return "SES daily sending quota exceeded" }

// SendConfigInvalid stops the batch: the sending identity or configuration
// set is not usable (MAIL FROM domain not verified, configuration set not
// found), which would fail every person alike.
type SendConfigInvalid struct {
	// Reason is SES's error code.
	Reason string
}

// Error says why sending stopped.
func (e *SendConfigInvalid) Error() string { return "SES sending is misconfigured: " + e.Reason }

// class is what a SendEmail error means for the person being sent to.
type class int

const (
	classRetry     class = iota // transient: back off and send again
	classThrottle               // per-second rate exceeded: back off and send again
	classReject                 // this message or address: mark failed, fallback list
	classStopQuota              // daily quota: stop, resume later
	classStopPause              // account paused or suspended: stop and alarm
	classStopConf               // identity or configuration set: stop
)

// classify sorts a SendEmail error. SES reports both per-second throttling
// and the spent daily quota as TooManyRequestsException (HTTP 429); only the
// message tells them apart.
func classify(err error) class {
	var (
		tooMany   *types.TooManyRequestsException
		rejected  *types.MessageRejected
		bad       *types.BadRequestException
		paused    *types.SendingPausedException
		suspended *types.AccountSuspendedException
		mailFrom  *types.MailFromDomainNotVerifiedException
		notFound  *types.NotFoundException
	)
	switch {
	case errors.As(err, &tooMany):
		if strings.Contains(strings.ToLower(tooMany.ErrorMessage()), "daily") {
			return classStopQuota
		}
		return classThrottle
	case errors.As(err, &rejected), errors.As(err, &bad):
		return classReject
	case errors.As(err, &paused), errors.As(err, &suspended):
		return classStopPause
	case errors.As(err, &mailFrom), errors.As(err, &notFound):
		return classStopConf
	}
	return classRetry
}

// errorCode is the SES error code of err, for logs and reasons.
func errorCode(err error) string {
	var coded interface{ ErrorCode() string }
	if errors.As(err, &coded) {
		return coded.ErrorCode()
	}
	return "error"
}
