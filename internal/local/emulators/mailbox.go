package emulators

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Mailbox reads what the SES emulator "sent": its /store endpoint. It is how
// tests and the demo prove which messages went out.
type Mailbox struct {
	// URL is the emulator's base URL; its web page shows the same mailbox.
	URL    string
	Client *http.Client
}

// Message is one stored email, as aws-ses-v2-local keeps it.
type Message struct {
	MessageID   string            `json:"messageId"`
	At          int64             `json:"at"`
	From        string            `json:"from"`
	ReplyTo     []string          `json:"replyTo"`
	Destination Destination       `json:"destination"`
	Subject     string            `json:"subject"`
	Body        Body              `json:"body"`
	Attachments []json.RawMessage `json:"attachments"`
}

// Destination lists a stored message's recipients.
type Destination struct {
	To  []string `json:"to"`
	Cc  []string `json:"cc"`
	Bcc []string `json:"bcc"`
}

// Body holds a stored message's text and HTML parts.
type Body struct {
	Text string `json:"text"`
	HTML string `json:"html"`
}

// Messages returns every stored message, or those stored at or after since
// when since is not zero.
func (m Mailbox) Messages(ctx context.Context, since time.Time) ([]Message, error) {
	url := m.URL + "/store"
	if !since.IsZero() {
		url += "?since=" + strconv.FormatInt(since.Unix(), 10)
	}
	var store struct {
		Emails []Message `json:"emails"`
	}
	if err := m.do(ctx, http.MethodGet, url, &store); err != nil {
		return nil, err
	}
	return store.Emails, nil
}

// Clear empties the mailbox.
func (m Mailbox) Clear(ctx context.Context) error {
	return m.do(ctx, http.MethodPost, m.URL+"/clear-store", nil)
}

func (m Mailbox) do(ctx context.Context, method, url string, into any) error {
	req, err := http.NewRequestWithContext(ctx, method, url, nil)
	if err != nil {
		return err
	}
	c := m.Client
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("mailbox: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("mailbox: %s %s: %s", method, url, resp.Status)
	}
	if into == nil {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(into); err != nil {
		return fmt.Errorf("mailbox: decode store: %w", err)
	}
	return nil
}
