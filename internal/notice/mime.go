package notice

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
)

// MIME builds a raw RFC 5322 message (for SES SendEmail's Raw content):
// From, To, Subject (RFC 2047 encoded when not ASCII), then a
// multipart/alternative of the text and HTML bodies, wrapped in
// multipart/mixed with the attachments when there are any. Display names
// and the subject are sanitised first, so no CR or LF from data reaches a
// header; an address that does not parse is an error.
func MIME(from, to mail.Address, msg Message) ([]byte, error) {
	f, err := headerAddress(from)
	if err != nil {
		return nil, fmt.Errorf("mime from: %w", err)
	}
	t, err := headerAddress(to)
	if err != nil {
		return nil, fmt.Errorf("mime to: %w", err)
	}
	var b bytes.Buffer
	b.WriteString("From: " + f + "\r\n")
	b.WriteString("To: " + t + "\r\n")
	b.WriteString("Subject: " + EncodeHeader(msg.Subject) + "\r\n")
	b.WriteString("MIME-Version: 1.0\r\n")

	alt := func(w *multipart.Writer) error {
		if err := qpPart(w, "text/plain; charset=utf-8", msg.Text); err != nil {
			return err
		}
		return qpPart(w, "text/html; charset=utf-8", msg.HTML)
	}
	if len(msg.Attachments) == 0 {
		w := multipart.NewWriter(&b)
		b.WriteString("Content-Type: multipart/alternative; boundary=" + w.Boundary() + "\r\n\r\n")
		if err := alt(w); err != nil {
			return nil, err
		}
		if err := w.Close(); err != nil {
			return nil, err
		}
		return b.Bytes(), nil
	}
	mixed := multipart.NewWriter(&b)
	b.WriteString("Content-Type: multipart/mixed; boundary=" + mixed.Boundary() + "\r\n\r\n")
	var inner bytes.Buffer
	aw := multipart.NewWriter(&inner)
	if err := alt(aw); err != nil {
		return nil, err
	}
	if err := aw.Close(); err != nil {
		return nil, err
	}
	p, err := mixed.CreatePart(textproto.MIMEHeader{"Content-Type": {"multipart/alternative; boundary=" + aw.Boundary()}})
	if err != nil {
		return nil, err
	}
	p.Write(inner.Bytes())
	for _, a := range msg.Attachments {
		if err := attachPart(mixed, a); err != nil {
			return nil, err
		}
	}
	if err := mixed.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// headerAddress renders an address for a header: the display name
// sanitised (and encoded by net/mail when not ASCII), the address checked.
func headerAddress(a mail.Address) (string, error) {
	if strings.ContainsAny(a.Address, "\r\n") {
		return "", errors.New("address contains a line break")
	}
	if _, err := mail.ParseAddress(a.Address); err != nil {
		return "", errors.New("address does not parse") // the address itself is personal data: not echoed
	}
	a.Name = SanitizeHeader(a.Name)
	return a.String(), nil
}

func qpPart(w *multipart.Writer, contentType, body string) error {
	p, err := w.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {contentType},
		"Content-Transfer-Encoding": {"quoted-printable"},
	})
	if err != nil {
		return err
	}
	q := quotedprintable.NewWriter(p)
	if _, err := q.Write([]byte(body)); err != nil {
		return err
	}
	return q.Close()
}

func attachPart(w *multipart.Writer, a Attachment) error {
	name := SanitizeHeader(a.Filename)
	if name == "" {
		name = "attachment"
	}
	ct := a.ContentType
	if ct == "" || strings.ContainsAny(ct, "\r\n") {
		ct = "application/octet-stream"
	}
	p, err := w.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {ct},
		"Content-Transfer-Encoding": {"base64"},
		"Content-Disposition":       {mime.FormatMediaType("attachment", map[string]string{"filename": name})},
	})
	if err != nil {
		return err
	}
	enc := base64.StdEncoding.EncodeToString(a.Data)
	for len(enc) > 76 {
		p.Write([]byte(enc[:76] + "\r\n"))
		enc = enc[76:]
	}
	_, err = p.Write([]byte(enc + "\r\n"))
	return err
}
