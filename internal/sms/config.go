package sms

import (
	"errors"
	"fmt"

	"breachflow/internal/delivery"
	"breachflow/internal/envconfig"
)

// Config is the SMS channel's configuration, read once at cold start: one
// template.yaml variable per field.
type Config struct {
	// Senders is the origination identity per country (SMS_SENDERS:
	// "KR=0215881234,US=+18885550100"; ParseSenders). Empty: no SMS
	// channel; people whose plan gives them SMS fall back.
	Senders Senders
	// ConfigurationSet routes each text's events to the event destination
	// that files delivery receipts (SMS_CONFIGURATION_SET).
	ConfigurationSet string
	// Rate is the texts per second the account's origination identities
	// allow together (SMS_MAX_SEND_RATE, message parts per second, as the
	// service counts its MPS quota); the send Map's children split it as
	// they split the SES rate. Required with Senders: End User Messaging
	// has no call that reads it back as SES's GetAccount does.
	Rate float64
	// Organisation is the name texts open with (SMS_ORGANISATION) as the
	// deployment plans and paces them (PartsPerText); the texts sent are
	// the case's approved drafts, with the report's organisation name.
	Organisation string
}

// Enabled reports whether any country has a sender.
func (c Config) Enabled() bool { return len(c.Senders) > 0 }

// LoadConfig reads Config through lookup (os.LookupEnv in the function; the
// function's resolved environment in the local stack). Every variable is
// optional, but with senders the rate and the organisation are required.
// Errors name the variable, never a sender's number.
func LoadConfig(lookup envconfig.Lookup) (Config, error) {
	e := struct {
		Senders          []string `env:"SMS_SENDERS,optional"`
		ConfigurationSet string   `env:"SMS_CONFIGURATION_SET,optional"`
		Rate             float64  `env:"SMS_MAX_SEND_RATE,optional"`
		Organisation     string   `env:"SMS_ORGANISATION,optional"`
	}{}
	if err := envconfig.Load(&e, lookup); err != nil {
		return Config{}, err
	}
	senders, err := ParseSenders(e.Senders)
	if err != nil {
		return Config{}, err
	}
	c := Config{Senders: senders, ConfigurationSet: e.ConfigurationSet, Rate: e.Rate, Organisation: e.Organisation}
	var errs []error
	if e.Rate < 0 {
		errs = append(errs, fmt.Errorf("SMS_MAX_SEND_RATE=%v: want texts per second", e.Rate))
	}
	if c.Enabled() && e.Rate == 0 {
		errs = append(errs, errors.New("SMS_MAX_SEND_RATE: required with SMS_SENDERS (the origination identities' message parts per second)"))
	}
	if c.Enabled() && e.Organisation == "" {
		errs = append(errs, errors.New("SMS_ORGANISATION: required with SMS_SENDERS (the name texts open with)"))
	}
	return c, errors.Join(errs...)
}

// Latency is what one SendTextMessage call is expected to take from
// Lambda; it sizes the workers as delivery.DefaultSESLatency does for
// e-mail. UNVERIFIED: no measurement in research/; SES's figure is used.
const Latency = delivery.DefaultSESLatency

// Pacing is one send invocation's pacing on the SMS channel: the account's
// message parts per second (Rate) split over parallel invocations, and
// turned into texts per second by the most parts any configured country's
// text takes (PartsPerText), so that no second sees more parts than the
// identities allow, whatever the mix of countries.
func (c Config) Pacing(ch *Channel, parallel int) (delivery.Pacing, error) {
	most := 1
	for iso := range c.Senders {
		n, err := ch.PartsPerText(iso)
		if err != nil {
			return delivery.Pacing{}, err
		}
		most = max(most, n)
	}
	return delivery.DerivePacing(c.Rate/float64(most), parallel, Latency), nil
}

// PartsPerText is how many message parts the channel's texts take in
// country iso (in the country's language, with a full-length link): the
// most of the first, update (with the longest date), closing and
// possibility texts, so
// that pacing holds whichever a person gets. An LMS counts as one.
func (c *Channel) PartsPerText(iso string) (int, error) {
	locale := homeLocale[iso]
	if locale == "" {
		locale = "en"
	}
	date, err := SampleDate(locale)
	if err != nil {
		return 0, err
	}
	most := 0
	for _, compose := range []func() (Text, error){
		func() (Text, error) { return c.Compose(locale, planLink) },
		func() (Text, error) { return c.ComposeUpdate(locale, date, planLink) },
		func() (Text, error) { return c.ComposeClosing(locale, planLink) },
		func() (Text, error) { return c.ComposePossibility(locale, planLink) },
	} {
		t, err := compose()
		if err != nil {
			return 0, err
		}
		s, err := SplitText("message", t.String(), iso)
		if err != nil {
			return 0, fmt.Errorf("sms: %s: %w", iso, err)
		}
		most = max(most, s.Parts)
	}
	return most, nil
}
