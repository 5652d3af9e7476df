package email

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"mime"
	"mime/multipart"
	"net/textproto"
	"strings"
	"time"
)

// Raw writes m as one RFC 5322 message, for SES SendEmail's Raw content:
// From, To, Subject (cleaned by Header, RFC 2047 encoded when not ASCII),
// Date, then a multipart/mixed of a multipart/alternative (the text, and
// the HTML when there is any) and m's attachments, so a regulator's office
// can file the document as received. Every part is base64 in lines of 76,
// which keeps any text or bytes 7-bit clean.
//
// An address holding CR or LF is an error, since no cleaning could keep it
// pointing where it was meant to; the error does not repeat the address.
// An attachment's name is cleaned like a header; a content type holding a
// line break, or none, becomes application/octet-stream.
func Raw(from string, to []string, m Message, date time.Time) ([]byte, error) {
	for _, a := range append([]string{from}, to...) {
		if strings.ContainsAny(a, "\r\n") {
			return nil, errors.New("raw message: an address contains a line break")
		}
	}
	var b bytes.Buffer
	mixed := multipart.NewWriter(&b)
	hdr := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	hdr("From", from)
	hdr("To", strings.Join(to, ", "))
	hdr("Subject", mime.BEncoding.Encode("UTF-8", Header(m.Subject)))
	hdr("Date", date.UTC().Format(time.RFC1123Z))
	hdr("MIME-Version", "1.0")
	hdr("Content-Type", mime.FormatMediaType("multipart/mixed", map[string]string{"boundary": mixed.Boundary()}))
	b.WriteString("\r\n")

	var alt bytes.Buffer
	altw := multipart.NewWriter(&alt)
	if err := part(altw, "text/plain; charset=UTF-8", "", []byte(m.Text)); err != nil {
		return nil, err
	}
	if m.HTML != "" {
		if err := part(altw, "text/html; charset=UTF-8", "", []byte(m.HTML)); err != nil {
			return nil, err
		}
	}
	if err := altw.Close(); err != nil {
		return nil, err
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Type", mime.FormatMediaType("multipart/alternative", map[string]string{"boundary": altw.Boundary()}))
	w, err := mixed.CreatePart(h)
	if err != nil {
		return nil, err
	}
	w.Write(alt.Bytes())

	for _, a := range m.Attachments {
		typ := a.ContentType
		if typ == "" || strings.ContainsAny(typ, "\r\n") {
			typ = "application/octet-stream"
		}
		name := Header(a.Filename)
		if name == "" {
			name = "attachment"
		}
		disp := mime.FormatMediaType("attachment", map[string]string{"filename": name})
		if err := part(mixed, typ, disp, a.Data); err != nil {
			return nil, err
		}
	}
	if err := mixed.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// part writes one base64 body part in lines of 76 characters.
func part(w *multipart.Writer, contentType, disposition string, body []byte) error {
	h := textproto.MIMEHeader{}
	h.Set("Content-Type", contentType)
	h.Set("Content-Transfer-Encoding", "base64")
	if disposition != "" {
		h.Set("Content-Disposition", disposition)
	}
	pw, err := w.CreatePart(h)
	if err != nil {
		return err
	}
	enc := base64.StdEncoding.EncodeToString(body)
	for len(enc) > 76 {
		if _, err := fmt.Fprintf(pw, "%s\r\n", enc[:76]); err != nil {
			return err
		}
		enc = enc[76:]
	}
	_, err = fmt.Fprintf(pw, "%s\r\n", enc)
	return err
}
