package sms

import (
	"fmt"
	"strings"
)

// Senders maps a country (ISO code) to the origination identity that sends
// to it: a phone number, a sender ID, a pool id or an ARN of one, as
// SendTextMessage's OriginationIdentity takes them. A country without one
// gets no SMS: the person falls back to the next channel of their plan.
type Senders map[string]string

// ParseSenders reads the SMS_SENDERS setting: a list of COUNTRY=IDENTITY
// ("KR=0215881234", "US=+18885550100", "GB=Breachflow"). Each identity must
// fit its country's kind of sender (countries.json): Korea takes only a
// registered numeric sender number (research/INCIDENTS_2025.md, Channels:
// numeric sender IDs only), long-code countries a number, sender-ID
// countries 1 to 11 letters and digits; a pool or a resource ARN is taken
// anywhere, as the API takes it. Errors name the entry's country, never a
// number.
func ParseSenders(entries []string) (Senders, error) {
	out := Senders{}
	for i, e := range entries {
		iso, id, ok := strings.Cut(strings.TrimSpace(e), "=")
		if !ok || iso == "" || id == "" {
			return nil, fmt.Errorf("SMS_SENDERS entry %d: want COUNTRY=IDENTITY", i+1)
		}
		c, known := countries[iso]
		if !known {
			return nil, fmt.Errorf("SMS_SENDERS %s: a country the SMS channel does not know (countries.json)", iso)
		}
		if _, dup := out[iso]; dup {
			return nil, fmt.Errorf("SMS_SENDERS %s: given twice", iso)
		}
		if err := fitsCountry(c, id); err != nil {
			return nil, fmt.Errorf("SMS_SENDERS %s: %w", iso, err)
		}
		out[iso] = id
	}
	return out, nil
}

// For returns the identity that sends to country, or a *FieldError (code
// "no_sender") when none is configured.
func (s Senders) For(country string) (string, error) {
	if id, ok := s[country]; ok {
		return id, nil
	}
	return "", &FieldError{Field: "phone", Reason: "no SMS sender configured for the number's country", Code: "no_sender"}
}

func fitsCountry(c Country, id string) error {
	if strings.HasPrefix(id, "arn:") || strings.HasPrefix(id, "pool-") {
		return nil
	}
	digits := strings.TrimPrefix(id, "+")
	numeric := digits != "" && strings.Trim(digits, "0123456789") == ""
	switch c.Sender {
	case "numeric":
		if !numeric || len(digits) < 4 || len(digits) > 15 {
			return fmt.Errorf("%s takes only a registered numeric sender number", c.ISO)
		}
	case "origination-number":
		if !numeric || !strings.HasPrefix(id, "+") {
			return fmt.Errorf("%s takes a registered origination number in E.164", c.ISO)
		}
	default:
		if numeric {
			return nil // a number works where a sender ID does
		}
		if len(id) > 11 || strings.Trim(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") != "" {
			return fmt.Errorf("a sender ID is 1 to 11 letters, digits or dashes")
		}
	}
	return nil
}
