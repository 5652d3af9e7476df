package sms_test

import (
	"errors"
	"strings"
	"testing"

	"breachflow/internal/breach"
	"breachflow/internal/casetable"
	"breachflow/internal/envconfig"
	"breachflow/internal/notice"
	"breachflow/internal/sms"
)

func TestParseNumber(t *testing.T) {
	for _, tc := range []struct {
		raw, home, want, country, code string
	}{
		{"+82 10-1234-5678", "", "+821012345678", "KR", ""},
		{"010-1234-5678", "KR", "+821012345678", "KR", ""},
		{"0082 10 1234 5678", "US", "+821012345678", "KR", ""},
		{"(415) 555-0100", "US", "+14155550100", "US", ""},
		{"1 415 555 0100", "US", "+14155550100", "US", ""},
		{"+1 416 555 0100", "CA", "+14165550100", "CA", ""},
		{"+1 416 555 0100", "KR", "+14165550100", "US", ""},
		{"090-1234-5678", "JP", "+819012345678", "JP", ""},
		{"+82 010 1234 5678", "", "", "", "invalid_number"},
		{"010-1234-5678", "", "", "", "invalid_number"},
		{"+82 10 1234", "", "", "", "invalid_number"},
		{"+82-10-1234-5678 ext 9", "", "", "", "invalid_number"},
		{"", "KR", "", "", "invalid_number"},
		{"+999 1234 5678", "", "", "", "unknown_country"},
		{"+1234567890123456", "", "", "", "invalid_number"},
	} {
		t.Run(tc.raw, func(t *testing.T) {
			n, err := sms.ParseNumber("phone", tc.raw, tc.home)
			if tc.code != "" {
				var fe *sms.FieldError
				if !errors.As(err, &fe) || fe.Code != tc.code || fe.Field != "phone" {
					t.Fatalf("err = %v, want code %s", err, tc.code)
				}
				digits := strings.Map(func(r rune) rune {
					if r >= '0' && r <= '9' {
						return r
					}
					return -1
				}, tc.raw)
				if len(digits) >= 6 && strings.Contains(err.Error(), digits[len(digits)-6:]) {
					t.Fatalf("error %q shows the number", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if n.E164() != tc.want || n.Country() != tc.country {
				t.Fatalf("got %s %s, want %s %s", n.E164(), n.Country(), tc.want, tc.country)
			}
		})
	}
}

func TestParseSenders(t *testing.T) {
	s, err := sms.ParseSenders([]string{"KR=0215881234", "US=+18885550100", "GB=Breachflow", "JP=pool-abc"})
	if err != nil {
		t.Fatal(err)
	}
	if id, _ := s.For("KR"); id != "0215881234" {
		t.Fatalf("KR = %q", id)
	}
	var fe *sms.FieldError
	if _, err := s.For("DE"); !errors.As(err, &fe) || fe.Code != "no_sender" {
		t.Fatalf("DE: %v", err)
	}
	for _, bad := range [][]string{{"KR=Breachflow"}, {"US=18885550100"}, {"GB=FarTooLongSenderID"}, {"XX=1234"}, {"KR"}, {"KR=02158,KR=0215"}, {"KR=0215881234", "KR=0215881235"}} {
		if _, err := sms.ParseSenders(bad); err == nil {
			t.Errorf("%v accepted", bad)
		} else if strings.Contains(err.Error(), "0215881234") {
			t.Errorf("error %q shows a number", err)
		}
	}
}

func TestSplitTextKorean(t *testing.T) {
	// 한 is two bytes in EUC-KR; the carrier's label takes 10 more.
	for _, tc := range []struct {
		text  string
		kind  sms.Kind
		size  int
		long  bool
		notKR bool
	}{
		{strings.Repeat("한", 40), sms.KindSMS, 90, false, false},
		{strings.Repeat("한", 40) + "a", sms.KindLMS, 91, false, false},
		{strings.Repeat("a", 80), sms.KindSMS, 90, false, false},
		{strings.Repeat("한", 995), sms.KindLMS, 2000, false, false},
		{strings.Repeat("한", 995) + "a", sms.KindLMS, 2001, true, false},
		{"똠방각하", "", 0, false, true}, // 똠 is in Windows-949 only, not in KS X 1001
		{"안녕 😀", "", 0, false, true},
	} {
		s, err := sms.SplitText("message", tc.text, "KR")
		var tl *sms.TooLong
		var fe *sms.FieldError
		switch {
		case tc.long:
			if !errors.As(err, &tl) || tl.Size != tc.size || tl.Limit != 2000 {
				t.Errorf("%d runes: %v, want too long", len([]rune(tc.text)), err)
			}
		case tc.notKR:
			if !errors.As(err, &fe) || fe.Code != "not_euckr" {
				t.Errorf("%q: %v, want not_euckr", tc.text, err)
			}
		case err != nil || s.Kind != tc.kind || s.Size != tc.size || s.Parts != 1:
			t.Errorf("%d runes: %+v %v, want %s of %d bytes", len([]rune(tc.text)), s, err, tc.kind, tc.size)
		}
	}
}

func TestSplitTextSegments(t *testing.T) {
	for _, tc := range []struct {
		name  string
		text  string
		kind  sms.Kind
		size  int
		parts int
	}{
		{"gsm single", strings.Repeat("a", 160), sms.KindGSM7, 160, 1},
		{"gsm two", strings.Repeat("a", 161), sms.KindGSM7, 161, 2},
		{"gsm 306 is two", strings.Repeat("a", 306), sms.KindGSM7, 306, 2},
		{"gsm 307 is three", strings.Repeat("a", 307), sms.KindGSM7, 307, 3},
		{"escape counts two", strings.Repeat("€", 80), sms.KindGSM7, 160, 1},
		{"escape pair not split", strings.Repeat("a", 152) + "€" + strings.Repeat("a", 10), sms.KindGSM7, 164, 2},
		{"escape pair moves", strings.Repeat("a", 152) + "€" + strings.Repeat("a", 152), sms.KindGSM7, 306, 3},
		{"accented gsm", "Grüße, café", sms.KindGSM7, 11, 1},
		{"ucs2 single", strings.Repeat("ç", 1) + strings.Repeat("日", 69), sms.KindUCS2, 70, 1},
		{"ucs2 two", strings.Repeat("日", 71), sms.KindUCS2, 71, 2},
		{"ucs2 134 is two", strings.Repeat("日", 134), sms.KindUCS2, 134, 2},
		{"ucs2 135 is three", strings.Repeat("日", 135), sms.KindUCS2, 135, 3},
		{"surrogates count two", strings.Repeat("😀", 35), sms.KindUCS2, 70, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := sms.SplitText("message", tc.text, "US")
			if err != nil || s.Kind != tc.kind || s.Size != tc.size || s.Parts != tc.parts {
				t.Fatalf("got %+v %v, want %s %d in %d parts", s, err, tc.kind, tc.size, tc.parts)
			}
		})
	}
	var tl *sms.TooLong
	if _, err := sms.SplitText("message", strings.Repeat("日", 671), "US"); !errors.As(err, &tl) || tl.Limit != 670 {
		t.Fatalf("11 UCS-2 parts: %v", err)
	}
	if _, err := sms.SplitText("message", strings.Repeat("a", 1601), "US"); !errors.As(err, &tl) {
		t.Fatalf("over the API's 1,600 characters: %v", err)
	}
	if _, err := sms.SplitText("message", "", "US"); err == nil {
		t.Fatal("empty text accepted")
	}
}

func TestCheck(t *testing.T) {
	d := notice.Duty{ID: "o-1", Regime: "KR-PIPA", Citation: "PIPA Art. 34(1)", Jurisdiction: "KR",
		Elements: []breach.Element{breach.ElementDataItems, breach.ElementTimeline, breach.ElementContactPoint}}
	full := sms.Text{Parts: []sms.Part{{breach.ElementDataItems, "이름, 전화번호"}, {breach.ElementTimeline, "2026-11-30"}, {breach.ElementContactPoint, "1588-0000"}}}
	if err := sms.Check("sms/ko", full, d); err != nil {
		t.Fatal(err)
	}
	// SK Telecom's 2025 text: an apology without the items.
	apology := sms.Text{Parts: []sms.Part{{breach.ElementOrganisation, "[SKT]"}, {"", "죄송합니다"}, {breach.ElementContactPoint, "114"}}}
	var m *notice.MissingContentElement
	if err := sms.Check("sms/ko", apology, d); !errors.As(err, &m) || m.Element != breach.ElementDataItems || m.Citation != "PIPA Art. 34(1)" {
		t.Fatalf("apology: %v", err)
	}
	linked := sms.Text{Parts: []sms.Part{{breach.ElementOrganisation, "[회사]"}, {breach.ElementNature, "개인정보가 유출되었습니다."}}, Link: "https://n.example/t/abc"}
	if err := sms.Check("sms/ko", linked, d); err != nil {
		t.Fatal(err)
	}
	bare := sms.Text{Parts: []sms.Part{{breach.ElementOrganisation, "[회사]"}, {breach.ElementNature, "  "}}, Link: "https://n.example/t/abc"}
	if err := sms.Check("sms/ko", bare, d); !errors.As(err, &m) || m.Element != breach.ElementNature {
		t.Fatalf("a link with a blank nature: %v", err)
	}
}

func TestComposedTextsPassTheirCheckAndFit(t *testing.T) {
	c := &sms.Channel{Org: "카카오페이"}
	d := notice.Duty{ID: "o-1", Regime: "KR-PIPA", Citation: "PIPA Art. 34(1)", Jurisdiction: "KR", Elements: []breach.Element{breach.ElementDataItems}}
	link := "https://notice.example.com/n/" + strings.Repeat("A", 28)
	for _, tc := range []struct{ locale, country string }{{"ko", "KR"}, {"en-US", "US"}, {"ja", "JP"}, {"de", "DE"}, {"fr", "FR"}} {
		if err := c.CheckLocale(tc.locale, d); err != nil {
			t.Errorf("%s: %v", tc.locale, err)
		}
		txt, err := c.Compose(tc.locale, link)
		if err != nil {
			t.Fatal(err)
		}
		s, err := sms.SplitText("message", txt.String(), tc.country)
		if err != nil {
			t.Errorf("%s: %v", tc.locale, err)
		}
		if tc.country != "KR" && s.Parts > 3 {
			t.Errorf("%s: %d parts", tc.locale, s.Parts)
		}
	}
}

func TestCountriesAreComplete(t *testing.T) {
	for _, c := range sms.Countries() {
		if c.Code == "" || c.Min < 4 || c.Max < c.Min || c.PriceUSD <= 0 || c.MPS <= 0 || (c.Encoding != "gsm" && c.Encoding != "euc-kr") {
			t.Errorf("%+v", c)
		}
		if !breach.IsCountry(c.ISO) {
			t.Errorf("%s is no country breach knows", c.ISO)
		}
	}
}

func TestLoadConfig(t *testing.T) {
	c, err := sms.LoadConfig(envconfig.Map(map[string]string{
		"SMS_SENDERS": "KR=0215881234,US=+18885550100", "SMS_CONFIGURATION_SET": "texts", "SMS_MAX_SEND_RATE": "20", "SMS_ORGANISATION": "카카오페이",
	}))
	if err != nil || !c.Enabled() || c.Senders["KR"] != "0215881234" || c.Rate != 20 || c.ConfigurationSet != "texts" {
		t.Fatalf("%+v %v", c, err)
	}
	if c, err := sms.LoadConfig(envconfig.Map(nil)); err != nil || c.Enabled() {
		t.Fatalf("no settings: %+v %v", c, err)
	}
	for _, bad := range []map[string]string{
		{"SMS_SENDERS": "KR=0215881234", "SMS_ORGANISATION": "x"},
		{"SMS_SENDERS": "KR=0215881234", "SMS_MAX_SEND_RATE": "20"},
		{"SMS_SENDERS": "KR=Breachflow", "SMS_MAX_SEND_RATE": "20", "SMS_ORGANISATION": "x"},
		{"SMS_MAX_SEND_RATE": "-1"},
	} {
		_, err := sms.LoadConfig(envconfig.Map(bad))
		if err == nil || !strings.Contains(err.Error(), "SMS_") {
			t.Errorf("%v: %v", bad, err)
		}
	}
}

func TestPlanTexts(t *testing.T) {
	p, err := sms.PlanTexts(map[string]int64{"KR": 1_000_000, "US": 10_000}, 40, "KakaoPay")
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Countries) != 2 || p.Countries[0].Country != "KR" || p.Texts != 1_010_000 || p.Verified {
		t.Fatalf("%+v", p)
	}
	kr, us := p.Countries[0], p.Countries[1]
	krc, _ := sms.CountryOf("KR")
	if kr.Kind != sms.KindLMS || kr.Parts != 1 || kr.PriceUSD != krc.LMSPriceUSD {
		t.Errorf("KR %+v: the Korean short text with its link is an LMS", kr)
	}
	if us.Kind != sms.KindGSM7 || us.Parts < 1 || us.CostUSD != us.PriceUSD*10_000 {
		t.Errorf("US %+v", us)
	}
	if want := max(float64(p.Parts)/40, kr.Alone.Seconds()); p.Length.Seconds() < want-1 || p.Length.Seconds() > want+1 {
		t.Errorf("length %s, want %.0f s", p.Length, want)
	}
	if _, err := sms.PlanTexts(map[string]int64{"ZZ": 1}, 40, "x"); err == nil || !strings.Contains(err.Error(), "ZZ") {
		t.Errorf("unknown country: %v", err)
	}
}

func TestPacingCountsParts(t *testing.T) {
	c, err := sms.LoadConfig(envconfig.Map(map[string]string{"SMS_SENDERS": "KR=0215881234,US=+18885550100", "SMS_MAX_SEND_RATE": "60", "SMS_ORGANISATION": "카카오페이"}))
	if err != nil {
		t.Fatal(err)
	}
	ch := &sms.Channel{Org: c.Organisation, Senders: c.Senders}
	us, err := ch.PartsPerText("US")
	if err != nil || us < 2 {
		t.Fatalf("US parts %d %v: a Korean name makes the English text UCS-2", us, err)
	}
	p, err := c.Pacing(ch, 2)
	if err != nil {
		t.Fatal(err)
	}
	if want := 60 / float64(us) / 2; p.Rate != want {
		t.Errorf("rate %v, want %v texts/s per invocation", p.Rate, want)
	}
}

// A text goes to whom the channel plan gives SMS now: first-step SMS at
// once, SMS after e-mail only once the e-mail failed; nobody current, and
// nobody whose plan has no SMS.
func TestDueFollowsThePlan(t *testing.T) {
	for _, tc := range []struct {
		plan   string
		status casetable.Status
		want   bool
	}{
		{"sms", casetable.StatusPending, true},
		{"email+sms>postal", casetable.StatusPending, true},
		{"email>sms", casetable.StatusPending, false},
		{"email>sms", casetable.StatusBounced, true},
		{"email>sms", casetable.StatusFailed, true},
		{"email>sms", casetable.StatusNoContact, true},
		{"email>sms", casetable.StatusDelivered, false},
		{"email>sms", casetable.StatusDuplicate, false},
		{"sms", casetable.StatusCurrent, false},
		{"email>postal", casetable.StatusBounced, false},
		{"posted", casetable.StatusNoContact, false},
		{"", casetable.StatusPending, true}, // scoped before plans: as before
	} {
		got, err := sms.Due(&casetable.Subject{Phone: "+821012345678", Plan: tc.plan, Status: tc.status})
		if err != nil || got != tc.want {
			t.Errorf("Due(plan %q, %s) = %v, %v; want %v", tc.plan, tc.status, got, err, tc.want)
		}
	}
	if _, err := sms.Due(&casetable.Subject{Plan: "email>fax"}); err == nil {
		t.Error("Due accepted a plan naming an unknown channel")
	}
}
