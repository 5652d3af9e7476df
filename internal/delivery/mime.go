package delivery

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"mime"
	"mime/multipart"
	"net/textproto"
	"strings"
	"time"
)

// buildMIME writes a filing as one MIME message: a text and an HTML
// alternative of the filing, and the filing again as an attachment, so the
// regulator's office can file the document as received. Every header value
// is checked for CR/LF and non-ASCII text is RFC 2047 encoded.
func buildMIME(from string, to []string, f Filing, date time.Time) ([]byte, error) {
	for _, v := range append([]string{from, f.Subject, f.AttachmentName, f.AttachmentType}, to...) {
		if strings.ContainsAny(v, "\r\n") {
			return nil, fmt.Errorf("filing %s: header value contains a line break", f.ObligationID)
		}
	}
	var b bytes.Buffer
	mixed := multipart.NewWriter(&b)
	hdr := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	hdr("From", from)
	hdr("To", strings.Join(to, ", "))
	hdr("Subject", mime.BEncoding.Encode("UTF-8", f.Subject))
	hdr("Date", date.UTC().Format(time.RFC1123Z))
	hdr("MIME-Version", "1.0")
	hdr("Content-Type", mime.FormatMediaType("multipart/mixed", map[string]string{"boundary": mixed.Boundary()}))
	b.WriteString("\r\n")

	var alt bytes.Buffer
	altw := multipart.NewWriter(&alt)
	if err := part(altw, "text/plain; charset=UTF-8", "", []byte(f.Text)); err != nil {
		return nil, err
	}
	if f.HTML != "" {
		if err := part(altw, "text/html; charset=UTF-8", "", []byte(f.HTML)); err != nil {
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

	if len(f.Attachment) > 0 {
		typ := f.AttachmentType
		if typ == "" {
			typ = "application/octet-stream"
		}
		disp := mime.FormatMediaType("attachment", map[string]string{"filename": f.AttachmentName})
		if err := part(mixed, typ, disp, f.Attachment); err != nil {
			return nil, err
		}
	}
	if err := mixed.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// part writes one base64 body part; base64 keeps any text or bytes
// 7-bit clean with lines of 76 characters.
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
