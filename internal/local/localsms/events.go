package localsms

import (
	"context"
	"encoding/json"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// Event is the delivery receipt a configuration set's event destination
// gets for a text message, in the documented form (End User Messaging
// user guide, "Messaging Events", SMS example log).
type Event struct {
	EventType                string            `json:"eventType"`
	EventVersion             string            `json:"eventVersion"`
	EventTimestamp           int64             `json:"eventTimestamp"`
	IsFinal                  bool              `json:"isFinal"`
	OriginationPhoneNumber   string            `json:"originationPhoneNumber"`
	DestinationPhoneNumber   string            `json:"destinationPhoneNumber"`
	IsInternationalSend      bool              `json:"isInternationalSend"`
	MCC                      string            `json:"mcc,omitempty"`
	MNC                      string            `json:"mnc,omitempty"`
	MessageID                string            `json:"messageId"`
	MessageRequestTimestamp  int64             `json:"messageRequestTimestamp"`
	MessageEncoding          string            `json:"messageEncoding"`
	MessageType              string            `json:"messageType"`
	MessageStatus            string            `json:"messageStatus"`
	MessageStatusDescription string            `json:"messageStatusDescription"`
	Context                  map[string]string `json:"context,omitempty"`
	TotalMessageParts        int               `json:"totalMessageParts"`
	TotalMessagePrice        float64           `json:"totalMessagePrice"`
	TotalCarrierFee          float64           `json:"totalCarrierFee"`
}

// receipt reports m's final event a moment after it was accepted, as a
// carrier's delivery report arrives after the send returns.
func (s *Server) receipt(sink func(context.Context, []byte), m Message, at time.Time) {
	ev := Event{
		EventType: "TEXT_DELIVERED", EventVersion: "1.0", IsFinal: true,
		OriginationPhoneNumber: m.Origination, DestinationPhoneNumber: m.Destination,
		MessageID: m.MessageID, MessageRequestTimestamp: at.UnixMilli(),
		MessageEncoding: encoding(m.Body), MessageType: m.MessageType,
		MessageStatus: "DELIVERED", MessageStatusDescription: "Message has been accepted by phone",
		Context: m.Context, TotalMessageParts: parts(m.Destination, m.Body),
	}
	if ev.MessageType == "" {
		ev.MessageType = "TRANSACTIONAL"
	}
	if s.unreach[m.Destination] {
		ev.EventType, ev.MessageStatus, ev.MessageStatusDescription = "TEXT_CARRIER_UNREACHABLE", "CARRIER_UNREACHABLE", "The destination carrier could not be reached"
	}
	s.events.Go(func() {
		t := time.NewTimer(5 * time.Millisecond)
		defer t.Stop()
		select {
		case <-t.C:
		case <-s.ctx.Done():
			return
		}
		ev.EventTimestamp = time.Now().UnixMilli()
		b, err := json.Marshal(ev)
		if err != nil {
			return
		}
		sink(s.ctx, b)
	})
}

// parts is how many message parts the service bills and counts against
// MPS for body: GSM (160 characters, 153 a part beyond), UCS2 (70 UTF-16
// units, 67 a part beyond); a text to Korea (+82) counts as one, as an LMS
// does. The endpoint's own count, deliberately simpler than package sms's
// (ASCII stands for GSM): it models the service, not breachflow.
func parts(dest, body string) int {
	if strings.HasPrefix(dest, "+82") {
		return 1
	}
	single, part, n := 160, 153, len(body)
	if encoding(body) == "UCS2" {
		single, part, n = 70, 67, len(utf16.Encode([]rune(body)))
	}
	if n <= single {
		return 1
	}
	return (n + part - 1) / part
}

// encoding is GSM when every character is ASCII printable (a subset of
// the GSM default alphabet), else UCS2.
func encoding(body string) string {
	for i := 0; i < len(body); {
		r, n := utf8.DecodeRuneInString(body[i:])
		if r > 0x7e || (r < 0x20 && r != '\n' && r != '\r') {
			return "UCS2"
		}
		i += n
	}
	return "GSM"
}
