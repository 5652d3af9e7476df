package capacity

import (
	"encoding/json"
	"math"
	"testing"
	"time"
)

// kakao is the 40.45M-person case of research/LIMITS.md.
const kakao = 40_450_000

func TestSendTimeReproducesLimits(t *testing.T) {
	for _, tc := range []struct {
		name       string
		acct       Account
		want       time.Duration
		tol        time.Duration
		quotaBound bool
	}{
		{"fresh grant 14/s takes ~33 days", Account{Rate: 14}, secs(33.44 * Day.Seconds()), time.Hour, false},
		{"156/s fits 72 h", Account{Rate: 156.1}, 72 * time.Hour, 10 * time.Minute, false},
		{"468/s fits 24 h", Account{Rate: 468.2}, 24 * time.Hour, 10 * time.Minute, false},
		{"one-off grant 300/s, 6M/day: 6 full days and the rest", Account{Rate: 300, DailyQuota: 6_000_000}, 6*Day + secs(float64(kakao-36_000_000)/300), time.Second, true},
		{"quota that a day at the rate never reaches does not bind", Account{Rate: 14, DailyQuota: 2_000_000}, secs(float64(kakao) / 14), time.Second, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, bound := SendTime(kakao, tc.acct)
			if d := got - tc.want; d > tc.tol || d < -tc.tol {
				t.Errorf("SendTime = %v, want %v ± %v", got, tc.want, tc.tol)
			}
			if bound != tc.quotaBound {
				t.Errorf("quota bound = %v, want %v", bound, tc.quotaBound)
			}
		})
	}
}

func TestPlanDeadlines(t *testing.T) {
	start := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	s, err := Plan(kakao, Account{Rate: 14, DailyQuota: 50_000}, start, []Deadline{
		{Name: "kr-pipa individuals", Due: start.Add(72 * time.Hour)},
		{Name: "24h", Due: start.Add(24 * time.Hour)},
		{Name: "past", Due: start.Add(-time.Hour)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !s.QuotaBound || s.Finish.Before(start.Add(800*Day)) {
		t.Errorf("14/s with 50k/day: finish %v, quota bound %v; want over 800 days and quota-bound", s.Finish, s.QuotaBound)
	}
	for _, tc := range []struct {
		i         int
		wantRate  float64
		wantQuota int64
	}{
		{0, 156.06, 13_483_334},
		{1, 468.17, kakao},
		{2, math.Inf(1), kakao},
	} {
		c := s.Deadlines[tc.i]
		if c.Met {
			t.Errorf("%s: met, want missed", c.Name)
		}
		if math.Abs(c.NeededRate-tc.wantRate) > 0.01 && !(math.IsInf(tc.wantRate, 1) && math.IsInf(c.NeededRate, 1)) {
			t.Errorf("%s: needed rate %.2f, want %.2f", c.Name, c.NeededRate, tc.wantRate)
		}
		if c.NeededDailyQuota != tc.wantQuota {
			t.Errorf("%s: needed quota %d, want %d", c.Name, c.NeededDailyQuota, tc.wantQuota)
		}
	}
	ok, _ := Plan(1000, Account{Rate: 14}, start, []Deadline{{Name: "72h", Due: start.Add(72 * time.Hour)}})
	if !ok.Deadlines[0].Met || ok.Deadlines[0].Margin <= 0 {
		t.Errorf("1,000 people at 14/s: %+v, want met with margin", ok.Deadlines[0])
	}
}

// TestEstimateReproducesLimits checks the 40M arithmetic of LIMITS.md: SES
// ~$4,000, Lambda ~$8, a parallel scan of a 40 GB table ~$0.61, a two-write
// ledger ~$50, and everything beyond SES within a few percent of it.
// LIMITS.md prices Step Functions at ~$25 for Express children of 50 people
// each; the deployed workflow maps over 64 shards whose Standard children
// loop 15-minute send runs, which at 156/s is 64 shards x 45 runs x 2
// transitions plus starts: ~5,900 transitions, ~$0.15.
func TestEstimateReproducesLimits(t *testing.T) {
	rate := float64(kakao) / (72 * time.Hour).Seconds() // what a 72-hour clock needs
	c := Estimate(kakao, rate, 40_000_000_000)
	near := func(name string, got, want, tol float64) {
		t.Helper()
		if math.Abs(got-want) > tol {
			t.Errorf("%s = $%.2f, want $%.2f ± %.2f", name, got, want, tol)
		}
	}
	near("SES", c.ByService["SES"], 4045, 0.01)
	near("Step Functions", c.ByService["Step Functions"], 0.15, 0.01)
	send := line(t, c, "send invocations").USD + line(t, c, "send duration (paced wall time)").USD
	near("Lambda (send)", send, 8, 1)
	near("scan", line(t, c, "user table parallel scan").USD, 0.61, 0.005)
	near("ledger", line(t, c, "send records and lease checks").USD, 25.33, 0.01)
	if c.BeyondSESShare > 0.05 {
		t.Errorf("beyond SES = $%.2f = %.1f %% of SES, want within a few percent", c.BeyondSES, 100*c.BeyondSESShare)
	}
	var sum float64
	for _, v := range c.ByService {
		sum += v
	}
	near("total", c.Total, sum, 1e-6)
	t.Logf("40.45M at %.1f/s: total $%.2f, beyond SES $%.2f (%.2f %%)", rate, c.Total, c.BeyondSES, 100*c.BeyondSESShare)
}

func TestEstimateLambdaDoesNotDependMuchOnRate(t *testing.T) {
	// The Map's parallelism follows the rate, so the paced wall time (and
	// the Lambda bill) stays near N x latency whatever the rate.
	for _, rate := range []float64{14, 156, 468, 1000} {
		c := Estimate(kakao, rate, 0)
		got := line(t, c, "send duration (paced wall time)").USD
		if got < 7 || got > 10.5 {
			t.Errorf("rate %.0f: send duration $%.2f, want $7-10.5", rate, got)
		}
	}
}

func line(t *testing.T, c Cost, item string) Line {
	t.Helper()
	l, ok := c.Find(item)
	if !ok {
		t.Fatalf("no line %q", item)
	}
	return l
}

func secs(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// TestPlanJSONWithPassedDeadline: a plan whose deadline has passed still
// encodes, with the unmeetable rate as null and the reason beside it.
func TestPlanJSONWithPassedDeadline(t *testing.T) {
	start := time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)
	s, err := Plan(1000, Account{Rate: 14}, start, []Deadline{
		{Name: "passed", Due: start.Add(-time.Hour)}, {Name: "open", Due: start.Add(time.Hour)},
	})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(s)
	if err != nil {
		t.Fatalf("plan of a passed deadline does not encode: %v", err)
	}
	var back struct {
		Deadlines []struct {
			Name       string   `json:"name"`
			NeededRate *float64 `json:"needed_rate"`
			Unmeetable string   `json:"unmeetable"`
		} `json:"deadlines"`
	}
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	if d := back.Deadlines[0]; d.NeededRate != nil || d.Unmeetable == "" {
		t.Errorf("passed deadline = %+v, want a null rate and a reason", d)
	}
	if d := back.Deadlines[1]; d.NeededRate == nil || *d.NeededRate < 0.27 || *d.NeededRate > 0.28 || d.Unmeetable != "" {
		t.Errorf("open deadline = %+v, want 1000 people in an hour (0.28/s) and no reason", d)
	}
}
