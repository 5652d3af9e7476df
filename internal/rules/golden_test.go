package rules_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"breachflow/internal/breach"
	"breachflow/internal/report"
	"breachflow/internal/rules"
)

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func ptr[T any](v T) *T { return &v }

// base is a plain breach: an e-mail list leaked by a misdelivery, known on
// Monday 2026-10-05 09:00 UTC, nothing sensitive, no malice.
func base() *report.Report {
	return &report.Report{
		ReportID: "golden",
		Organisation: report.Organisation{Name: "Example", Country: "US", Role: report.RoleController,
			Contact: report.Contact{Name: "Privacy", Email: "privacy@example.com"}},
		Timeline: report.Timeline{
			OccurredFrom: ts("2026-10-01T00:00:00Z"),
			Discovered:   ts("2026-10-05T09:00:00Z"),
			Aware:        ts("2026-10-05T09:00:00Z"),
			Determined:   ptr(ts("2026-10-05T09:00:00Z")),
		},
		Cause:          report.Cause{Vector: report.VectorMisdelivery},
		DataCategories: []breach.Category{breach.CategoryEmail},
		Exfiltration:   report.ExfiltrationConfirmed,
		Approvers:      []string{"a@example.com"},
		Submitter:      "s@example.com",
	}
}

// want maps an obligation id to "no" (not required), "yes" (required, no
// fixed deadline) or the due time in RFC 3339.
type want map[string]string

type golden struct {
	name   string
	edit   func(r *report.Report)
	counts map[breach.Jurisdiction]int
	want   want
}

func runGolden(t *testing.T, tests []golden) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := base()
			if tt.edit != nil {
				tt.edit(r)
			}
			a, err := rules.Assess(r, tt.counts, ts("2026-11-23T00:00:00Z"))
			if err != nil {
				t.Fatal(err)
			}
			got := want{}
			for _, o := range a.Obligations {
				switch {
				case !o.Required:
					got[o.ID] = "no"
				case o.DueAt.IsZero():
					got[o.ID] = "yes"
				default:
					got[o.ID] = o.DueAt.Format(time.RFC3339)
				}
			}
			sub := want{}
			for id := range tt.want {
				if v, ok := got[id]; ok {
					sub[id] = v
				} else {
					sub[id] = "(absent)"
				}
			}
			if d := cmp.Diff(tt.want, sub); d != "" {
				t.Errorf("(-want +got):\n%s", d)
				for _, o := range a.Obligations {
					if _, ok := tt.want[o.ID]; ok {
						t.Logf("%s: %s", o.ID, o.Rationale)
					}
				}
			}
		})
	}
}

func kr(n int) map[breach.Jurisdiction]int { return map[breach.Jurisdiction]int{"KR": n} }

