package sms

// Body is the text the channel sends a person of locale with link.
func Body(c *Channel, locale, link string) (string, error) { return c.body(locale, link) }
