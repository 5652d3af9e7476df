package sms

import (
	"fmt"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/encoding/korean"
)

// Kind is how a text goes out.
type Kind string

// Kinds of text.
const (
	// KindSMS is a Korean short message: at most KoreanSMSBytes in EUC-KR.
	KindSMS Kind = "sms"
	// KindLMS is a Korean long message: at most KoreanLMSBytes in EUC-KR.
	KindLMS Kind = "lms"
	// KindGSM7 is one or more GSM 7-bit segments.
	KindGSM7 Kind = "gsm7"
	// KindUCS2 is one or more UCS-2 segments.
	KindUCS2 Kind = "ucs2"
)

// Limits of a text, with where they come from.
const (
	// KoreanSMSBytes and KoreanLMSBytes: a Korean SMS is 90 bytes and an LMS
	// up to 2,000 bytes, counted in EUC-KR (Hangul two bytes, ASCII one):
	// research/INCIDENTS_2025.md, Channels (Twilio's Korea guidance).
	KoreanSMSBytes = 90
	KoreanLMSBytes = 2000
	// KoreanPrefixBytes is kept free for the "[국제발신]" or "[Web발신]"
	// label carriers add (same source; 10 bytes in EUC-KR). Whether that
	// label counts against the 90 bytes is UNVERIFIED, so the split counts
	// it: a text near the limit becomes an LMS rather than being cut.
	KoreanPrefixBytes = 10
	// GSM7Single and GSM7Part: one GSM 7-bit message carries 160 septets;
	// a part of a concatenated message 153, the other 7 septets holding the
	// 6-octet concatenation header (3GPP TS 23.040 §9.2.3.24.1 for the
	// header; TS 23.038 §6.2.1 for the alphabet).
	GSM7Single = 160
	GSM7Part   = 153
	// UCS2Single and UCS2Part: 140 octets hold 70 UCS-2 characters, 67 once
	// the header takes 6 octets (same sources).
	UCS2Single = 70
	UCS2Part   = 67
	// MaxBody is the most characters SendTextMessage takes in MessageBody
	// (the API model's TextMessageBody: 1 to 1,600).
	MaxBody = 1600
	// MaxParts is the most parts breachflow lets one notice take outside
	// Korea: beyond it the notice is better sent as a short text with a
	// link. UNVERIFIED as a carrier limit; it is breachflow's own.
	MaxParts = 10
)

// Split is how a text is counted for its country: its kind, its size in
// the kind's unit (bytes for SMS/LMS, septets for GSM-7, UTF-16 units for
// UCS-2) and the parts it is billed as.
type Split struct {
	Kind  Kind
	Size  int
	Parts int
}

// TooLong is a text over its channel's limit. It names the field and the
// sizes, never the text.
type TooLong struct {
	Field string
	Kind  Kind
	Size  int
	Limit int
	Unit  string
}

func (e *TooLong) Error() string {
	return fmt.Sprintf("sms: %s: %d %s as %s, the limit is %d", e.Field, e.Size, e.Unit, e.Kind, e.Limit)
}

// SplitText counts text for country's encoding (countries.json): EUC-KR
// bytes in Korea (SMS up to 90, LMS up to 2,000), GSM-7 or UCS-2 segments
// elsewhere. A text over the limit is a *TooLong; a Korean text with a
// character outside EUC-KR (KS X 1001) is a *FieldError (carriers there
// take EUC-KR only, research/INCIDENTS_2025.md).
func SplitText(field, text, country string) (Split, error) {
	if text == "" {
		return Split{}, &FieldError{Field: field, Reason: "empty text", Code: "empty_text"}
	}
	if !utf8.ValidString(text) {
		return Split{}, &FieldError{Field: field, Reason: "not UTF-8", Code: "bad_text"}
	}
	if n := utf8.RuneCountInString(text); n > MaxBody {
		return Split{}, &TooLong{Field: field, Kind: KindUCS2, Size: n, Limit: MaxBody, Unit: "characters"}
	}
	if c, ok := countries[country]; ok && c.Encoding == "euc-kr" {
		return splitKorean(field, text)
	}
	s := splitGSM(text)
	if s.Parts > MaxParts {
		limit := MaxParts * GSM7Part
		if s.Kind == KindUCS2 {
			limit = MaxParts * UCS2Part
		}
		return s, &TooLong{Field: field, Kind: s.Kind, Size: s.Size, Limit: limit, Unit: unit(s.Kind)}
	}
	return s, nil
}