func TestGoldenKorea(t *testing.T) {
	credit := func(r *report.Report) {
		r.Organisation.Sector.KRCreditInformationCompany = true
		r.DataCategories = append(r.DataCategories, breach.CategoryCreditInfo)
	}
	runGolden(t, []golden{
		{"999 plain: individuals only, 72 h from aware", nil, kr(999), want{
			"kr-pipa-34-individuals": "2026-10-08T18:00:00+09:00", "kr-pipa-34-regulator": "no"}},
		{"1000 plain: PIPC too", nil, kr(1000), want{"kr-pipa-34-regulator": "2026-10-08T18:00:00+09:00"}},
		{"one RRN: PIPC at any size", func(r *report.Report) { r.DataCategories = []breach.Category{breach.CategoryRRN} }, kr(1),
			want{"kr-pipa-34-regulator": "2026-10-08T18:00:00+09:00"}},
		{"hacking from outside: PIPC at any size", func(r *report.Report) { r.Cause = report.Cause{Vector: report.VectorHacking, External: true} }, kr(1),
			want{"kr-pipa-34-regulator": "2026-10-08T18:00:00+09:00"}},
		{"retrieved: report may be omitted", func(r *report.Report) { r.DataRetrieved = true }, kr(5000),
			want{"kr-pipa-34-regulator": "no", "kr-pipa-34-individuals": "2026-10-08T18:00:00+09:00"}},
		{"encrypted: no safe harbour in PIPA", func(r *report.Report) { r.Safeguards.Encrypted = true }, kr(5),
			want{"kr-pipa-34-individuals": "2026-10-08T18:00:00+09:00"}},
		{"suspected exfiltration alone is assessed as a leak, not a possibility", func(r *report.Report) { r.Exfiltration = report.ExfiltrationSuspected }, kr(5),
			want{"kr-pipa-34-2-possibility": "no", "kr-pipa-34-individuals": "2026-10-08T18:00:00+09:00"}},
		{"possible leak (2026 text): possibility notice 72 h from knowing, full notice and report wait", func(r *report.Report) {
			r.Exfiltration = report.ExfiltrationSuspected
			r.PossibleLeak = &report.PossibleLeak{Circumstance: report.CircumstanceUnlawfulAccess, KnownAt: ts("2026-10-06T00:00:00Z")}
		}, kr(5000), want{"kr-pipa-34-2-possibility": "2026-10-09T09:00:00+09:00", "kr-pipa-34-individuals": "no",
			"kr-pipa-34-regulator": "no", "kr-pipa-34-2-ruled-out": "no"}},
		{"possible leak confirmed: the full notice and report, 72 h from confirmation; the possibility notice is history", func(r *report.Report) {
			r.PossibleLeak = &report.PossibleLeak{Circumstance: report.CircumstancePartlyConfirmed, KnownAt: ts("2026-10-06T00:00:00Z"),
				Outcome: report.OutcomeConfirmed, ResolvedAt: ptr(ts("2026-10-12T00:00:00Z"))}
		}, kr(5000), want{"kr-pipa-34-2-possibility": "no", "kr-pipa-34-individuals": "2026-10-15T09:00:00+09:00",
			"kr-pipa-34-regulator": "2026-10-15T09:00:00+09:00", "kr-pipa-34-2-ruled-out": "no"}},
		{"possible leak confirmed within 72 h: the full notice replaces the possibility notice", func(r *report.Report) {
			r.PossibleLeak = &report.PossibleLeak{Circumstance: report.CircumstanceUnlawfulAccess, KnownAt: ts("2026-10-06T00:00:00Z"),
				Outcome: report.OutcomeConfirmed, ResolvedAt: ptr(ts("2026-10-07T00:00:00Z"))}
		}, kr(5000), want{"kr-pipa-34-2-possibility": "no", "kr-pipa-34-individuals": "2026-10-10T09:00:00+09:00"}},
		{"possible leak ruled out: closing notice at once, no full notice or report", func(r *report.Report) {
			r.Exfiltration = report.ExfiltrationRuledOut
			r.PossibleLeak = &report.PossibleLeak{Circumstance: report.CircumstanceUnlawfulAccess, KnownAt: ts("2026-10-06T00:00:00Z"),
				Outcome: report.OutcomeRuledOut, ResolvedAt: ptr(ts("2026-10-12T00:00:00Z"))}
		}, kr(5000), want{"kr-pipa-34-2-ruled-out": "2026-10-12T09:00:00+09:00", "kr-pipa-34-individuals": "no", "kr-pipa-34-regulator": "no"}},
		{"before the 2026 Decree there is no possibility notice", func(r *report.Report) {
			r.Exfiltration = report.ExfiltrationSuspected
			r.PossibleLeak = &report.PossibleLeak{Circumstance: report.CircumstanceUnlawfulAccess, KnownAt: ts("2025-03-03T00:00:00Z")}
			r.Timeline.Aware = ts("2025-03-03T00:00:00Z")
		}, kr(5), want{"kr-pipa-34-2-possibility": "no", "kr-pipa-34-individuals": "2025-03-06T09:00:00+09:00"}},
		{"pending facts: PIPC supplementary report is a staged task with no date yet", func(r *report.Report) {
			r.PendingFacts = []breach.Element{breach.ElementCounts}
		}, kr(1000), want{"kr-pipa-34-regulator": "2026-10-08T18:00:00+09:00", "kr-pipa-34-regulator-supplement": "yes"}},
		{"facts confirmed: the supplementary report is due at once", func(r *report.Report) {
			r.Timeline.FactsConfirmed = ptr(ts("2026-10-20T03:00:00Z"))
		}, kr(1000), want{"kr-pipa-34-regulator-supplement": "2026-10-20T12:00:00+09:00"}},
		{"no report, no supplement", func(r *report.Report) { r.PendingFacts = []breach.Element{breach.ElementCounts} }, kr(5),
			want{"kr-pipa-34-regulator": "no", "kr-pipa-34-regulator-supplement": "no"}},
		{"before Sept 2023 the rulebook has no version: flagged, no deadline", func(r *report.Report) {
			r.Timeline.OccurredFrom = ts("2022-01-01T00:00:00Z")
			r.Timeline.Discovered = ts("2022-02-01T00:00:00Z")
			r.Timeline.Aware = ts("2022-02-01T00:00:00Z")
		}, kr(5), want{"kr-pipa-34-individuals": "yes"}},
		{"CIUPA 9,999: individuals merged to PIPA's 72 h, no FSC report", credit, kr(9999), want{
			"kr-ciupa-39-4-individuals": "2026-10-08T18:00:00+09:00", "kr-ciupa-39-4-regulator": "no", "kr-ciupa-39-4-public-notice": "no"}},
		{"CIUPA 10,000: FSC/FSS with the earliest (PIPA) deadline, public notice", credit, kr(10000), want{
			"kr-ciupa-39-4-regulator": "2026-10-08T18:00:00+09:00", "kr-ciupa-39-4-public-notice": "yes", "kr-ciupa-39-4-regulator-pipc": "no"}},
		{"CIUPA commercial enterprise reports to PIPC instead", func(r *report.Report) {
			credit(r)
			r.Organisation.Sector.KRCommercialEnterprise = true
		}, kr(10000), want{"kr-ciupa-39-4-regulator": "no", "kr-ciupa-39-4-regulator-pipc": "2026-10-08T18:00:00+09:00"}},
		{"CIUPA needs the sector flag", func(r *report.Report) { r.DataCategories = append(r.DataCategories, breach.CategoryCreditInfo) }, kr(10000),
			want{"kr-ciupa-39-4-regulator": "(absent)"}},
	})
}

