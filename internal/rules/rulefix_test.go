package rules_test

import (
	"slices"
	"strings"
	"testing"

	"breachflow/internal/breach"
	"breachflow/internal/report"
	"breachflow/internal/rules"
)

// The rule fixes of issue 19, one test each, with the text they rest on.

// assessFor runs base() edited by edit over counts and returns the
// obligations by id.
func assessFor(t *testing.T, edit func(r *report.Report), counts map[breach.Jurisdiction]int) (rules.Assessment, map[string]rules.Obligation) {
	t.Helper()
	r := base()
	if edit != nil {
		edit(r)
	}
	a, err := rules.Assess(r, counts, ts("2026-11-23T00:00:00Z"))
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]rules.Obligation{}
	for _, o := range a.Obligations {
		byID[o.ID] = o
	}
	return a, byID
}

func mustRequire(t *testing.T, obs map[string]rules.Obligation, id string, want bool) rules.Obligation {
	t.Helper()
	o, ok := obs[id]
	if !ok {
		t.Fatalf("%s: absent", id)
	}
	if o.Required != want {
		t.Errorf("%s: required %v, want %v (%s)", id, o.Required, want, o.Rationale)
	}
	return o
}

// TestFixAustraliaSuspected: a suspected eligible breach starts a 30-day
// assessment (Privacy Act s. 26WH), not an OAIC statement; and people the
// NDB scheme covers are not an unknown jurisdiction.
func TestFixAustraliaSuspected(t *testing.T) {
	suspected := func(r *report.Report) {
		r.DataCategories = []breach.Category{breach.CategoryName, breach.CategoryDriverLicense}
		r.Cause = report.Cause{Vector: report.VectorHacking, External: true}
		r.Exfiltration = report.ExfiltrationSuspected
	}
	a, obs := assessFor(t, suspected, map[breach.Jurisdiction]int{"AU": 1000})
	o := mustRequire(t, obs, "au-ndb-26wh-assessment", true)
	// Aware Mon 5 Oct 2026 09:00 UTC = 20:00 in Sydney; 30 days later.
	if want := ts("2026-11-04T23:59:59+11:00"); !o.DueAt.Equal(want) || o.RecipientKind != breach.RecipientSelf {
		t.Errorf("assessment due %v kind %s, want %v", o.DueAt, o.RecipientKind, want)
	}
	mustRequire(t, obs, "au-ndb-26wk-oaic", false)
	mustRequire(t, obs, "au-ndb-26wl-individuals", false)
	if slices.Contains(a.Unknown, "AU") {
		t.Errorf("AU listed as unknown although NDB duties were produced: %v", a.Unknown)
	}
	// Confirmed: the statement and the notices, no assessment.
	_, obs = assessFor(t, func(r *report.Report) { suspected(r); r.Exfiltration = report.ExfiltrationConfirmed },
		map[breach.Jurisdiction]int{"AU": 1000})
	mustRequire(t, obs, "au-ndb-26wh-assessment", false)
	mustRequire(t, obs, "au-ndb-26wk-oaic", true)
	// Not an APP entity: the scheme does not apply and a human must look.
	a, _ = assessFor(t, func(r *report.Report) { suspected(r); r.Organisation.Sector.AUAPPEntity = ptr(false) },
		map[breach.Jurisdiction]int{"AU": 1000})
	if !slices.Contains(a.Unknown, "AU") {
		t.Errorf("AU not an APP entity: want it listed for a human, got %v", a.Unknown)
	}
}

