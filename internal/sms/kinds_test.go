package sms_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/pinpointsmsvoicev2"

	"breachflow/internal/breach"
	"breachflow/internal/casetable"
	"breachflow/internal/notice"
	"breachflow/internal/sms"
)

// dutyOf is an individuals duty with elements es.
func dutyOf(id string, es ...breach.Element) notice.Duty {
	return notice.Duty{ID: id, Regime: "KR-PIPA", Jurisdiction: "KR", Kind: breach.RecipientIndividuals, Citation: "test", Elements: es}
}

var (
	regular     = dutyOf("regular", breach.ElementNature, breach.ElementDataItems, breach.ElementContactPoint)
	closing     = dutyOf("closing", breach.ElementRuledOut, breach.ElementContactPoint)
	possibility = dutyOf("possibility", breach.ElementLeakPossibility, breach.ElementDataItems, breach.ElementContactPoint)
)

// Every notice language has its own first, update, closing and
// possibility text (none falls back to English), each passes the content
// check of the duty it serves and fails another's, and fits the channel: within MaxParts
// segments, and a Korean one within an LMS in EUC-KR.
func TestEveryLanguageHasEachText(t *testing.T) {
	en := map[string]string{}
	for _, l := range append([]string{"en"}, notice.Locales...) {
		first, err := sms.Sample("Example Pay", l)
		if err != nil {
			t.Fatal(err)
		}
		update, err := sms.SampleUpdate("Example Pay", l)
		if err != nil {
			t.Fatal(err)
		}
		closed, err := sms.SampleClosing("Example Pay", l)
		if err != nil {
			t.Fatal(err)
		}
		possible, err := sms.SamplePossibility("Example Pay", l)
		if err != nil {
			t.Fatal(err)
		}
		date, err := sms.SampleDate(l)
		if err != nil {
			t.Fatal(err)
		}
		for kind, c := range map[string]struct {
			text      sms.Text
			pass, bad notice.Duty
		}{"first": {first, regular, possibility}, "update": {update, regular, closing}, "closing": {closed, closing, regular},
			"possibility": {possible, possibility, closing}} {
			body := c.text.String()
			if l == "en" {
				en[kind] = body
			} else if body == en[kind] {
				t.Errorf("%s %s text is the English one", l, kind)
			}
			if !strings.Contains(body, "Example Pay") || !strings.HasSuffix(body, sms.SampleLink) {
				t.Errorf("%s %s text %q: want the organisation and the sample link", l, kind, body)
			}
			if err := sms.Check(kind, c.text, c.pass); err != nil {
				t.Errorf("%s %s text fails its own duty: %v", l, kind, err)
			}
			if err := sms.Check(kind, c.text, c.bad); err == nil {
				t.Errorf("%s %s text passes the check of the other kind's duty", l, kind)
			}
			if _, err := sms.CheckLength(kind, body, l); err != nil {
				t.Errorf("%s %s text: %v", l, kind, err)
			}
		}
		if n := strings.Count(update.String(), date); n != 1 {
			t.Errorf("%s update text holds the sample date %q %d times: %q", l, date, n, update.String())
		}
	}
	// The check can fail on length: a text over an LMS in Korea, and one
	// over MaxParts elsewhere.
	if _, err := sms.CheckLength("x", strings.Repeat("한", 1000), "ko"); err == nil {
		t.Error("a 2,000-byte Korean text passes")
	}
	if _, err := sms.CheckLength("x", strings.Repeat("a", 10*sms.GSM7Part+1), "en"); err == nil {
		t.Error("a text of more than MaxParts segments passes")
	}
}

// The sample date is the longest date of the language's form, so a text
// checked with it is as long as any person's gets.
func TestSampleDateIsTheLongest(t *testing.T) {
	for _, l := range notice.Locales {
		sample, err := sms.SampleDate(l)
		if err != nil {
			t.Fatal(err)
		}
		for d := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC); d.Year() < 2028; d = d.AddDate(0, 0, 1) {
			s, err := notice.FormatDate(l, "", d)
			if err != nil {
				t.Fatal(err)
			}
			if len([]rune(s)) > len([]rune(sample)) {
				t.Fatalf("%s: %q is longer than the sample date %q", l, s, sample)
			}
		}
	}
}