func TestGoldenGDPR(t *testing.T) {
	eu := map[breach.Jurisdiction]int{"DE": 10, "FR": 5}
	high := func(r *report.Report) {
		r.DataCategories = []breach.Category{breach.CategoryName, breach.CategoryHealth}
		r.Organisation.EU = &report.EU{Establishment: true, LeadAuthorityCountry: "FR"}
	}
	runGolden(t, []golden{
		{"low risk (ruled out, e-mail only): nothing", func(r *report.Report) { r.Exfiltration = report.ExfiltrationRuledOut }, eu,
			want{"eu-gdpr-33-authority-DE": "no", "eu-gdpr-34-individuals-DE": "no"}},
		{"medium risk: authorities within 72 h, no individuals", func(r *report.Report) {
			r.DataCategories = []breach.Category{breach.CategoryName, breach.CategoryTransactions}
		}, eu, want{"eu-gdpr-33-authority-DE": "2026-10-08T09:00:00Z", "eu-gdpr-33-authority-FR": "2026-10-08T09:00:00Z", "eu-gdpr-34-individuals-FR": "no"}},
		{"high risk with a main establishment: lead authority only, every state's residents", high, eu, want{
			"eu-gdpr-33-authority-FR": "2026-10-08T09:00:00Z", "eu-gdpr-33-authority-DE": "(absent)",
			"eu-gdpr-34-individuals-DE": "yes", "eu-gdpr-34-individuals-FR": "yes"}},
		{"encrypted with the key safe: Art. 34(3)(a) exemption", func(r *report.Report) {
			high(r)
			r.Safeguards.Encrypted = true
		}, eu, want{"eu-gdpr-34-individuals-DE": "no"}},
		{"key compromised: no exemption", func(r *report.Report) {
			high(r)
			r.Safeguards = report.Safeguards{Encrypted: true, KeyCompromised: true}
		}, eu, want{"eu-gdpr-34-individuals-DE": "yes"}},
		{"processor tells the controller, not the authority", func(r *report.Report) {
			high(r)
			r.Organisation.Role = report.RoleProcessor
		}, eu, want{"eu-gdpr-33-2-controller": "yes", "eu-gdpr-33-authority-FR": "no"}},
		{"before 25 May 2018: not in force", func(r *report.Report) {
			high(r)
			r.Timeline.OccurredFrom = ts("2018-01-01T00:00:00Z")
			r.Timeline.Discovered = ts("2018-05-01T00:00:00Z")
			r.Timeline.Aware = ts("2018-05-01T00:00:00Z")
			r.Timeline.Determined = nil
		}, eu, want{"eu-gdpr-33-authority-FR": "no"}},
		{"an EU company without an eu block: its own country leads", func(r *report.Report) {
			r.DataCategories = []breach.Category{breach.CategoryName, breach.CategoryHealth}
			r.Organisation.Country = "NL"
		}, eu, want{"eu-gdpr-33-authority-NL": "2026-10-08T09:00:00Z", "eu-gdpr-33-authority-DE": "(absent)"}},
		{"representative only: every state's authority", func(r *report.Report) {
			r.DataCategories = []breach.Category{breach.CategoryName, breach.CategoryHealth}
			r.Organisation.EU = &report.EU{Representative: true}
		}, eu, want{"eu-gdpr-33-authority-DE": "2026-10-08T09:00:00Z", "eu-gdpr-33-authority-FR": "2026-10-08T09:00:00Z"}},
		{"UK: ICO within 72 h", high, map[breach.Jurisdiction]int{"GB": 3}, want{"uk-gdpr-33-ico": "2026-10-08T10:00:00+01:00"}},
	})
}