// TestFixBrazilCriteria: data under legal, judicial or professional
// secrecy and large-scale data are criteria of their own (ANPD Resolution
// 15/2024 Art. 5); 5 million names with CPF numbers are notifiable.
func TestFixBrazilCriteria(t *testing.T) {
	cpf := func(r *report.Report) {
		r.DataCategories = []breach.Category{breach.CategoryName, breach.CategoryNationalID}
		r.Cause = report.Cause{Vector: report.VectorHacking, External: true}
		r.Timeline.Determined = nil
	}
	_, obs := assessFor(t, cpf, map[breach.Jurisdiction]int{"BR": 5_000_000})
	mustRequire(t, obs, "br-lgpd-48-anpd", true)
	mustRequire(t, obs, "br-lgpd-48-individuals", true)
	// A few people: no criterion of Art. 5 holds.
	_, obs = assessFor(t, cpf, map[breach.Jurisdiction]int{"BR": 50})
	mustRequire(t, obs, "br-lgpd-48-anpd", false)
	// The same few people, but the data is under professional secrecy.
	_, obs = assessFor(t, func(r *report.Report) { cpf(r); r.UnderSecrecy = true }, map[breach.Jurisdiction]int{"BR": 50})
	mustRequire(t, obs, "br-lgpd-48-anpd", true)
}

// TestHIPAANotABreach: what 45 CFR 164.402(1) excludes from "breach" is
// not notifiable at all, and a trusted recipient that returned the PHI is
// the documented low probability of compromise of 164.402(2).
func TestHIPAANotABreach(t *testing.T) {
	phi := func(r *report.Report) {
		r.Organisation.Sector.HIPAACoveredEntity = true
		r.DataCategories = []breach.Category{breach.CategoryName, breach.CategoryHealth}
	}
	tests := []struct {
		name string
		edit func(r *report.Report)
		cite string
	}{
		{"good-faith access by a workforce member", func(r *report.Report) {
			r.Recipient = &report.Recipient{Kind: report.RecipientInternal}
		}, "164.402(1)(i)"},
		{"disclosure between authorised persons", func(r *report.Report) {
			r.Recipient = &report.Recipient{Kind: report.RecipientAuthorised}
		}, "164.402(1)(ii)"},
		{"returned unopened", func(r *report.Report) { r.Accessed = report.AccessNo }, "164.402(1)(iii)"},
		{"trusted recipient returned it", func(r *report.Report) { r.RecipientsTrusted, r.DataRetrieved = true, true }, "164.402(2)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, obs := assessFor(t, func(r *report.Report) { phi(r); tt.edit(r) }, map[breach.Jurisdiction]int{"US-OH": 3})
			o := mustRequire(t, obs, "us-hipaa-164-404-individuals", false)
			mustRequire(t, obs, "us-hipaa-164-408-hhs-log", false)
			if !strings.Contains(o.Rationale, tt.cite) {
				t.Errorf("rationale does not cite %s: %s", tt.cite, o.Rationale)
			}
		})
	}
	// A malicious insider is never "good faith".
	_, obs := assessFor(t, func(r *report.Report) {
		phi(r)
		r.Cause.Vector = report.VectorInsider
		r.Recipient = &report.Recipient{Kind: report.RecipientInternal}
	}, map[breach.Jurisdiction]int{"US-OH": 3})
	mustRequire(t, obs, "us-hipaa-164-404-individuals", true)
}