// Pacing counts the most parts any kind of text takes: an organisation
// name that makes the update text longer than the first raises it.
func TestPartsPerTextCountsEveryKind(t *testing.T) {
	org := strings.Repeat("x", 20)
	c := &sms.Channel{Org: org}
	first, _ := c.Compose("en", sms.SampleLink)
	date, _ := sms.SampleDate("en")
	update, _ := c.ComposeUpdate("en", date, sms.SampleLink)
	fs, _ := sms.SplitText("m", first.String(), "US")
	us, _ := sms.SplitText("m", update.String(), "US")
	got, err := c.PartsPerText("US")
	if err != nil {
		t.Fatal(err)
	}
	if got != max(fs.Parts, us.Parts) {
		t.Errorf("parts per text %d, want %d (first %d, update %d)", got, max(fs.Parts, us.Parts), fs.Parts, us.Parts)
	}
}

type capture struct{ bodies []string }

func (c *capture) SendTextMessage(_ context.Context, in *pinpointsmsvoicev2.SendTextMessageInput, _ ...func(*pinpointsmsvoicev2.Options)) (*pinpointsmsvoicev2.SendTextMessageOutput, error) {
	c.bodies = append(c.bodies, aws.ToString(in.MessageBody))
	return &pinpointsmsvoicev2.SendTextMessageOutput{MessageId: aws.String("m")}, nil
}

type textLinks struct{}

func (textLinks) Link(_ context.Context, _, userID string, _ int) (string, error) {
	return "https://n.example.org/n/" + userID, nil
}

// approved is what the send stage gets from the drafts: each kind of text
// under its key, with the sample date and link.
func approved(t *testing.T, org string, closingFor string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, l := range notice.Locales {
		f, _ := sms.Sample(org, l)
		u, _ := sms.SampleUpdate(org, l)
		out[l], out[sms.UpdateKey(l)] = f.String(), u.String()
		if closingFor != "" {
			c, _ := sms.SampleClosing(org, l)
			out[sms.ClosingKey(closingFor, l)] = c.String()
		}
	}
	return out
}

// withPossibility is approved with the possibility text for readers of
// jurisdiction j.
func withPossibility(texts map[string]string, org, j string) map[string]string {
	for _, l := range notice.Locales {
		p, _ := sms.SamplePossibility(org, l)
		texts[sms.PossibilityKey(j, l)] = p.String()
	}
	return texts
}