func TestGoldenAsiaPacific(t *testing.T) {
	jp := func(n int) map[breach.Jurisdiction]int { return map[breach.Jurisdiction]int{"JP": n} }
	sg := func(n int) map[breach.Jurisdiction]int { return map[breach.Jurisdiction]int{"SG": n} }
	runGolden(t, []golden{
		{"JP 1,000 plain: below the threshold", nil, jp(1000), want{"jp-appi-26-preliminary": "no"}},
		// The final report's 30 (60) days count the day of knowing as day 1
		// (PPC guidelines 3-5-3-4): 5 Oct is day 1, 3 Nov day 30.
		{"JP 1,001: preliminary in 3 days, final in 30", nil, jp(1001), want{
			"jp-appi-26-preliminary": "2026-10-08T23:59:59+09:00", "jp-appi-26-final": "2026-11-03T23:59:59+09:00"}},
		{"JP unjust purpose, one person: final in 60 days", func(r *report.Report) { r.Cause.Vector = report.VectorHacking }, jp(1),
			want{"jp-appi-26-final": "2026-12-03T23:59:59+09:00"}},
		{"JP card numbers but advanced encryption: exempt", func(r *report.Report) {
			r.DataCategories = []breach.Category{breach.CategoryPaymentCard}
			r.Safeguards.Encrypted = true
		}, jp(5), want{"jp-appi-26-preliminary": "no", "jp-appi-26-individuals": "no"}},
		{"SG 499 low harm: nothing", nil, sg(499), want{"sg-pdpa-26d-pdpc": "no"}},
		{"SG 500: PDPC in 3 calendar days from assessment, individuals not needed", nil, sg(500), want{
			"sg-pdpa-26d-pdpc": "2026-10-08T23:59:59+08:00", "sg-pdpa-26d-individuals": "no"}},
		{"SG NRIC: significant harm, individuals too", func(r *report.Report) {
			r.DataCategories = []breach.Category{breach.CategoryName, breach.CategoryNationalID}
		}, sg(3), want{"sg-pdpa-26d-pdpc": "2026-10-08T23:59:59+08:00", "sg-pdpa-26d-individuals": "yes"}},
		{"AU serious harm: OAIC and individuals, no fixed deadline", func(r *report.Report) {
			r.DataCategories = []breach.Category{breach.CategoryName, breach.CategoryHealth}
		}, map[breach.Jurisdiction]int{"AU": 3}, want{"au-ndb-26wk-oaic": "yes", "au-ndb-26wl-individuals": "yes"}},
		{"AU not an APP entity: scheme does not apply", func(r *report.Report) {
			r.DataCategories = []breach.Category{breach.CategoryName, breach.CategoryHealth}
			r.Organisation.Sector.AUAPPEntity = ptr(false)
		}, map[breach.Jurisdiction]int{"AU": 3}, want{"au-ndb-26wk-oaic": "(absent)"}},
		{"CN: authority immediately; CAC 4 h at 1M, 1 h for CII", func(r *report.Report) { r.Organisation.Sector.CNCIIOperator = true },
			map[breach.Jurisdiction]int{"CN": 1_000_000}, want{"cn-pipl-57-authority": "yes", "cn-cac-4-report": "2026-10-05T18:00:00+08:00"}},
		{"CN retrieved: individuals exempt; CAC below 1M not required", func(r *report.Report) { r.DataRetrieved = true },
			map[breach.Jurisdiction]int{"CN": 999_999}, want{"cn-pipl-57-individuals": "no", "cn-cac-4-report": "no"}},
		{"IN: DPDP not yet in force (13 May 2027); CERT-In 6 h from discovery", func(r *report.Report) { r.Cause.Vector = report.VectorRansomware },
			map[breach.Jurisdiction]int{"IN": 10}, want{"in-dpdp-r7-board-report": "no", "in-dpdp-r7-individuals": "no", "in-certin-6h": "2026-10-05T20:30:00+05:30"}},
		{"CA PIPEDA: high risk, clock from determination, no fixed deadline", func(r *report.Report) {
			r.DataCategories = []breach.Category{breach.CategoryName, breach.CategoryFinancialAcct}
		}, map[breach.Jurisdiction]int{"CA": 2}, want{"ca-pipeda-10-1-opc": "yes", "ca-pipeda-10-1-individuals": "yes"}},
	})
}

