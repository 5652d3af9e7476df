package notice_test

import (
	"time"

	"breachflow/internal/breach"
	"breachflow/internal/notice"
)

// at parses an RFC 3339 time for fixtures.
func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

var (
	pipaElems  = []breach.Element{breach.ElementDataItems, breach.ElementTimeline, breach.ElementNature, breach.ElementSelfProtection, breach.ElementMeasuresTaken, breach.ElementContactPoint, breach.ElementLegalRights}
	gdprElems  = []breach.Element{breach.ElementNature, breach.ElementDataItems, breach.ElementCounts, breach.ElementContactPoint, breach.ElementConsequences, breach.ElementMeasuresTaken}
	caElems    = []breach.Element{breach.ElementNature, breach.ElementTimeline, breach.ElementDataItems, breach.ElementMeasuresTaken, breach.ElementSelfProtection, breach.ElementContactPoint, breach.ElementOrganisation, breach.ElementLawEnforcement, breach.ElementCreditAgencies}
	hipaaElems = []breach.Element{breach.ElementNature, breach.ElementTimeline, breach.ElementDataItems, breach.ElementCounts, breach.ElementMeasuresTaken, breach.ElementContactPoint}
	ppcElems   = []breach.Element{breach.ElementNature, breach.ElementDataItems, breach.ElementCounts, breach.ElementConsequences, breach.ElementSelfProtection, breach.ElementMeasuresTaken, breach.ElementContactPoint}
	allElems   = breach.Elements()
)

// facts is a Kakao Pay-style case with people in several jurisdictions, so
// that every form and every notice variant has a duty to render for.
func facts() notice.CaseFacts {
	return notice.CaseFacts{
		CaseID: "case-1",
		Org: notice.Org{
			Name: "Example Pay Corp.", Country: "KR", Website: "https://www.example.com/notice",
			Contact: notice.Contact{Name: "Privacy Office", Email: "privacy@example.com", Phone: "1644-0000"},
			DPO:     &notice.Contact{Name: "Kim Privacy", Email: "dpo@example.com"},
		},
		Description:            "Customer credit information was sent daily to an overseas partner without consent.",
		Vector:                 "deliberate_provision",
		OccurredFrom:           at("2018-04-01T00:00:00+09:00"),
		OccurredTo:             at("2024-05-22T00:00:00+09:00"),
		Discovered:             at("2024-07-10T10:00:00+09:00"),
		Aware:                  at("2024-07-12T09:00:00+09:00"),
		NoticeDate:             at("2024-07-13T09:00:00+09:00"),
		Categories:             []breach.Category{breach.CategoryPhone, breach.CategoryEmail, breach.CategoryCreditInfo, breach.CategoryTransactions, breach.CategoryNationalID},
		Affected:               40450000,
		ByJurisdiction:         map[breach.Jurisdiction]int{"KR": 40440000, "US-CA": 6000, "DE": 3000, "JP": 1000},
		Records:                54200000000,
		Exfiltration:           "confirmed",
		MeasuresTaken:          []string{"The transfer was stopped on 22 May 2024."},
		MeasuresForIndividuals: []string{"Free credit monitoring for 12 months."},
		Risk:                   "ENISA severity: high (DPC 3, EI 1, CB 0.5)",
		Duties: []notice.Duty{
			{ID: "kr-pipa-34-individuals", Regime: "kr-pipa", Jurisdiction: "KR", Kind: breach.RecipientIndividuals, Required: true, Citation: "PIPA Art. 34(1)", Elements: pipaElems, Locale: "ko", DueAt: at("2024-07-15T09:00:00+09:00")},
			{ID: "kr-pipa-34-regulator", Regime: "kr-pipa", Jurisdiction: "KR", Kind: breach.RecipientRegulator, RecipientName: "개인정보보호위원회(PIPC)·한국인터넷진흥원(KISA)", Required: true, Citation: "PIPA Art. 34(3); Decree Art. 40", Elements: pipaElems, Locale: "ko", DueAt: at("2024-07-15T09:00:00+09:00")},
			{ID: "kr-ciupa-39-4-regulator", Regime: "kr-ciupa", Jurisdiction: "KR", Kind: breach.RecipientRegulator, RecipientName: "금융위원회·금융감독원", Required: true, Citation: "CIUPA Art. 39-4(3)", Elements: pipaElems, Locale: "ko"},
			{ID: "eu-gdpr-33-authority-DE", Regime: "eu-gdpr", Jurisdiction: "DE", Kind: breach.RecipientRegulator, RecipientName: "Der Hamburgische Beauftragte für Datenschutz und Informationsfreiheit", Required: true, Citation: "GDPR Art. 33", Elements: gdprElems, Locale: "de", DueAt: at("2024-07-15T09:00:00+09:00")},
			{ID: "eu-gdpr-33-authority-FR", Regime: "eu-gdpr", Jurisdiction: "FR", Kind: breach.RecipientRegulator, RecipientName: "CNIL", Required: true, Citation: "GDPR Art. 33", Elements: gdprElems, Locale: "fr"},
			{ID: "eu-gdpr-34-individuals-DE", Regime: "eu-gdpr", Jurisdiction: "DE", Kind: breach.RecipientIndividuals, Required: true, Citation: "GDPR Art. 34", Elements: []breach.Element{breach.ElementNature, breach.ElementContactPoint, breach.ElementConsequences, breach.ElementMeasuresTaken}},
			{ID: "us-ca-1798-82-individuals", Regime: "us-ca", Jurisdiction: "US-CA", Kind: breach.RecipientIndividuals, Required: true, Citation: "Cal. Civ. Code §1798.82", Elements: caElems},
			{ID: "us-ca-1798-82-ag", Regime: "us-ca", Jurisdiction: "US-CA", Kind: breach.RecipientRegulator, RecipientName: "California Attorney General", Required: true, Citation: "Cal. Civ. Code §1798.82(f)", Elements: caElems, Locale: "en", Subjects: 6000},
			{ID: "us-hipaa-164-408-hhs", Regime: "us-hipaa", Jurisdiction: "US", Kind: breach.RecipientRegulator, RecipientName: "U.S. Department of Health and Human Services (OCR)", Required: true, Citation: "45 CFR 164.408", Elements: hipaaElems, Locale: "en"},
			{ID: "jp-appi-26-preliminary", Regime: "jp-appi", Jurisdiction: "JP", Kind: breach.RecipientRegulator, RecipientName: "個人情報保護委員会", Required: true, Citation: "個人情報保護法第26条第1項、規則第8条第1項", Elements: ppcElems, Locale: "ja", Phase: "preliminary"},
			{ID: "jp-appi-26-final", Regime: "jp-appi", Jurisdiction: "JP", Kind: breach.RecipientRegulator, RecipientName: "個人情報保護委員会", Required: true, Citation: "個人情報保護法第26条第1項、規則第8条第2項", Elements: ppcElems, Locale: "ja", Phase: "final"},
			{ID: "sg-pdpa-26d-pdpc", Regime: "sg-pdpa", Jurisdiction: "SG", Kind: breach.RecipientRegulator, RecipientName: "Personal Data Protection Commission", Required: true, Citation: "PDPA s. 26D", Elements: []breach.Element{breach.ElementNature, breach.ElementTimeline, breach.ElementCounts, breach.ElementDataItems, breach.ElementMeasuresTaken, breach.ElementContactPoint, breach.ElementRiskAssessment}, Locale: "en"},
		},
	}
}
