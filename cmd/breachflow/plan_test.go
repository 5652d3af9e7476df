package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
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
