package sms

import "breachflow/internal/casetable"

// Body is the text the channel sends a person of locale with link.
func Body(c *Channel, locale, link string) (string, error) {
	return c.body(&casetable.Subject{Locale: locale}, link)
}

// BodyFor is the text the channel sends s with link.
func BodyFor(c *Channel, s *casetable.Subject, link string) (string, error) { return c.body(s, link) }
