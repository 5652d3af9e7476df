package notice

import (
	"mime"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxSubject bounds a subject in runes; longer ones are cut. Mail clients
// show far less, and a bound keeps an attacker-sized name out of headers.
const maxSubject = 200

// SanitizeHeader makes s safe for an email header: every control
// character (CR, LF, tab, other C0/C1 controls, U+2028/2029) becomes a
// space, runs of spaces collapse, invalid UTF-8 is dropped, and the result
// is trimmed and cut to a bounded length. It does not encode: see
// EncodeHeader.
func SanitizeHeader(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	n := 0
	for _, r := range s {
		if r == utf8.RuneError {
			continue
		}
		if unicode.IsControl(r) || unicode.IsSpace(r) || r == '\u2028' || r == '\u2029' {
			space = b.Len() > 0
			continue
		}
		if n >= maxSubject {
			break
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// stripControls replaces control characters in s (a name) by spaces. The
// name only reaches HTML and text bodies, but a CR/LF there would still
// let a name forge lines of the notice.
func stripControls(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' }) < 0 {
		return s
	}
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' }), " ")
}

// EncodeHeader sanitises s and encodes it for a raw MIME header: ASCII
// text as is, anything else as RFC 2047 encoded-words. Base64 ("B") is
// used because it is shorter than quoted-printable for Korean, Japanese
// and Chinese text; the encoder splits long text into several words.
func EncodeHeader(s string) string {
	return mime.BEncoding.Encode("utf-8", SanitizeHeader(s))
}
