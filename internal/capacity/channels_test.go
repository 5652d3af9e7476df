package capacity

import (
	"math"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

// TestPlanLetters: the mailing house's lead time, then every letter at its
// daily rate, then each country's delivery days; the cost per letter is
// postage plus printing.
func TestPlanLetters(t *testing.T) {
	mh := MailingHouse{LeadDays: 2, LettersPerDay: 100_000, PrintUSD: 0.15}
	p, err := PlanLetters(map[string]int64{"KR": 200_000, "US": 50_000}, mh, t0)
	if err != nil {
		t.Fatal(err)
	}
	kr, _ := PostalCountryOf("KR")
	us, _ := PostalCountryOf("US")
	// 2 days' lead and 250,000 letters at 100,000 a day: 4.5 days.
	if want := t0.Add(4*Day + 12*time.Hour); !p.HandedIn.Equal(want) {
		t.Errorf("handed in %v, want %v", p.HandedIn, want)
	}
	if want := p.HandedIn.Add(days(us.DeliveryDays)); !p.Delivered.Equal(want) || us.DeliveryDays <= kr.DeliveryDays {
		t.Errorf("delivered %v, want the slower country's (US, %v days after handing in): %v", p.Delivered, us.DeliveryDays, want)
	}
	if got, want := p.Countries[0].Delivered, p.HandedIn.Add(days(kr.DeliveryDays)); p.Countries[0].ISO != "KR" || !got.Equal(want) {
		t.Errorf("KR delivered %v, want %v", got, want)
	}
	wantCost := 200_000*(kr.PostageUSD+0.15) + 50_000*(us.PostageUSD+0.15)
	if p.Letters != 250_000 || math.Abs(p.CostUSD-wantCost) > 1e-6 {
		t.Errorf("%d letters, $%.2f; want 250,000 and $%.2f", p.Letters, p.CostUSD, wantCost)
	}
	if p.Verified {
		t.Error("a plan on postal.json's UNVERIFIED figures says it is verified")
	}
	if _, err := PlanLetters(map[string]int64{"ZZ": 1}, mh, t0); err == nil || !strings.Contains(err.Error(), "ZZ") {
		t.Errorf("unknown country: %v, want an error naming it", err)
	}
	if _, err := PlanLetters(map[string]int64{"KR": 1}, MailingHouse{LettersPerDay: 0}, t0); err == nil {
		t.Error("a mailing house printing nothing a day was accepted")
	}
	// Twice the letters at the same rate end later: the rate binds.
	q, _ := PlanLetters(map[string]int64{"KR": 400_000, "US": 100_000}, mh, t0)
	if q.HandedIn.Sub(p.HandedIn) != 2*Day+12*time.Hour {
		t.Errorf("twice the letters handed in %v later, want 2.5 days", q.HandedIn.Sub(p.HandedIn))
	}
}

// TestPostalDataFile: every country in postal.json has a price and a
// delivery time, and none claims to be verified without a source in
// research/ (none cites postal figures).
func TestPostalDataFile(t *testing.T) {
	cs := PostalCountries()
	if len(cs) < 5 {
		t.Fatalf("%d postal countries", len(cs))
	}
	for _, c := range cs {
		if c.PostageUSD <= 0 || c.DeliveryDays <= 0 || c.Operator == "" || c.Service == "" {
			t.Errorf("%s: incomplete: %+v", c.ISO, c)
		}
		if c.Verified {
			t.Errorf("%s: marked verified, but research/ cites no postal tariff", c.ISO)
		}
	}
	if mh := DefaultMailingHouse(); mh.LettersPerDay <= 0 || mh.Verified {
		t.Errorf("mailing house %+v: want a positive rate, UNVERIFIED", mh)
	}
}

func TestPostedDataFile(t *testing.T) {
	p := DefaultPostedPrices()
	for name, pr := range map[string]Price{"storage": p.StorageGBMonth, "put": p.PutPer1000, "get": p.GetPer1000} {
		if pr.USD <= 0 || pr.Source == "" || !validMark(pr.Verification) {
			t.Errorf("%s: %+v", name, pr)
		}
	}
	last := p.Regions[len(p.Regions)-1]
	if len(last.Countries) != 0 {
		t.Errorf("the last region %q must be the catch-all, with no countries", last.Region)
	}
	seen := map[string]string{}
	for _, r := range p.Regions {
		if r.OutUSDPerGB <= 0 || r.HTTPSUSDPer <= 0 || r.Source == "" || !validMark(r.Verification) {
			t.Errorf("region %s: %+v", r.Region, r)
		}
		for _, c := range r.Countries {
			if other, ok := seen[c]; ok {
				t.Errorf("%s in both %s and %s", c, other, r.Region)
			}
			seen[c] = r.Region
		}
	}
}

func validMark(v string) bool { return v == "V" || v == "S" || v == "UNVERIFIED" }

// TestPlanPosted: the posted notice's S3 and CloudFront cost for its
// period, each view priced where it is served, and its dates.
func TestPlanPosted(t *testing.T) {
	prices := DefaultPostedPrices()
	in := PostedInput{Pages: 2, Bytes: 40_000, Views: map[string]int64{"KR": 1_000_000, "US": 500_000}, Days: 90, Up: t0}
	p, err := PlanPosted(in, prices)
	if err != nil {
		t.Fatal(err)
	}
	kr, us := prices.region("KR"), prices.region("US")
	if kr.Region == us.Region {
		t.Fatalf("KR and US served from the same region %q", kr.Region)
	}
	gb := func(views float64) float64 { return views * 20_000 / gib }
	want := gb(1e6)*kr.OutUSDPerGB + 100*kr.HTTPSUSDPer + gb(5e5)*us.OutUSDPerGB + 50*us.HTTPSUSDPer +
		1500*prices.GetPer1000.USD + 2.0/1000*prices.PutPer1000.USD + 40_000.0/gib*3*prices.StorageGBMonth.USD
	if math.Abs(p.CostUSD-want) > 1e-9 {
		t.Errorf("cost $%.6f, want $%.6f", p.CostUSD, want)
	}
	if p.Views != 1_500_000 || !p.Until.Equal(t0.Add(90*Day)) || !p.Up.Equal(t0) {
		t.Errorf("views %d, up %v until %v; want 1,500,000 from %v for 90 days", p.Views, p.Up, p.Until, t0)
	}
	if p.Verified {
		t.Error("priced with UNVERIFIED regions but says verified")
	}
	// All-secondary prices give a verified plan; an unlisted country is
	// served at the catch-all's price.
	sure := PostedPrices{StorageGBMonth: Price{USD: 0.023, Verification: "S"}, PutPer1000: Price{USD: 0.005, Verification: "V"}, GetPer1000: Price{USD: 0.0004, Verification: "V"},
		Regions: []EdgeRegion{{Region: "NA", Countries: []string{"US"}, OutUSDPerGB: 0.085, HTTPSUSDPer: 0.01, Verification: "S"}, {Region: "rest", OutUSDPerGB: 0.2, HTTPSUSDPer: 0.02, Verification: "V"}}}
	q, err := PlanPosted(PostedInput{Pages: 1, Bytes: gib, Views: map[string]int64{"ZZ": 10_000}, Days: 30, Up: t0}, sure)
	if err != nil {
		t.Fatal(err)
	}
	if !q.Verified {
		t.Error("every price V or S, yet not verified")
	}
	if l, ok := q.Find("data out, rest"); !ok || math.Abs(l.USD-10_000*0.2) > 1e-9 {
		t.Errorf("ZZ's 10,000 views of 1 GB: %+v, want $2,000 at the catch-all", l)
	}
}

// TestChannelRowAgainst: met with the margin before the deadline, missed
// with how late, and exactly on time is met.
func TestChannelRowAgainst(t *testing.T) {
	r := ChannelRow{Channel: ChannelPostal, Ends: t0.Add(100 * time.Hour)}.Against([]Deadline{
		{Name: "72h", Due: t0.Add(72 * time.Hour)}, {Name: "5d", Due: t0.Add(120 * time.Hour)}, {Name: "exact", Due: t0.Add(100 * time.Hour)},
	})
	want := []struct {
		met    bool
		margin time.Duration
	}{{false, -28 * time.Hour}, {true, 20 * time.Hour}, {true, 0}}
	for i, w := range want {
		if v := r.Deadlines[i]; v.Met != w.met || v.Margin != w.margin {
			t.Errorf("%s: met %v by %v, want %v by %v", v.Name, v.Met, v.Margin, w.met, w.margin)
		}
	}
}

func TestApportion(t *testing.T) {
	for _, tc := range []struct {
		name    string
		total   int64
		weights map[string]int64
		want    map[string]int64
	}{
		{"largest remainder", 10, map[string]int64{"KR": 2, "US": 1}, map[string]int64{"KR": 7, "US": 3}},
		{"one country takes all", 42, map[string]int64{"KR": 5}, map[string]int64{"KR": 42}},
		{"ties to the first key, nobody left out", 1, map[string]int64{"US": 1, "KR": 1}, map[string]int64{"KR": 1}},
		{"zero weights skipped", 4, map[string]int64{"KR": 1, "JP": 0, "US": 1}, map[string]int64{"KR": 2, "US": 2}},
		{"nothing to spread", 0, map[string]int64{"KR": 1}, nil},
		{"no weights", 5, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Apportion(tc.total, tc.weights)
			var sum int64
			for k, v := range got {
				sum += v
				if v != tc.want[k] {
					t.Errorf("%s = %d, want %d (all %v)", k, v, tc.want[k], got)
				}
			}
			if len(got) != len(tc.want) {
				t.Errorf("keys %v, want %v", got, tc.want)
			}
			if tc.want != nil && sum != tc.total {
				t.Errorf("parts add up to %d, want %d", sum, tc.total)
			}
			if tc.want == nil && got != nil {
				t.Errorf("got %v, want nil", got)
			}
		})
	}
}
