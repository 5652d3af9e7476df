package main

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"breachflow/internal/capacity"
)

func runPlan(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := newPlanCmd()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs(args)
	err := cmd.Execute()
	return out.String(), err
}

func TestPlanFromFlags(t *testing.T) {
	out, err := runPlan(t, "--people", "40450000", "--ses-rate", "156.1", "--start", "2026-11-24T00:00:00Z",
		"--deadline", "72h=2026-11-27T00:00:00Z", "--deadline", "24h=2026-11-25T00:00:00Z", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var p planOutput
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatal(err)
	}
	d := p.Schedule.Deadlines
	if len(d) != 2 || !d[0].Met || d[1].Met || int(d[1].NeededRate) != 468 {
		t.Errorf("deadlines = %+v, want 72h met and 24h missed needing 468/s", d)
	}
	if ses := p.Cost.ByService["SES"]; ses != 4045 {
		t.Errorf("SES cost = %v, want 4045", ses)
	}
}

func TestPlanFromReport(t *testing.T) {
	out, err := runPlan(t, "../../events/reports/kakaopay-alipay.json", "--ses-rate", "14", "--daily-quota", "50000", "--start", "2024-08-13T09:00:00+09:00")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"40,450,000 people", "MISSED by", "156.1/s", "$4,045.00", "the daily quota, not the rate"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestPlanNeedsPeople(t *testing.T) {
	if _, err := runPlan(t, "--ses-rate", "14"); err == nil || !strings.Contains(err.Error(), "--people") {
		t.Errorf("error = %v, want one naming --people", err)
	}
}

// TestPlanJSONOnThePastSample: the sample's deadlines passed in 2024, so no
// rate meets them; `plan --json` still prints valid JSON, the rate null with
// its reason, where it used to fail on +Inf.
func TestPlanJSONOnThePastSample(t *testing.T) {
	out, err := runPlan(t, "../../events/reports/kakaopay-alipay.json", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var p struct {
		Schedule struct {
			Deadlines []map[string]any `json:"deadlines"`
		} `json:"schedule"`
	}
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatalf("plan --json printed invalid JSON: %v\n%s", err, out)
	}
	if len(p.Schedule.Deadlines) == 0 {
		t.Fatal("no deadlines in the plan")
	}
	for _, d := range p.Schedule.Deadlines {
		if d["needed_rate"] != nil || d["unmeetable"] == "" || d["unmeetable"] == nil {
			t.Errorf("passed deadline %v: want needed_rate null and a reason", d)
		}
	}
}

// TestPlanSMS: --sms adds the SMS channel's texts, parts, cost and time by
// country, with its figures marked UNVERIFIED, against the same deadlines;
// a country without figures is refused by name.
func TestPlanSMS(t *testing.T) {
	out, err := runPlan(t, "--people", "1000000", "--sms", "KR=900000", "--sms", "US=5000", "--sms-rate", "40", "--sms-org", "KakaoPay",
		"--start", "2024-08-13T09:00:00+09:00", "--deadline", "pipa=2024-08-13T18:00:00+09:00")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"SMS through End User Messaging", "UNVERIFIED", "KR       900,000  LMS x1", "12.5 h", "pipa: MISSED by"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if _, err := runPlan(t, "--people", "10", "--sms", "ZZ=10"); err == nil || !strings.Contains(err.Error(), "ZZ") {
		t.Errorf("unknown country: %v", err)
	}
	if _, err := runPlan(t, "--people", "10", "--sms", "KR"); err == nil || !strings.Contains(err.Error(), "--sms") {
		t.Errorf("malformed --sms: %v", err)
	}
}

// emailSchedule is the e-mail channel for people at rate from start.
func emailSchedule(t *testing.T, people int64, rate float64, start time.Time, dls []capacity.Deadline) (capacity.Schedule, capacity.Cost) {
	t.Helper()
	s, err := capacity.Plan(people, capacity.Account{Rate: rate}, start, dls)
	if err != nil {
		t.Fatal(err)
	}
	return s, capacity.Estimate(people, rate, 0)
}

func rowOf(t *testing.T, rows []capacity.ChannelRow, channel string, fallback bool) capacity.ChannelRow {
	t.Helper()
	for _, r := range rows {
		if r.Channel == channel && r.Fallback == fallback {
			return r
		}
	}
	t.Fatalf("no %s row (fallback %v) in %+v", channel, fallback, rows)
	return capacity.ChannelRow{}
}

// TestPlanChannelsPostalMissesWhatSMSMeets: a 72-hour deadline that texts
// meet within hours and letters miss by days (two days' lead, then five
// days' delivery in Korea), while the posted notice is up from the start.
func TestPlanChannelsPostalMissesWhatSMSMeets(t *testing.T) {
	start := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	dls := []capacity.Deadline{{Name: "pipa-72h", Due: start.Add(72 * time.Hour)}}
	s, c := emailSchedule(t, 100_000, 14, start, dls)
	kr, _ := capacity.PostalCountryOf("KR")
	posted, err := capacity.PlanPosted(capacity.PostedInput{Pages: 1, Bytes: 20_000, Views: map[string]int64{"KR": 200_000}, Days: 30, Up: start}, capacity.DefaultPostedPrices())
	if err != nil {
		t.Fatal(err)
	}
	cp, err := planChannels(channelInputs{Begin: start, Deadlines: dls, Email: s, EmailCost: c,
		SMS: map[string]int64{"KR": 72_000}, SMSRate: 20, SMSOrg: "Example Pay",
		Postal: map[string]int64{"KR": 5_000}, MailingHouse: capacity.MailingHouse{LeadDays: 2, LettersPerDay: 100_000, PrintUSD: 0.15},
		Posted: posted, PostedOnly: 3_000})
	if err != nil {
		t.Fatal(err)
	}
	email, text, letter, page := rowOf(t, cp.Rows, "email", false), rowOf(t, cp.Rows, "sms", false), rowOf(t, cp.Rows, "postal", false), rowOf(t, cp.Rows, "posted notice", false)
	// 100,000 e-mails at 14/s: 1.98 h. 72,000 Korean LMS at 20/s: 1 h.
	if !email.Deadlines[0].Met || !text.Deadlines[0].Met {
		t.Errorf("e-mail %+v, SMS %+v: want both to meet 72 h", email.Deadlines[0], text.Deadlines[0])
	}
	if want := start.Add(time.Hour); !text.Ends.Equal(want) || text.Deadlines[0].Margin != 71*time.Hour {
		t.Errorf("SMS ends %v with %v to spare, want %v with 71 h", text.Ends, text.Deadlines[0].Margin, want)
	}
	// Letters: 2 days + 5,000/100,000 of a day, then Korea's delivery days.
	wantLetters := start.Add(time.Duration((2 + 0.05 + kr.DeliveryDays) * float64(capacity.Day)))
	if !letter.Ends.Equal(wantLetters) || letter.Deadlines[0].Met || letter.Deadlines[0].Margin != -wantLetters.Sub(dls[0].Due) {
		t.Errorf("letters end %v, %+v; want %v and 72 h missed by %v", letter.Ends, letter.Deadlines[0], wantLetters, wantLetters.Sub(dls[0].Due))
	}
	if letter.Verified || text.Verified || !email.Verified {
		t.Errorf("verified: e-mail %v, SMS %v, letters %v; want only e-mail (LIMITS.md prices)", email.Verified, text.Verified, letter.Verified)
	}
	if !page.Deadlines[0].Met || page.Deadlines[0].Margin != 72*time.Hour || !page.Until.Equal(start.Add(30*capacity.Day)) || page.People != 3_000 {
		t.Errorf("posted notice %+v: want up at the start, 72 h before the deadline, until 30 days on, 3,000 people only it reaches", page)
	}
	if math.Abs(letter.CostUSD-5_000*(kr.PostageUSD+0.15)) > 1e-6 {
		t.Errorf("letters cost $%.2f", letter.CostUSD)
	}
}

// TestPlanChannelsFallbacks: texts for bounced e-mails start once the
// e-mails are all sent and the bounce window has passed, after the first
// texts; letters for those whose every electronic channel failed start
// after that and after the first letters are handed in.
func TestPlanChannelsFallbacks(t *testing.T) {
	start := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	dls := []capacity.Deadline{{Name: "24h", Due: start.Add(24 * time.Hour)}, {Name: "30d", Due: start.Add(30 * capacity.Day)}}
	s, c := emailSchedule(t, 504_000, 14, start, dls) // 10 h of e-mail
	cp, err := planChannels(channelInputs{Begin: start, Deadlines: dls, Email: s, EmailCost: c,
		SMS: map[string]int64{"KR": 36_000}, SMSFallback: map[string]int64{"KR": 360_000}, SMSRate: 20, SMSOrg: "Example Pay",
		Postal: map[string]int64{"KR": 10_000}, PostalFallback: map[string]int64{"KR": 10_000},
		MailingHouse: capacity.MailingHouse{LeadDays: 1, LettersPerDay: 10_000, PrintUSD: 0.1},
		Posted:       capacity.PostedPlan{Up: start, Until: start.Add(30 * capacity.Day), Verified: true}})
	if err != nil {
		t.Fatal(err)
	}
	email := rowOf(t, cp.Rows, "email", false)
	smsFirst, smsBack := rowOf(t, cp.Rows, "sms", false), rowOf(t, cp.Rows, "sms", true)
	if !smsBack.Start.Equal(email.Ends.Add(capacity.BounceWindow)) || smsBack.Start.Before(smsFirst.Ends) {
		t.Errorf("SMS fallback starts %v; want e-mail's end %v plus the bounce window, after the first texts (%v)", smsBack.Start, email.Ends, smsFirst.Ends)
	}
	// 360,000 LMS at 20/s: 5 h after 10 h 15 min: 15 h 15 min, inside 24 h.
	if want := start.Add(15*time.Hour + 15*time.Minute); !smsBack.Ends.Equal(want) || !smsBack.Deadlines[0].Met {
		t.Errorf("SMS fallback ends %v (%+v), want %v and 24 h met", smsBack.Ends, smsBack.Deadlines[0], want)
	}
	letterFirst, letterBack := rowOf(t, cp.Rows, "postal", false), rowOf(t, cp.Rows, "postal", true)
	if want := start.Add(2 * capacity.Day); !letterBack.Start.Equal(want) {
		t.Errorf("postal fallback starts %v, want when the first letters are all handed in (%v), later than the texts' end + window", letterBack.Start, want)
	}
	if !letterBack.Ends.After(letterFirst.Ends) || letterBack.Deadlines[0].Met || !letterBack.Deadlines[1].Met {
		t.Errorf("postal fallback %+v: want after the first letters, 24 h missed, 30 days met", letterBack)
	}
	if !smsBack.Fallback || smsBack.People != 360_000 {
		t.Errorf("SMS fallback row %+v", smsBack)
	}
}

// TestPlanPostalFlag: --postal adds the letters to the output and to the
// summary, which --json carries; bad --postal input is refused by name.
func TestPlanPostalFlag(t *testing.T) {
	args := []string{"--people", "10000", "--sms", "KR=5000", "--postal", "KR=2000", "--postal", "US=10", "--start", "2026-12-01T00:00:00Z",
		"--deadline", "pipa=2026-12-04T00:00:00Z", "--deadline", "hipaa=2027-01-30T00:00:00Z"}
	out, err := runPlan(t, args...)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Letters through a mailing house", "UNVERIFIED", "Korea Post", "Every channel against every deadline",
		"postal         2,010", "last letter delivered", "MISSED by", "posted notice", "must stay up until", "30 days: no applicable rule"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	raw, err := runPlan(t, append(args, "--json")...)
	if err != nil {
		t.Fatal(err)
	}
	var p planOutput
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		t.Fatal(err)
	}
	if len(p.Channels) != 4 || p.Postal == nil || p.Postal.Letters != 2010 || p.Posted.Days != 30 {
		t.Fatalf("json: %d channels, postal %+v, posted %+v", len(p.Channels), p.Postal, p.Posted)
	}
	for _, r := range p.Channels {
		if len(r.Deadlines) != 2 {
			t.Errorf("%s: %d verdicts, want 2", r.Channel, len(r.Deadlines))
		}
		want := r.Channel != "postal" // letters take more than three days
		if r.Deadlines[0].Met != want || !r.Deadlines[1].Met {
			t.Errorf("%s: %+v", r.Channel, r.Deadlines)
		}
	}
	if _, err := runPlan(t, "--people", "10", "--postal", "KR"); err == nil || !strings.Contains(err.Error(), "--postal") {
		t.Errorf("malformed --postal: %v", err)
	}
	if _, err := runPlan(t, "--people", "10", "--postal", "ZZ=3"); err == nil || !strings.Contains(err.Error(), "ZZ") {
		t.Errorf("unknown country: %v", err)
	}
	if _, err := runPlan(t, "../../events/reports/kakaopay-alipay.json", "--case", "x"); err == nil || !strings.Contains(err.Error(), "not both") {
		t.Errorf("report and --case: %v", err)
	}
}