// TestGoldenIndiaInForce runs the DPDP rules after commencement, with a
// report dated then.
func TestGoldenIndiaInForce(t *testing.T) {
	r := base()
	r.Timeline = report.Timeline{OccurredFrom: ts("2027-06-01T00:00:00Z"), Discovered: ts("2027-06-02T00:00:00Z"), Aware: ts("2027-06-02T00:00:00Z")}
	a, err := rules.Assess(r, map[breach.Jurisdiction]int{"IN": 1}, ts("2027-06-03T00:00:00Z"))
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range a.Obligations {
		if o.ID == "in-dpdp-r7-board-report" {
			if !o.Required || !o.DueAt.Equal(ts("2027-06-05T00:00:00Z")) {
				t.Errorf("board report: required %v due %v", o.Required, o.DueAt)
			}
			return
		}
	}
	t.Error("no board report")
}

func TestGoldenBrazilBusinessDays(t *testing.T) {
	br := map[breach.Jurisdiction]int{"BR": 10}
	financial := func(aware string) func(r *report.Report) {
		return func(r *report.Report) {
			r.DataCategories = []breach.Category{breach.CategoryName, breach.CategoryFinancialAcct}
			r.Timeline.OccurredFrom = ts("2026-04-01T00:00:00Z")
			r.Timeline.Discovered = ts(aware)
			r.Timeline.Aware = ts(aware)
			r.Timeline.Determined = nil
		}
	}
	runGolden(t, []golden{
		// Fri 17 Apr 2026: Mon 20 (1), Tue 21 Tiradentes skipped, Wed 22 (2), Thu 23 (3).
		{"3 business days over a weekend and Tiradentes", financial("2026-04-17T13:00:00Z"), br, want{
			"br-lgpd-48-anpd": "2026-04-23T23:59:59-03:00", "br-lgpd-48-individuals": "2026-04-23T23:59:59-03:00"}},
		{"small agent: doubled to 6", func(r *report.Report) {
			financial("2026-04-17T13:00:00Z")(r)
			r.Organisation.SmallAgent = true
		}, br, want{"br-lgpd-48-anpd": "2026-04-28T23:59:59-03:00"}},
		{"e-mail only: no relevant risk", nil, br, want{"br-lgpd-48-anpd": "no"}},
		{"before Resolution 15/2024: flagged, no deadline", financial("2024-01-10T13:00:00Z"), br, want{"br-lgpd-48-anpd": "yes"}},
	})
}

