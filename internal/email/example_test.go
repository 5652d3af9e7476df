package email_test

import (
	"fmt"
	"time"

	"breachflow/internal/email"
)

// A name from the user table is cleaned before a notice greets it: a bidi
// override and a line break are gone, the letters stay.
func ExampleName() {
	fmt.Printf("%q\n", email.Name("Mallory\u202e\r\nBcc: victim@example.com"))
	// Output: "Mallory Bcc: victim@example.com"
}

// A regulator filing goes out as one raw message with its document
// attached.
func ExampleRaw() {
	m := email.Message{
		Subject: "Personal data breach notification", Text: "Report\n", HTML: "<p>Report</p>",
		Attachments: []email.Attachment{{Filename: "filing-gdpr.html", ContentType: "text/html; charset=utf-8", Data: []byte("<p>Report</p>")}},
	}
	raw, err := email.Raw("privacy@example.com", []string{"breaches@authority.example.org"}, m, time.Date(2026, 11, 24, 1, 0, 0, 0, time.UTC))
	if err != nil {
		panic(err)
	}
	fmt.Println(len(raw) > 0)
	// Output: true
}
