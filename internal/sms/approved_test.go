package sms_test

import (
	"strings"
	"testing"

	"breachflow/internal/sms"
)

// The SMS channel sends the approved text with the person's own link in
// place of the sample link, falling back to English as Compose does.
func TestChannelSendsApprovedText(t *testing.T) {
	ko, err := sms.Sample("카카오페이", "ko")
	if err != nil {
		t.Fatal(err)
	}
	en, err := sms.Sample("Kakao Pay", "en")
	if err != nil {
		t.Fatal(err)
	}
	ch := (&sms.Channel{Org: "other"}).WithTexts(map[string]string{"ko": ko.String(), "en": en.String()}).(*sms.Channel)
	link := "https://n.example.org/n/BBBBBBBBBBBBBBBBBBBBBB"
	for locale, want := range map[string]string{"ko-KR": ko.String(), "fr": en.String()} {
		got, err := sms.Body(ch, locale, link)
		if err != nil {
			t.Fatal(err)
		}
		if w := strings.TrimSuffix(want, sms.SampleLink) + link; got != w {
			t.Errorf("%s: sent %q, want %q", locale, got, w)
		}
	}
	bad := (&sms.Channel{}).WithTexts(map[string]string{"en": "no link here"}).(*sms.Channel)
	if _, err := sms.Body(bad, "en", link); err == nil {
		t.Error("a text without the sample link was accepted")
	}
}