func unit(k Kind) string {
	switch k {
	case KindGSM7:
		return "septets"
	case KindUCS2:
		return "UTF-16 units"
	}
	return "bytes"
}

// EUCKRBytes counts text in EUC-KR, or reports that a character has no
// EUC-KR form. x/text's EUC-KR encoder writes Windows-949, a superset whose
// extra Hangul have a lead or trail byte under 0xA1; KS X 1001, which
// EUC-KR carries, uses 0xA1-0xFE for both, so such a pair is refused here.
func EUCKRBytes(text string) (int, bool) {
	b, err := korean.EUCKR.NewEncoder().Bytes([]byte(text))
	if err != nil {
		return 0, false
	}
	for i := 0; i < len(b); i++ {
		if b[i] < 0x80 {
			continue
		}
		if i+1 >= len(b) || b[i] < 0xA1 || b[i+1] < 0xA1 || b[i] == 0xFF || b[i+1] == 0xFF {
			return 0, false
		}
		i++
	}
	return len(b), true
}

func splitKorean(field, text string) (Split, error) {
	n, ok := EUCKRBytes(text)
	if !ok {
		return Split{}, &FieldError{Field: field, Reason: "a character outside EUC-KR (KS X 1001), which Korean carriers take", Code: "not_euckr"}
	}
	size := n + KoreanPrefixBytes
	switch {
	case size <= KoreanSMSBytes:
		return Split{Kind: KindSMS, Size: size, Parts: 1}, nil
	case size <= KoreanLMSBytes:
		return Split{Kind: KindLMS, Size: size, Parts: 1}, nil
	}
	return Split{Kind: KindLMS, Size: size}, &TooLong{Field: field, Kind: KindLMS, Size: size, Limit: KoreanLMSBytes, Unit: "bytes"}
}

// gsmBasic is the GSM 7-bit default alphabet (TS 23.038 §6.2.1) less the
// escape; gsmExt its extension table's characters, two septets each.
const (
	gsmBasic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
	gsmExt   = "^{}\\[~]|€\f"
)

var gsmSeptets = func() map[rune]int {
	m := map[rune]int{}
	for _, r := range gsmBasic {
		m[r] = 1
	}
	for _, r := range gsmExt {
		m[r] = 2
	}
	return m
}()

// splitGSM counts a text in GSM-7 when every character has a septet form,
// else in UCS-2. Parts are filled greedily and never split an escape pair
// or a surrogate pair, as handsets reassemble them.
func splitGSM(text string) Split {
	gsm := true
	for _, r := range text {
		if gsmSeptets[r] == 0 {
			gsm = false
			break
		}
	}
	var widths []int
	kind, single, part := KindGSM7, GSM7Single, GSM7Part
	if gsm {
		for _, r := range text {
			widths = append(widths, gsmSeptets[r])
		}
	} else {
		kind, single, part = KindUCS2, UCS2Single, UCS2Part
		for _, r := range text {
			widths = append(widths, len(utf16.Encode([]rune{r})))
		}
	}
	size := 0
	for _, w := range widths {
		size += w
	}
	if size <= single {
		return Split{Kind: kind, Size: size, Parts: 1}
	}
	parts, fill := 1, 0
	for _, w := range widths {
		if fill+w > part {
			parts++
			fill = 0
		}
		fill += w
	}
	return Split{Kind: kind, Size: size, Parts: parts}
}