func TestGoldenUS(t *testing.T) {
	pi := func(r *report.Report) {
		r.DataCategories = []breach.Category{breach.CategoryName, breach.CategoryNationalID}
	}
	runGolden(t, []golden{
		{"e-mail only is not US personal information", nil, map[breach.Jurisdiction]int{"US-CA": 600}, want{"us-ca-individuals": "no"}},
		{"CA: 30 days from discovery (SB 446); AG 15 days after", pi, map[breach.Jurisdiction]int{"US-CA": 501}, want{
			"us-ca-individuals": "2026-11-04T23:59:59-08:00", "us-ca-ag": "2026-11-19T23:59:59-08:00"}},
		{"CA 500: no AG sample", pi, map[breach.Jurisdiction]int{"US-CA": 500}, want{"us-ca-ag": "no"}},
		{"CA before 2026: no fixed deadline", func(r *report.Report) {
			pi(r)
			r.Timeline.OccurredFrom = ts("2025-06-01T00:00:00Z")
			r.Timeline.Discovered = ts("2025-06-02T00:00:00Z")
			r.Timeline.Aware = ts("2025-06-02T00:00:00Z")
		}, map[breach.Jurisdiction]int{"US-CA": 5}, want{"us-ca-individuals": "yes"}},
		{"encryption safe harbour", func(r *report.Report) {
			pi(r)
			r.Safeguards.Encrypted = true
		}, map[breach.Jurisdiction]int{"US-CA": 5, "US-TX": 300}, want{"us-ca-individuals": "no", "us-tx-ag": "no"}},
		{"key compromised: no safe harbour", func(r *report.Report) {
			pi(r)
			r.Safeguards = report.Safeguards{Encrypted: true, KeyCompromised: true}
		}, map[breach.Jurisdiction]int{"US-CA": 5}, want{"us-ca-individuals": "2026-11-04T23:59:59-08:00"}},
		{"TX 249 vs AG at 250", pi, map[breach.Jurisdiction]int{"US-TX": 249}, want{"us-tx-ag": "no", "us-tx-individuals": "2026-12-04T23:59:59-06:00"}},
		{"TX 250: AG in 30 days of determination", pi, map[breach.Jurisdiction]int{"US-TX": 250}, want{"us-tx-ag": "2026-11-04T23:59:59-06:00"}},
		{"WA 500 vs 501", pi, map[breach.Jurisdiction]int{"US-WA": 500}, want{"us-wa-ag": "no"}},
		{"WA 501: AG in 30 days", pi, map[breach.Jurisdiction]int{"US-WA": 501}, want{"us-wa-ag": "2026-11-04T23:59:59-08:00"}},
		{"NY: AG with the notice, CRA over 5,000", pi, map[breach.Jurisdiction]int{"US-NY": 5001}, want{
			"us-ny-individuals": "2026-11-04T23:59:59-05:00", "us-ny-ag": "2026-11-04T23:59:59-05:00", "us-ny-cra": "yes"}},
		{"OH harm threshold: irreversibly hashed credentials, exfiltration ruled out, low risk", func(r *report.Report) {
			r.Exfiltration = report.ExfiltrationRuledOut
			r.DataCategories = []breach.Category{breach.CategoryCredentials}
			r.Safeguards.Hashed = true
		}, map[breach.Jurisdiction]int{"US-OH": 5}, want{"us-oh-individuals": "no"}},
		{"OH harm threshold: licence numbers exposed, medium risk, 45 days", func(r *report.Report) {
			r.DataCategories = []breach.Category{breach.CategoryName, breach.CategoryDriverLicense}
		}, map[breach.Jurisdiction]int{"US-OH": 5}, want{"us-oh-individuals": "2026-11-19T23:59:59-05:00"}},
		{"PA AG duty did not exist before 26 Sep 2024", func(r *report.Report) {
			pi(r)
			r.Timeline.OccurredFrom = ts("2024-06-01T00:00:00Z")
			r.Timeline.Discovered = ts("2024-06-02T00:00:00Z")
			r.Timeline.Aware = ts("2024-06-02T00:00:00Z")
		}, map[breach.Jurisdiction]int{"US-PA": 900}, want{"us-pa-ag": "no", "us-pa-individuals": "yes"}},
		{"AZ: HIPAA entities are exempt", func(r *report.Report) {
			pi(r)
			r.Organisation.Sector.HIPAACoveredEntity = true
		}, map[breach.Jurisdiction]int{"US-AZ": 2000}, want{"us-az-individuals": "no", "us-az-cra": "yes"}},
	})
}