// TestFixNewYorkHIPAA: a HIPAA covered entity that notifies HHS also
// notifies the New York Attorney General within 5 business days (GBL
// 899-aa(9)), and its HIPAA notice to residents needs no second notice
// under 899-aa (899-aa(2)(b)), though the AG, DOS and State Police are
// still told.
func TestFixNewYorkHIPAA(t *testing.T) {
	phi := func(r *report.Report) {
		r.Organisation.Sector.HIPAACoveredEntity = true
		r.DataCategories = []breach.Category{breach.CategoryName, breach.CategoryHealth, breach.CategoryNationalID}
		r.Cause = report.Cause{Vector: report.VectorHacking, External: true}
	}
	_, obs := assessFor(t, phi, map[breach.Jurisdiction]int{"US-NY": 800})
	mustRequire(t, obs, "us-ny-899aa-9-ag", true)
	mustRequire(t, obs, "us-hipaa-164-404-individuals", true)
	o := mustRequire(t, obs, "us-ny-individuals", false)
	if !strings.Contains(o.Rationale, "899-aa(2)(b)") {
		t.Errorf("rationale does not cite 899-aa(2)(b): %s", o.Rationale)
	}
	mustRequire(t, obs, "us-ny-ag", true)
	// Not a covered entity: the ordinary 30-day notice, no 899-aa(9) duty.
	_, obs = assessFor(t, func(r *report.Report) { phi(r); r.Organisation.Sector.HIPAACoveredEntity = false },
		map[breach.Jurisdiction]int{"US-NY": 800})
	mustRequire(t, obs, "us-ny-individuals", true)
	if _, ok := obs["us-ny-899aa-9-ag"]; ok {
		t.Error("899-aa(9) duty for an entity outside HIPAA")
	}
	// Not a breach under HIPAA (164.402(1)(i)): nothing for HHS, so nothing under 899-aa(9).
	_, obs = assessFor(t, func(r *report.Report) {
		phi(r)
		r.Cause = report.Cause{Vector: report.VectorMisdelivery}
		r.Recipient = &report.Recipient{Kind: report.RecipientInternal}
	}, map[breach.Jurisdiction]int{"US-NY": 1})
	mustRequire(t, obs, "us-ny-899aa-9-ag", false)
	mustRequire(t, obs, "us-hipaa-164-404-individuals", false)
}

// TestFixGDPREstablishment: an organisation established in the EU owes
// GDPR duties for everyone affected, wherever they live (Art. 3(1)); one
// that is not owes them only for people in the EU.
func TestFixGDPREstablishment(t *testing.T) {
	health := func(country breach.Jurisdiction) func(r *report.Report) {
		return func(r *report.Report) {
			r.DataCategories = []breach.Category{breach.CategoryName, breach.CategoryHealth}
			r.Organisation.Country = country
		}
	}
	outside := map[breach.Jurisdiction]int{"US-CA": 40, "KR": 10}
	a, obs := assessFor(t, health("NL"), outside)
	o := mustRequire(t, obs, "eu-gdpr-33-authority-NL", true)
	if o.Subjects != 50 {
		t.Errorf("authority filing counts %d people, want all 50", o.Subjects)
	}
	mustRequire(t, obs, "eu-gdpr-34-individuals-US-CA", true)
	mustRequire(t, obs, "eu-gdpr-34-individuals-KR", true)
	// Korea's own law still applies to its residents and is not "unknown".
	if slices.Contains(a.Unknown, "KR") {
		t.Errorf("unknown %v", a.Unknown)
	}
	// Not established in the EU: no GDPR duty for people outside it.
	_, obs = assessFor(t, health("US"), outside)
	for id := range obs {
		if strings.HasPrefix(id, "eu-gdpr") {
			t.Errorf("%s for an organisation not established in the EU", id)
		}
	}
	// The UK: the ICO filing stays the ICO's, for everyone.
	_, obs = assessFor(t, health("GB"), outside)
	if o := mustRequire(t, obs, "uk-gdpr-33-ico", true); o.Jurisdiction != "GB" || o.Subjects != 50 {
		t.Errorf("uk-gdpr-33-ico: %s, %d people", o.Jurisdiction, o.Subjects)
	}
}

