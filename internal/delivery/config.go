package delivery

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sesv2"
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

// LoadConfig reads Config with getenv (os.Getenv in the function). A missing
// or malformed variable is an error that names it.
func LoadConfig(getenv func(string) string) (Config, error) {
	c := Config{
		Table:            getenv("CASE_TABLE"),
		From:             getenv("SENDER_ADDRESS"),
		ConfigurationSet: getenv("SES_CONFIGURATION_SET"),
		Parallel:         1,
		Latency:          DefaultSESLatency,
	}
	var errs []error
	if c.Table == "" {
		errs = append(errs, errors.New("CASE_TABLE is not set"))
	}
	if c.From == "" {
		errs = append(errs, errors.New("SENDER_ADDRESS is not set"))
	}
	if v := getenv("SES_MAX_SEND_RATE"); v != "" {
		r, err := strconv.ParseFloat(v, 64)
		if err != nil || r < 0 {
			errs = append(errs, fmt.Errorf("SES_MAX_SEND_RATE=%q: want sends per second, or 0 to ask SES", v))
		}
		c.AccountRate = r
	}
	if v := getenv("SEND_PARALLELISM"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			errs = append(errs, fmt.Errorf("SEND_PARALLELISM=%q: want a positive whole number", v))
		}
		c.Parallel = n
	}
	if v := getenv("SES_LATENCY_MS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			errs = append(errs, fmt.Errorf("SES_LATENCY_MS=%q: want a positive whole number of milliseconds", v))
		}
		c.Latency = time.Duration(n) * time.Millisecond
	}
	return c, errors.Join(errs...)
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
