package rules

import (
	"fmt"
	"math"

	"breachflow/internal/breach"
	"breachflow/internal/report"
)

// ENISA is the ENISA 2013 severity score of a report (SE = DPC x EI + CB),
// kept as one documented input: it has ceilings (simple data can never
// reach "high", however many people or however it was taken) and weighs
// neither volume nor who received the data, so Risk.Level is not read
// from it.
type ENISA struct {
	// DPC is the data processing context score (1-4).
	DPC       float64 `json:"dpc"`
	DPCReason string  `json:"dpc_reason"`
	// EI is the ease of identification (0.25-1).
	EI       float64 `json:"ei"`
	EIReason string  `json:"ei_reason"`
	// CB is the sum of circumstances-of-breach adjustments.
	CB        float64  `json:"cb"`
	CBReasons []string `json:"cb_reasons"`
	Score     float64  `json:"score"`
	// Level on ENISA's scale: "low" (<2), "medium" (2-3), "high" (3-4),
	// "very_high" (>=4).
	Level Level `json:"level"`
}

// dpcBase is ENISA's data processing context score for each category:
// 1 simple, 2 behavioural, 3 financial, 4 sensitive.
var dpcBase = map[breach.Category]float64{
	breach.CategoryName: 1, breach.CategoryEmail: 1, breach.CategoryPhone: 1, breach.CategoryPostalAddress: 1,
	breach.CategoryDateOfBirth: 1, breach.CategoryDeviceID: 1, breach.CategoryEducation: 1, breach.CategoryEmployment: 1,
	breach.CategoryFamily: 1, breach.CategoryVehicle: 1, breach.CategoryOrders: 1,
	breach.CategoryLocation: 2, breach.CategoryTransactions: 2, breach.CategoryDriverLicense: 2,
	breach.CategoryPassport: 3, breach.CategoryRRN: 3, breach.CategoryNationalID: 3, breach.CategoryTaxID: 3,
	breach.CategoryFinancialAcct: 3, breach.CategoryPaymentCard: 3, breach.CategoryCredentials: 3,
	breach.CategoryCreditInfo: 3, breach.CategoryInsurance: 3, breach.CategoryWages: 3,
	breach.CategoryHealth: 4, breach.CategoryBiometric: 4, breach.CategoryGenetic: 4,
	breach.CategorySpecial: 4, breach.CategoryCriminal: 4, breach.CategoryChildren: 3,
}

// directlyIdentifying categories make identification of a person trivial.
var directlyIdentifying = []breach.Category{
	breach.CategoryName, breach.CategoryEmail, breach.CategoryPhone, breach.CategoryRRN,
	breach.CategoryNationalID, breach.CategoryPassport, breach.CategoryDriverLicense,
	breach.CategoryBiometric, breach.CategoryTaxID,
}

// enisa scores a report by ENISA's "Recommendations for a methodology of
// the assessment of severity of personal data breaches" (2013):
//
//   - DPC: the highest category score (1 simple .. 4 sensitive), +1 (to at
//     most 4) when vulnerable people or children are among those affected;
//   - EI: ease of identification: 1 when directly identifying data is
//     included, 0.75 for indirect identifiers only, 0.25 when the data is
//     unintelligible (encrypted with the key safe, or irreversibly hashed);
//   - CB: circumstances: loss of confidentiality +0.5 (to unknown
//     recipients) or +0.25 (suspected, trusted recipients, or retrieved);
//     loss of availability +0.5 (permanent or not yet restored) or +0.25
//     (restored); malicious intent +0.5.
func enisa(r *report.Report) ENISA {
	var rk ENISA
	var top breach.Category
	for _, c := range r.DataCategories {
		if s := dpcBase[c]; s > rk.DPC {
			rk.DPC, top = s, c
		}
	}
	if rk.DPC == 0 {
		rk.DPC = 1
	}
	rk.DPCReason = fmt.Sprintf("highest category %q scores %g", top, rk.DPC)
	if (r.VulnerableSubjects || r.Has(breach.CategoryChildren)) && rk.DPC < 4 {
		rk.DPC++
		rk.DPCReason += "; +1 for vulnerable people or children"
	}
	switch {
	case r.Safeguards.Unintelligible():
		rk.EI, rk.EIReason = 0.25, "negligible: data unintelligible (encrypted with the key safe, or hashed irreversibly)"
	case hasAny(r, directlyIdentifying):
		rk.EI, rk.EIReason = 1, "maximum: directly identifying data included"
		if r.Safeguards.Hashed && r.Safeguards.HashReversible {
			rk.EIReason += " (hashing is reversible)"
		}
	default:
		rk.EI, rk.EIReason = 0.75, "significant: indirect identifiers only"
	}
	switch {
	case r.Exfiltration == report.ExfiltrationRuledOut:
		rk.CBReasons = append(rk.CBReasons, "confidentiality +0: exfiltration ruled out")
	case r.Exfiltration == report.ExfiltrationSuspected || r.RecipientsTrusted || r.DataRetrieved:
		rk.CB += 0.25
		rk.CBReasons = append(rk.CBReasons, "confidentiality +0.25: suspected, to a trusted recipient, or retrieved")
	default:
		rk.CB += 0.5
		rk.CBReasons = append(rk.CBReasons, "confidentiality +0.5: data exposed to recipients who are not trusted")
	}
	if a := r.Availability; a.Impacted {
		if a.Permanent || a.RestoredAt == nil {
			rk.CB += 0.5
			rk.CBReasons = append(rk.CBReasons, "availability +0.5: lost or not yet restored")
		} else {
			rk.CB += 0.25
			rk.CBReasons = append(rk.CBReasons, "availability +0.25: temporarily unavailable, restored")
		}
	}
	if r.Cause.Vector.UnjustPurpose() {
		rk.CB += 0.5
		rk.CBReasons = append(rk.CBReasons, fmt.Sprintf("malicious intent +0.5: vector %q", r.Cause.Vector))
	}
	rk.Score = math.Round((rk.DPC*rk.EI+rk.CB)*100) / 100
	switch {
	case rk.Score >= 4:
		rk.Level = LevelVeryHigh
	case rk.Score >= 3:
		rk.Level = LevelHigh
	case rk.Score >= 2:
		rk.Level = LevelMedium
	default:
		rk.Level = LevelLow
	}
	return rk
}

func hasAny(r *report.Report, cats []breach.Category) bool {
	for _, c := range cats {
		if r.Has(c) {
			return true
		}
	}
	return false
}
