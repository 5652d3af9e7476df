package email_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"breachflow/internal/email"
)

// Every bidi control and zero-width character the package removes.
const invisibles = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c" + "\u200b\u200c\u200d\u2060\ufeff"

func TestHeader(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain", "plain"},
		{"a\r\nb", "a b"},
		{"  lead\ttab  ", "lead tab"},
		{"x\u2028y\u0085z", "x y z"},
		{"[카카오] 개인정보\n유출", "[카카오] 개인정보 유출"},
		{"bad\xffutf8", "badutf8"},
		{"wide\u3000and\u00a0no-break", "wide and no-break"},
		{strings.Repeat("가", 300), strings.Repeat("가", 200)},
		// A space that would be the last rune kept is not kept.
		{strings.Repeat("a", 199) + " bc", strings.Repeat("a", 199)},
		{"Notice\r\nBcc: victim@example.com", "Notice Bcc: victim@example.com"},
		{"\u202egpj.exe", "gpj.exe"},
		{"in" + invisibles + "visible", "invisible"},
		{"\u200b \u200b", ""},
		{"", ""},
	} {
		if got := email.Header(tc.in); got != tc.want {
			t.Errorf("Header(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// A name loses what would let it reshape or hide text, and anything past
// MaxName runes, but keeps its letters in any script.
func TestName(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"홍길동", "홍길동"},
		{"Mallory\r\nBcc: victim@example.com", "Mallory Bcc: victim@example.com"},
		{"Kim\u2028Subject: x", "Kim Subject: x"},
		{"Ali\u202eecilA", "AliecilA"},                      // right-to-left override
		{"\u2067مريم\u2069 Kim", "مريم Kim"},                // isolates
		{"Jo\u200bhn\u00a0\u00a0Smith\ufeff", "John Smith"}, // zero width, no-break spaces
		{"  Tan   Wei\tLing ", "Tan Wei Ling"},
		{strings.Repeat("김", 5000), strings.Repeat("김", email.MaxName)},
		{strings.Repeat("ab ", 60), strings.Repeat("ab ", 33) + "a"}, // cut at the 100th rune
	} {
		got := email.Name(tc.in)
		if got != tc.want {
			t.Errorf("Name(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if n := utf8.RuneCountInString(got); n > email.MaxName {
			t.Errorf("Name(%.20q...) has %d runes, more than %d", tc.in, n, email.MaxName)
		}
	}
}

// Cleaning twice changes nothing, and clean text comes back as it is,
// without an allocation: the send stage cleans every subject again.
func TestCleanIsIdempotentAndFreeWhenClean(t *testing.T) {
	inputs := []string{"", "a", "홍길동", "[Example Pay] Notice of a data breach", "a\r\nb", " x ", "a  b", "\u202ex", strings.Repeat("가", 250), "\xff"}
	for _, in := range inputs {
		for name, f := range map[string]func(string) string{"Header": email.Header, "Name": email.Name} {
			once := f(in)
			if twice := f(once); twice != once {
				t.Errorf("%s(%s(%q)) = %q, want %q", name, name, in, twice, once)
			}
			if strings.ContainsAny(once, "\r\n\t") || !utf8.ValidString(once) {
				t.Errorf("%s(%q) = %q", name, in, once)
			}
		}
	}
	clean := "[카카오페이] 개인정보 유출 사실을 알려드리며 사과드립니다"
	if n := testing.AllocsPerRun(100, func() { _ = email.Header(clean) }); n != 0 {
		t.Errorf("Header of a clean subject allocates %v times", n)
	}
	if n := testing.AllocsPerRun(100, func() { _ = email.Name("홍길동") }); n != 0 {
		t.Errorf("Name of a clean name allocates %v times", n)
	}
}
