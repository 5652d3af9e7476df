package email

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxHeader bounds a header value, in runes; longer ones are cut. Mail
// clients show far less, and a bound keeps an attacker-sized value out of
// headers.
const MaxHeader = 200

// MaxName bounds a personalised field, in runes (see the package doc for
// why 100).
const MaxName = 100

// Header makes s safe for an e-mail header: control and space characters
// (CR, LF, tab, other C0/C1 controls, U+2028/2029, no-break and wide
// spaces) become one ASCII space each run, bidi controls and zero-width
// characters are removed, invalid UTF-8 is dropped, and the result is
// trimmed and cut at MaxHeader runes. It does not encode: Raw does. A clean
// s is returned as it is.
func Header(s string) string { return clean(s, MaxHeader) }

// Name cleans a personalised field, such as a person's name, before it is
// written into a message: as Header, cut at MaxName runes.
func Name(s string) string { return clean(s, MaxName) }

// class is what cleaning does with a rune.
type class uint8

const (
	keep  class = iota
	space       // becomes a space; runs collapse, ends are trimmed
	drop        // removed
)

func classOf(r rune) class {
	switch {
	case r == utf8.RuneError, invisible(r):
		return drop
	case unicode.IsControl(r), unicode.IsSpace(r), r == '\u2028', r == '\u2029':
		return space
	}
	return keep
}

// invisible reports the bidi controls and zero-width characters cleaning
// removes.
func invisible(r rune) bool {
	switch {
	case r < 0x061C:
		return false
	case r == 0x061C, r == 0x200E, r == 0x200F, 0x202A <= r && r <= 0x202E, 0x2066 <= r && r <= 0x2069: // bidi controls
		return true
	case 0x200B <= r && r <= 0x200D, r == 0x2060, r == 0xFEFF: // zero width
		return true
	}
	return false
}

func clean(s string, max int) string {
	if isClean(s, max) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	n := 0
	pending := false
loop:
	for _, r := range s {
		switch classOf(r) {
		case drop:
			continue
		case space:
			pending = n > 0
			continue
		}
		if pending {
			if n+1 >= max {
				break loop
			}
			b.WriteByte(' ')
			n++
			pending = false
		}
		if n >= max {
			break
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// isClean reports whether clean would return s unchanged: no rune to drop
// or turn into a space other than single ASCII spaces between words, and
// at most max runes.
func isClean(s string, max int) bool {
	n := 0
	afterSpace := true // a leading space is not clean
	for _, r := range s {
		if r == ' ' {
			if afterSpace {
				return false
			}
			afterSpace = true
		} else {
			if classOf(r) != keep {
				return false
			}
			afterSpace = false
		}
		if n++; n > max {
			return false
		}
	}
	return s == "" || !afterSpace
}
