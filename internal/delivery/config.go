package delivery

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"breachflow/internal/envconfig"
)

// Config is the send function's configuration, read once at cold start.
type Config struct {
	// Table is the case table (CASE_TABLE).
	Table string
	// From is the sender address of notices and filings (SENDER_ADDRESS).
	From string
	// ConfigurationSet routes SES events to the event destination
	// (SES_CONFIGURATION_SET, optional).
	ConfigurationSet string
	// AccountRate is the SES account's sends per second
	// (SES_MAX_SEND_RATE); 0 means ask SES (GetAccount's MaxSendRate).
	AccountRate float64
	// Parallel is how many send invocations run at once: the Map's
	// MaxConcurrency (SEND_PARALLELISM, default 1). Each gets
	// AccountRate/Parallel.
	Parallel int
	// Latency is the expected SendEmail latency that sizes the workers
	// (SES_LATENCY_MS, default 60).
	Latency time.Duration
}

// LoadConfig reads Config once, at cold start, through lookup
// (os.LookupEnv in the function; the function's resolved environment in the
// local stack). A missing or malformed variable is an error that names it.
func LoadConfig(lookup envconfig.Lookup) (Config, error) {
	e := struct {
		Table            string  `env:"CASE_TABLE"`
		From             string  `env:"SENDER_ADDRESS"`
		ConfigurationSet string  `env:"SES_CONFIGURATION_SET,optional"`
		AccountRate      float64 `env:"SES_MAX_SEND_RATE,optional"`
		Parallel         int     `env:"SEND_PARALLELISM,optional"`
		LatencyMS        int     `env:"SES_LATENCY_MS,optional"`
	}{Parallel: 1, LatencyMS: int(DefaultSESLatency / time.Millisecond)}
	errs := []error{envconfig.Load(&e, lookup)}
	if e.AccountRate < 0 {
		errs = append(errs, fmt.Errorf("SES_MAX_SEND_RATE=%v: want sends per second, or 0 to ask SES", e.AccountRate))
	}
	if e.Parallel < 1 {
		errs = append(errs, fmt.Errorf("SEND_PARALLELISM=%d: want a positive whole number", e.Parallel))
	}
	if e.LatencyMS < 1 {
		errs = append(errs, fmt.Errorf("SES_LATENCY_MS=%d: want a positive whole number of milliseconds", e.LatencyMS))
	}
	return Config{
		Table: e.Table, From: e.From, ConfigurationSet: e.ConfigurationSet, AccountRate: e.AccountRate,
		Parallel: e.Parallel, Latency: time.Duration(e.LatencyMS) * time.Millisecond,
	}, errors.Join(errs...)
}

// AccountGetter is the part of the SES v2 client that reads the account.
type AccountGetter interface {
	GetAccount(ctx context.Context, in *sesv2.GetAccountInput, opts ...func(*sesv2.Options)) (*sesv2.GetAccountOutput, error)
}

// Pacing returns the invocation's pacing, asking SES for the account's rate
// when the configuration does not fix it. GetAccount is a control-plane call
// (about 1 per second per account), so it is made once per cold start.
func (c Config) Pacing(ctx context.Context, ses AccountGetter) (Pacing, error) {
	rate := c.AccountRate
	if rate == 0 {
		out, err := ses.GetAccount(ctx, &sesv2.GetAccountInput{}, standardRetries)
		if err != nil {
			return Pacing{}, fmt.Errorf("read SES send rate (set SES_MAX_SEND_RATE to skip): %w", err)
		}
		if out.SendQuota == nil || out.SendQuota.MaxSendRate <= 0 {
			return Pacing{}, errors.New("SES account reports no send rate: set SES_MAX_SEND_RATE")
		}
		rate = out.SendQuota.MaxSendRate
	}
	return DerivePacing(rate, c.Parallel, c.Latency), nil
}