func TestGoldenUSFederal(t *testing.T) {
	phi := func(r *report.Report) {
		r.Organisation.Sector.HIPAACoveredEntity = true
		r.DataCategories = []breach.Category{breach.CategoryName, breach.CategoryHealth}
	}
	sec := func(at string) func(r *report.Report) {
		return func(r *report.Report) {
			r.Organisation.Sector.SECRegistrant = true
			r.Timeline.MaterialityDetermined = ptr(ts(at))
		}
	}
	runGolden(t, []golden{
		{"HIPAA 499: annual log 60 days after year end", phi, map[breach.Jurisdiction]int{"US-OH": 499}, want{
			"us-hipaa-164-404-individuals": "2026-12-04T23:59:59-05:00", "us-hipaa-164-408-hhs": "no",
			"us-hipaa-164-408-hhs-log": "2027-03-01T23:59:59-05:00", "us-hipaa-164-406-media-US-OH": "no"}},
		{"HIPAA 500 in total: HHS with the notice; media only over 500 in one state", phi, map[breach.Jurisdiction]int{"US-OH": 250, "US-MI": 250}, want{
			"us-hipaa-164-408-hhs": "2026-12-04T23:59:59-05:00", "us-hipaa-164-408-hhs-log": "no", "us-hipaa-164-406-media-US-OH": "no"}},
		{"HIPAA 501 in a state: media", phi, map[breach.Jurisdiction]int{"US-OH": 501}, want{"us-hipaa-164-406-media-US-OH": "2026-12-04T23:59:59-05:00"}},
		{"HIPAA secured PHI: nothing", func(r *report.Report) {
			phi(r)
			r.Safeguards.Encrypted = true
		}, map[breach.Jurisdiction]int{"US-OH": 501}, want{"us-hipaa-164-404-individuals": "no"}},
		// Fri 20 Nov 2026: Mon 23 (1), Tue 24 (2), Wed 25 (3), Thu 26 Thanksgiving skipped, Fri 27 (4).
		{"SEC 4 business days over a weekend and Thanksgiving", sec("2026-11-20T21:00:00Z"), map[breach.Jurisdiction]int{"US-CA": 1},
			want{"us-sec-8k-1-05": "2026-11-27T23:59:59-05:00"}},
		// Thu 2 Jul 2026: Fri 3 (Independence Day observed) skipped, Mon 6 .. Thu 9.
		{"SEC over an observed holiday", sec("2026-07-02T15:00:00Z"), nil, want{"us-sec-8k-1-05": "2026-07-09T23:59:59-04:00"}},
		{"SEC without a materiality determination: nothing", func(r *report.Report) { r.Organisation.Sector.SECRegistrant = true }, nil,
			want{"us-sec-8k-1-05": "no"}},
		{"NYDFS 72 h from determination; extortion 24 h", func(r *report.Report) {
			r.Organisation.Sector.NYDFSRegulated = true
			r.Cause.Vector = report.VectorRansomware
			r.Timeline.ExtortionPaid = ptr(ts("2026-10-06T12:00:00Z"))
		}, nil, want{"us-nydfs-500-17-incident": "2026-10-08T05:00:00-04:00", "us-nydfs-500-17-extortion": "2026-10-07T08:00:00-04:00"}},
		{"FTC 499 vs 500", func(r *report.Report) { r.Organisation.Sector.FTCGLBAFinancialInstitution = true },
			map[breach.Jurisdiction]int{"US-CA": 499}, want{"us-ftc-314-4-j": "no"}},
		{"FTC 500: 30 days from discovery", func(r *report.Report) { r.Organisation.Sector.FTCGLBAFinancialInstitution = true },
			map[breach.Jurisdiction]int{"US-CA": 500}, want{"us-ftc-314-4-j": "2026-11-04T23:59:59-05:00"}},
	})
}