// TestFixJapan: bank account details alone are not Rule 7(2) data (PPC
// guidelines); what no third party viewed is no leak (PPC guidelines
// 3-5-1-1, Q&A 6-1); exfiltration ruled out with the data available is
// no leak, loss or damage, whatever the number of people.
func TestFixJapan(t *testing.T) {
	jp := func(n int) map[breach.Jurisdiction]int { return map[breach.Jurisdiction]int{"JP": n} }
	account := func(r *report.Report) {
		r.DataCategories = []breach.Category{breach.CategoryName, breach.CategoryFinancialAcct}
	}
	_, obs := assessFor(t, account, jp(10))
	mustRequire(t, obs, "jp-appi-26-preliminary", false)
	_, obs = assessFor(t, func(r *report.Report) {
		account(r)
		r.DataCategories = append(r.DataCategories, breach.CategoryCredentials)
	}, jp(10))
	mustRequire(t, obs, "jp-appi-26-preliminary", true)

	special := func(r *report.Report) {
		r.DataCategories = []breach.Category{breach.CategoryName, breach.CategoryHealth}
	}
	_, obs = assessFor(t, func(r *report.Report) { special(r); r.Accessed = report.AccessNo }, jp(1))
	o := mustRequire(t, obs, "jp-appi-26-individuals", false)
	if !strings.Contains(o.Rationale, "3-5-1-1") {
		t.Errorf("rationale: %s", o.Rationale)
	}
	_, obs = assessFor(t, func(r *report.Report) { r.Exfiltration = report.ExfiltrationRuledOut }, jp(5000))
	mustRequire(t, obs, "jp-appi-26-preliminary", false)
	// Ransomware that only encrypted: damage (毀損) by an act with unjust
	// purpose is still reportable.
	_, obs = assessFor(t, func(r *report.Report) {
		r.Exfiltration = report.ExfiltrationRuledOut
		r.Cause = report.Cause{Vector: report.VectorRansomware, External: true}
		r.Availability = report.Availability{Impacted: true}
	}, jp(5))
	mustRequire(t, obs, "jp-appi-26-preliminary", true)
}

// TestFixCERTIn: a data breach or leak is a reportable incident whatever
// caused it (CERT-In Directions 2022, Annexure I).
func TestFixCERTIn(t *testing.T) {
	in := map[breach.Jurisdiction]int{"IN": 10}
	for _, v := range []report.Vector{report.VectorLostDevice, report.VectorInsider, report.VectorMisdelivery} {
		_, obs := assessFor(t, func(r *report.Report) { r.Cause.Vector = v }, in)
		mustRequire(t, obs, "in-certin-6h", true)
	}
	// A lost device whose data is shown not to have left: no leak.
	_, obs := assessFor(t, func(r *report.Report) {
		r.Cause.Vector = report.VectorLostDevice
		r.Exfiltration = report.ExfiltrationRuledOut
	}, in)
	mustRequire(t, obs, "in-certin-6h", false)
}

// TestFixSingapore: the Regulations deem significant harm for a name or
// identification number with prescribed data, including deposits and
// withdrawals (Schedule Part 1 items 9-10), or an account identifier with
// its password (reg. 3(1)(b)); an NRIC number with a name is not itself
// prescribed data; access only within the organisation is not notifiable
// (s. 26B(4)).
func TestFixSingapore(t *testing.T) {
	sg := map[breach.Jurisdiction]int{"SG": 20}
	_, obs := assessFor(t, func(r *report.Report) {
		r.DataCategories = []breach.Category{breach.CategoryName, breach.CategoryTransactions}
	}, sg)
	mustRequire(t, obs, "sg-pdpa-26d-pdpc", true)
	mustRequire(t, obs, "sg-pdpa-26d-individuals", true)
	// Name and NRIC encrypted with the key safe: not deemed, harm unlikely.
	_, obs = assessFor(t, func(r *report.Report) {
		r.DataCategories = []breach.Category{breach.CategoryName, breach.CategoryNationalID}
		r.Safeguards.Encrypted = true
	}, sg)
	mustRequire(t, obs, "sg-pdpa-26d-pdpc", false)
	// An employee looking where they should not, inside the organisation.
	_, obs = assessFor(t, func(r *report.Report) {
		r.DataCategories = []breach.Category{breach.CategoryName, breach.CategoryFinancialAcct}
		r.Cause.Vector = report.VectorInsider
		r.Recipient = &report.Recipient{Kind: report.RecipientInternal}
	}, map[breach.Jurisdiction]int{"SG": 800})
	o := mustRequire(t, obs, "sg-pdpa-26d-pdpc", false)
	if !strings.Contains(o.Rationale, "26B(4)") {
		t.Errorf("rationale: %s", o.Rationale)
	}
}