// TestPlanFromCaseCounts: the case record's counts per channel plan fill
// in the channels the flags leave out, spread over the countries of the
// case's people; a flag still overrides its channel.
func TestPlanFromCaseCounts(t *testing.T) {
	f := planFacts{channels: map[string]int{"email": 700, "sms": 100, "sms_fallback": 40, "postal": 20, "posted": 5},
		byCountry: map[string]int64{"KR": 900, "US": 100}}
	var in channelInputs
	note := fromCase(&in, f, false, false)
	if in.SMS["KR"] != 90 || in.SMS["US"] != 10 || in.SMSFallback["KR"] != 36 || in.Postal["KR"] != 18 || in.Postal["US"] != 2 || in.PostedOnly != 5 || in.PostalFallback != nil {
		t.Errorf("from the case: %+v", in)
	}
	if !strings.Contains(note, "spread over countries") {
		t.Errorf("note %q does not say the counts are spread", note)
	}
	// A country without figures (Ireland: no SMS or postal figures) gives
	// its share to the countries with figures, and the note names it.
	f.byCountry["IE"] = 100
	in = channelInputs{}
	note = fromCase(&in, f, false, false)
	if in.SMS["IE"] != 0 || in.SMS["KR"]+in.SMS["US"] != 100 || in.Postal["IE"] != 0 || !strings.Contains(note, "no figures for IE") {
		t.Errorf("IE without figures: SMS %v, postal %v, note %q", in.SMS, in.Postal, note)
	}
	in = channelInputs{SMS: map[string]int64{"JP": 3}}
	fromCase(&in, f, true, false)
	if len(in.SMS) != 1 || in.SMS["JP"] != 3 || in.SMSFallback != nil {
		t.Errorf("--sms given: %+v, want the flag's counts only", in.SMS)
	}
}
