package delivery

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
)

// NewSESClient is the SES v2 client of the send stage. The SDK's own
// retries are off for it: the pipeline retries every send itself and only
// through its pacer, so a throttled send's next try counts against the
// account's rate like any other call, and a 429 for the spent daily quota
// stops the batch at once. With the SDK's standard retryer each
// TooManyRequestsException was tried twice more, unpaced, before the
// pipeline saw it. Filings retry in Filer.send; GetAccount asks for the
// standard retryer per call (Config.Pacing).
func NewSESClient(cfg aws.Config, optFns ...func(*sesv2.Options)) *sesv2.Client {
	return sesv2.NewFromConfig(cfg, append([]func(*sesv2.Options){func(o *sesv2.Options) {
		o.Retryer = aws.NopRetryer{}
	}}, optFns...)...)
}

// standardRetries gives one call the SDK's standard retryer back, for the
// control-plane calls the send stage makes once per cold start.
func standardRetries(o *sesv2.Options) { o.Retryer = retry.NewStandard() }
