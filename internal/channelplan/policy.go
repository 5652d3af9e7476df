package channelplan

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"breachflow/internal/breach"
)

// Channels a plan may name. The posted notice is no step of a plan: it
// covers everyone a plan does not reach.
const (
	Email  = "email"
	SMS    = "sms"
	Postal = "postal"
)

// Known lists the channels a policy may name, in the default order.
var Known = []string{Email, SMS, Postal}

// Policy is a case's channel policy, as the report gives it
// (channel_policy). The zero Policy is the default: e-mail first, then
// SMS, then a letter.
type Policy struct {
	// Order is the channels tried one after another: a person starts on
	// the first they can be reached on and moves to the next when it
	// fails. Postal, when named, comes after every electronic channel
	// (Validate): nothing tells the run that a letter failed.
	Order []string `json:"order,omitempty"`
	// AllFor names data categories so sensitive that one channel is not
	// enough: a person with any of them exposed gets every electronic
	// channel of Order they can be reached on at once (e-mail and SMS);
	// a letter stays their fallback.
	AllFor []breach.Category `json:"all_channels_for,omitempty"`
}

// FieldError is a policy field that does not hold. Field is its path in
// the report ("channel_policy.order[2]"); the message never repeats the
// value.
type FieldError struct {
	Field  string
	Reason string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

// Validate checks p. Every problem is a *FieldError naming the field, under
// prefix (the policy's own path in the report, "channel_policy").
func (p *Policy) Validate(prefix string) error {
	if p == nil {
		return nil
	}
	var errs []error
	seen := map[string]bool{}
	for i, ch := range p.Order {
		field := fmt.Sprintf("%s.order[%d]", prefix, i)
		switch {
		case !slices.Contains(Known, ch):
			errs = append(errs, &FieldError{Field: field, Reason: "unknown channel (want one of " + strings.Join(Known, ", ") + ")"})
		case seen[ch]:
			errs = append(errs, &FieldError{Field: field, Reason: "channel named twice"})
		case ch == Postal && slices.ContainsFunc(p.Order[i+1:], electronic):
			// A letter's fate never comes back to the run (the postal
			// export is a file for a mailing house): a channel after it
			// would never be due. See the package doc.
			errs = append(errs, &FieldError{Field: field, Reason: "postal must come after every electronic channel: a letter's failure is never known, so a channel after it would never be tried"})
		}
		seen[ch] = true
	}
	for i, c := range p.AllFor {
		if !c.Valid() {
			errs = append(errs, &FieldError{Field: fmt.Sprintf("%s.all_channels_for[%d]", prefix, i), Reason: "not in the category vocabulary"})
		}
	}
	return errors.Join(errs...)
}

// electronic reports whether ch is a channel whose failure the run learns
// (a refusal at send, a bounce, an undeliverable receipt): e-mail and SMS.
func electronic(ch string) bool { return ch == Email || ch == SMS }

// order is p's channel order, the default when p gives none.
func (p *Policy) order() []string {
	if p == nil || len(p.Order) == 0 {
		return Known
	}
	return p.Order
}

// all reports whether a person with categories exposed gets every
// electronic channel at once.
func (p *Policy) all(categories []string) bool {
	if p == nil {
		return false
	}
	for _, c := range p.AllFor {
		if slices.Contains(categories, string(c)) {
			return true
		}
	}
	return false
}