// The channel sends each person their kind of approved text: the first
// text, or the update text naming their own earlier notice's date (in
// their language's form and their jurisdiction's zone) for a person an
// earlier version reached, or the closing text to readers of the closing
// duty's jurisdiction; the person's link replaces the sample's.
func TestChannelPicksEachPersonsText(t *testing.T) {
	senders, err := sms.ParseSenders([]string{"KR=0215881234", "US=+18885550100"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name       string
		closingFor string
		possible   string
		s          casetable.Subject
		want       func() string
	}{
		{"first, Korean", "", "", casetable.Subject{UserID: "u1", Locale: "ko-KR", Jurisdiction: "KR", Phone: "+821012345678"}, func() string {
			f, _ := sms.Sample("예시페이", "ko")
			return strings.TrimSuffix(f.String(), sms.SampleLink) + "https://n.example.org/n/u1"
		}},
		{"update, Korean, Seoul's day", "", "", casetable.Subject{UserID: "u2", Locale: "ko", Jurisdiction: "KR", Phone: "+821012345678",
			NoticeKind: casetable.NoticeUpdate, UpdateOf: "2026-12-03T20:00:00Z"}, func() string {
			u, _ := (&sms.Channel{Org: "예시페이"}).ComposeUpdate("ko", "2026년 12월 4일", "https://n.example.org/n/u2")
			return u.String()
		}},
		{"update, English fallback, New York's day", "", "", casetable.Subject{UserID: "u3", Locale: "fr", Jurisdiction: "US-NY", Phone: "+12125550123",
			NoticeKind: casetable.NoticeUpdate, UpdateOf: "2026-12-04T03:00:00Z"}, func() string {
			u, _ := (&sms.Channel{Org: "예시페이"}).ComposeUpdate("en", "December 3, 2026", "https://n.example.org/n/u3")
			return u.String()
		}},
		{"closing, Korean reader", "KR", "", casetable.Subject{UserID: "u4", Locale: "ko", Jurisdiction: "KR-11", Phone: "+821012345678",
			NoticeKind: casetable.NoticeUpdate, UpdateOf: "2026-12-03T20:00:00Z"}, func() string {
			c, _ := sms.SampleClosing("예시페이", "ko")
			return strings.TrimSuffix(c.String(), sms.SampleLink) + "https://n.example.org/n/u4"
		}},
		{"closing case, reader of another law gets the update", "KR", "", casetable.Subject{UserID: "u5", Locale: "en", Jurisdiction: "US-CA", Phone: "+14155550123",
			NoticeKind: casetable.NoticeUpdate, UpdateOf: "2026-12-03T20:00:00Z"}, func() string {
			u, _ := (&sms.Channel{Org: "예시페이"}).ComposeUpdate("en", "December 3, 2026", "https://n.example.org/n/u5")
			return u.String()
		}},
		{"possibility, Korean reader in English", "", "KR", casetable.Subject{UserID: "u6", Locale: "en-GB", Jurisdiction: "KR", Phone: "+821012345678"}, func() string {
			p, _ := sms.SamplePossibility("예시페이", "en")
			return strings.TrimSuffix(p.String(), sms.SampleLink) + "https://n.example.org/n/u6"
		}},
		{"possibility case, reader of another law gets the first text", "", "KR", casetable.Subject{UserID: "u7", Locale: "en", Jurisdiction: "US-CA", Phone: "+14155550123"}, func() string {
			f, _ := sms.Sample("예시페이", "en")
			return strings.TrimSuffix(f.String(), sms.SampleLink) + "https://n.example.org/n/u7"
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &capture{}
			texts := approved(t, "예시페이", tc.closingFor)
			if tc.possible != "" {
				texts = withPossibility(texts, "예시페이", tc.possible)
			}
			ch := (&sms.Channel{Client: c, Senders: senders, Links: textLinks{}}).WithTexts(texts)
			out, err := ch.Prepare(context.Background(), &tc.s)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := out(context.Background()); err != nil {
				t.Fatal(err)
			}
			if want := tc.want(); len(c.bodies) != 1 || c.bodies[0] != want {
				t.Errorf("sent %q, want %q", c.bodies, want)
			}
		})
	}
}

// An approved update text that lost its sample date, or a case with no
// approved update text, sends no update: the channel does not guess.
func TestChannelRefusesAnUpdateItCannotDate(t *testing.T) {
	s := &casetable.Subject{Locale: "en", Jurisdiction: "US", NoticeKind: casetable.NoticeUpdate, UpdateOf: "2026-12-03T20:00:00Z"}
	texts := approved(t, "Example Pay", "")
	date, _ := sms.SampleDate("en")
	texts[sms.UpdateKey("en")] = strings.Replace(texts[sms.UpdateKey("en")], date, "recently", 1)
	ch := (&sms.Channel{}).WithTexts(texts).(*sms.Channel)
	if got, err := sms.BodyFor(ch, s, "https://n.example.org/n/x"); err == nil {
		t.Errorf("an update text without the sample date sent %q", got)
	}
	ch = (&sms.Channel{}).WithTexts(map[string]string{"en": texts["en"]}).(*sms.Channel)
	if got, err := sms.BodyFor(ch, s, "https://n.example.org/n/x"); err == nil {
		t.Errorf("no approved update text, yet %q was sent", got)
	}
	// Composed without approved texts (plan, bench), the update names the
	// date all the same.
	got, err := sms.BodyFor(&sms.Channel{Org: "Example Pay"}, s, "https://n.example.org/n/x")
	if err != nil || !strings.Contains(got, "December 3, 2026") {
		t.Errorf("composed update %q, %v: want the earlier notice's date", got, err)
	}
}