// TestMissingFacts: a regime that applies but lacks its clock is a report
// problem naming the field, not a silent guess.
func TestMissingFacts(t *testing.T) {
	r := base()
	r.Timeline.Determined = nil
	r.DataCategories = []breach.Category{breach.CategoryName, breach.CategoryNationalID}
	_, err := rules.Assess(r, map[breach.Jurisdiction]int{"SG": 10, "US-TX": 3}, ts("2026-11-23T00:00:00Z"))
	var ve *report.ValidationError
	if !errors.As(err, &ve) || !ve.Has("timeline.determined") {
		t.Fatalf("got %v", err)
	}
	if len(ve.Problems) != 2 {
		t.Errorf("want one problem per regime (sg-pdpa, us-tx): %v", ve)
	}
	if err := rules.Check(r, map[breach.Jurisdiction]int{"SG": 10}); !errors.As(err, &ve) {
		t.Errorf("Check: got %v", err)
	}
	if err := rules.Check(r, map[breach.Jurisdiction]int{"KR": 10}); err != nil {
		t.Errorf("Check with nothing missing: %v", err)
	}
	// Texas needs the determination date only when its law is triggered:
	// an e-mail address alone is not personal information there.
	r.DataCategories = []breach.Category{breach.CategoryEmail}
	if err := rules.Check(r, map[breach.Jurisdiction]int{"US-TX": 10}); err != nil {
		t.Errorf("Check, Texas not triggered: %v", err)
	}
}

// TestUnknownJurisdiction lists people the rulebook has no law for.
func TestUnknownJurisdiction(t *testing.T) {
	a, err := rules.Assess(base(), map[breach.Jurisdiction]int{"MY": 3, "US-IN": 2, "KR": 1}, ts("2026-11-23T00:00:00Z"))
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]breach.Jurisdiction{"MY", "US-IN"}, a.Unknown); d != "" {
		t.Error(d)
	}
}

// TestNoCounts: with nobody counted, the assessment says so instead of
// looking like "nothing to do".
func TestNoCounts(t *testing.T) {
	a, err := rules.Assess(base(), map[breach.Jurisdiction]int{}, ts("2026-11-23T00:00:00Z"))
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Escalations) != 1 || len(a.Obligations) != 0 {
		t.Errorf("escalations %q, %d obligations", a.Escalations, len(a.Obligations))
	}
}
