package capacity

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// Price is one sourced price: how much, how sure (V, S or UNVERIFIED, as
// the rulebook marks facts) and where it was read.
type Price struct {
	USD          float64 `json:"usd"`
	Verification string  `json:"verification"`
	Source       string  `json:"source"`
}

// EdgeRegion is CloudFront's price where a set of countries' viewers are
// served.
type EdgeRegion struct {
	Region       string   `json:"region"`
	Countries    []string `json:"countries"`
	OutUSDPerGB  float64  `json:"out_usd_per_gb"`
	HTTPSUSDPer  float64  `json:"https_usd_per_10000"`
	Verification string   `json:"verification"`
	Source       string   `json:"source"`
}

// PostedPrices are posted.json's prices for hosting and serving the
// posted notice.
type PostedPrices struct {
	StorageGBMonth Price        `json:"s3_storage_usd_per_gb_month"`
	PutPer1000     Price        `json:"s3_put_usd_per_1000"`
	GetPer1000     Price        `json:"s3_get_usd_per_1000"`
	FreeTier       Price        `json:"cloudfront_free_tier"`
	Regions        []EdgeRegion `json:"cloudfront_regions"`
}

//go:embed posted.json
var postedJSON []byte

var postedPrices = func() PostedPrices {
	var p PostedPrices
	if err := json.Unmarshal(postedJSON, &p); err != nil {
		panic(fmt.Sprintf("capacity: posted.json: %v", err))
	}
	return p
}()

// DefaultPostedPrices returns posted.json's prices.
func DefaultPostedPrices() PostedPrices { return postedPrices }

// region is the edge region serving country iso: the one listing it, or
// the last ("elsewhere").
func (p PostedPrices) region(iso string) EdgeRegion {
	for _, r := range p.Regions {
		if slices.Contains(r.Countries, iso) {
			return r
		}
	}
	return p.Regions[len(p.Regions)-1]
}

// PostedInput is what the posted notice's plan needs: its pages (the
// substitute notice per language and the public statements) and their
// bytes, who will view them by country, the posting period and when the
// pages go up.
type PostedInput struct {
	Pages int
	Bytes int64
	// Views counts page views by country (ISO); each view fetches one page
	// of average size.
	Views map[string]int64
	Days  int
	// Up is when the pages go up: the publish state runs before any
	// notice is sent (PublishPostedNotices), so at the plan's start.
	Up time.Time
}

// PostedPlan is the posted notice's time and cost: up when, until when,
// and what S3 and CloudFront charge for the period.
type PostedPlan struct {
	Pages int       `json:"pages"`
	Bytes int64     `json:"bytes"`
	Views int64     `json:"views"`
	Days  int       `json:"days"`
	Up    time.Time `json:"up"`
	Until time.Time `json:"until"`
	Lines []Line    `json:"lines"`
	// CostUSD is the lines' sum, without CloudFront's free tier.
	CostUSD float64 `json:"cost_usd"`
	// Verified is false when any price used is UNVERIFIED.
	Verified bool `json:"verified"`
}

// gib is the gigabyte AWS bills by.
const gib = 1 << 30

// PlanPosted prices the posted notice at prices.
func PlanPosted(in PostedInput, prices PostedPrices) (PostedPlan, error) {
	if in.Pages < 0 || in.Bytes < 0 || in.Days < 0 {
		return PostedPlan{}, fmt.Errorf("capacity: posted pages, bytes and days must not be negative")
	}
	if len(prices.Regions) == 0 {
		return PostedPlan{}, fmt.Errorf("capacity: no CloudFront regions priced")
	}
	p := PostedPlan{Pages: in.Pages, Bytes: in.Bytes, Days: in.Days, Up: in.Up, Until: in.Up.Add(time.Duration(in.Days) * Day), Verified: true}
	used := func(verification string) {
		if verification != "V" && verification != "S" {
			p.Verified = false
		}
	}
	months := float64(in.Days) / 30
	storedGB := float64(in.Bytes) / gib
	p.Lines = append(p.Lines,
		Line{"S3", "posted pages held for the period", storedGB * months, "GB-months", storedGB * months * prices.StorageGBMonth.USD},
		Line{"S3", "posted pages put", float64(in.Pages), "requests", float64(in.Pages) / 1000 * prices.PutPer1000.USD},
	)
	used(prices.StorageGBMonth.Verification)
	used(prices.PutPer1000.Verification)
	avg := 0.0
	if in.Pages > 0 {
		avg = float64(in.Bytes) / float64(in.Pages)
	}
	// Views by edge region, in a fixed order.
	byRegion := map[string]int64{}
	for iso, n := range in.Views {
		byRegion[prices.region(iso).Region] += n
		p.Views += n
	}
	for _, r := range prices.Regions {
		n := byRegion[r.Region]
		if n == 0 {
			continue
		}
		gb := float64(n) * avg / gib
		p.Lines = append(p.Lines,
			Line{"CloudFront", "data out, " + r.Region, gb, "GB", gb * r.OutUSDPerGB},
			Line{"CloudFront", "HTTPS requests, " + r.Region, float64(n), "requests", float64(n) / 10000 * r.HTTPSUSDPer},
		)
		used(r.Verification)
	}
	if p.Views > 0 {
		p.Lines = append(p.Lines, Line{"S3", "origin fetches (at most one a view)", float64(p.Views), "requests", float64(p.Views) / 1000 * prices.GetPer1000.USD})
		used(prices.GetPer1000.Verification)
	}
	for _, l := range p.Lines {
		p.CostUSD += l.USD
	}
	return p, nil
}

// Find returns the line whose item is item, for reports and tests.
func (p PostedPlan) Find(item string) (Line, bool) { return Cost{Lines: p.Lines}.Find(item) }
