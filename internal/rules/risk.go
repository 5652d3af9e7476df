package rules

import (
	"fmt"
	"strings"

	"breachflow/internal/breach"
	"breachflow/internal/report"
)

// Level is the overall risk to people, on the thresholds the laws use:
// low means "unlikely to result in a risk" (GDPR Art. 33(1): no
// notification), medium a risk, high a high risk (Art. 34(1): tell the
// people), very_high a high risk with the worst consequences likely.
type Level string

// The levels.
const (
	LevelLow      Level = "low"
	LevelMedium   Level = "medium"
	LevelHigh     Level = "high"
	LevelVeryHigh Level = "very_high"
)

func (l Level) rank() int {
	switch l {
	case LevelLow:
		return 0
	case LevelMedium:
		return 1
	case LevelHigh:
		return 2
	case LevelVeryHigh:
		return 3
	}
	return -1
}

// RiskMethod names the method, for the output.
const RiskMethod = "likelihood x severity of the consequences for people, as EDPB Guidelines 9/2022 (section IV, assessing risk and high risk) and the ICO weigh a breach; ENISA 2013 severity as one input"

// Risk is the assessment of a report: how likely harm to people is and
// how severe it would be, for the confidentiality of the data and for its
// availability, with the factors that moved it. Regimes that weigh risk
// (GDPR, Singapore, Australia, Brazil, Canada, Ohio...) read Level.
type Risk struct {
	Method string `json:"method"`
	// Level is the higher of Confidentiality and Availability.
	Level Level `json:"level"`
	// Summary says, in one line an approver reads, why Level is what it is.
	Summary string `json:"summary"`
	// Likelihood (0 remote .. 3 likely) that people suffer the
	// consequences of the loss of confidentiality; Severity (1 limited ..
	// 4 severe) of those consequences.
	Likelihood     int    `json:"likelihood"`
	LikelihoodName string `json:"likelihood_name"`
	Severity       int    `json:"severity"`
	SeverityName   string `json:"severity_name"`
	// Confidentiality is the level from Likelihood x Severity;
	// Availability the level from the outage (low when none).
	Confidentiality Level `json:"confidentiality"`
	Availability    Level `json:"availability"`
	// Factors are the facts that set or moved each part, in order.
	Factors []Factor `json:"factors"`
	// ENISA is the ENISA 2013 severity score, kept as one documented
	// input for those who report it (it is not what Level is read from).
	ENISA ENISA `json:"enisa"`
}

// Factor is one fact and what it did to the assessment.
type Factor struct {
	// Part is "likelihood", "severity" or "availability".
	Part string `json:"part"`
	// Effect is what it did: "= likely (3)", "+1", "-1", "-> remote (0)".
	Effect string `json:"effect"`
	// Why names the fact.
	Why string `json:"why"`
}

func (f Factor) String() string { return f.Part + " " + f.Effect + ": " + f.Why }

var likelihoodNames = [...]string{"remote", "unlikely", "possible", "likely"}
var severityNames = [...]string{"", "limited", "significant", "serious", "severe"}

// matrix is the level for likelihood (row) and severity (column 1-4): a
// high risk needs harm at least possible and serious, or likely and
// significant; remote harm is no risk whatever the data.
var matrix = [4][5]Level{
	{"", LevelLow, LevelLow, LevelLow, LevelLow},
	{"", LevelLow, LevelLow, LevelMedium, LevelMedium},
	{"", LevelLow, LevelMedium, LevelHigh, LevelHigh},
	{"", LevelMedium, LevelHigh, LevelHigh, LevelVeryHigh},
}

// dataSeverity is how severe misuse of each category can be for a person:
// 1 limited (contact and other simple data), 2 significant (behaviour,
// money in general terms, insurance), 3 serious (identity documents,
// accounts, cards, credentials, credit: fraud and identity theft), 4
// severe (GDPR Arts. 9-10 data: discrimination, irreversible harm). After
// ENISA 2013's data processing context, with insurance and wages moved
// to 2: a policy number alone is not a bank account.
var dataSeverity = map[breach.Category]int{
	breach.CategoryName: 1, breach.CategoryEmail: 1, breach.CategoryPhone: 1, breach.CategoryPostalAddress: 1,
	breach.CategoryDateOfBirth: 1, breach.CategoryDeviceID: 1, breach.CategoryEducation: 1, breach.CategoryEmployment: 1,
	breach.CategoryFamily: 1, breach.CategoryVehicle: 1, breach.CategoryOrders: 1, breach.CategoryChildren: 1,
	breach.CategoryLocation: 2, breach.CategoryTransactions: 2, breach.CategoryWages: 2, breach.CategoryInsurance: 2,
	breach.CategoryNationalID: 3, breach.CategoryRRN: 3, breach.CategoryPassport: 3, breach.CategoryDriverLicense: 3,
	breach.CategoryTaxID: 3, breach.CategoryFinancialAcct: 3, breach.CategoryPaymentCard: 3, breach.CategoryCredentials: 3,
	breach.CategoryCreditInfo: 3,
	breach.CategoryHealth:     4, breach.CategoryBiometric: 4, breach.CategoryGenetic: 4, breach.CategorySpecial: 4,
	breach.CategoryCriminal: 4,
}

// Thresholds of the method, written once so the docs and tests can name
// them.
const (
	// LargeScale is the number of people from which severity rises one
	// step: at that size some of them meet the worst consequences.
	LargeScale = 100_000
	// SmallShare is the share of records under which special data raises
	// severity one step less than if every record held it.
	SmallShare = 0.10
	// RichProfile is the number of kinds of data per person from which
	// the data adds up to a profile (ENISA 2013: simple data that enables
	// profiling scores higher).
	RichProfile = 6
)

// assessRisk assesses report r for people affected in all.
func assessRisk(r *report.Report, people int) Risk {
	rk := Risk{Method: RiskMethod, ENISA: enisa(r)}
	s := severity(r, people, &rk)
	l := likelihood(r, &rk)
	rk.Severity, rk.SeverityName = s, severityNames[s]
	rk.Likelihood, rk.LikelihoodName = l, likelihoodNames[l]
	rk.Confidentiality = matrix[l][s]
	if r.SafetyThreat && l >= 2 {
		rk.Confidentiality = LevelVeryHigh
	}
	rk.Availability = availability(r, s, &rk)
	rk.Level = rk.Confidentiality
	if rk.Availability.rank() > rk.Level.rank() {
		rk.Level = rk.Availability
	}
	rk.Summary = rk.summary()
	return rk
}

func (rk *Risk) add(part, effect, format string, args ...any) {
	rk.Factors = append(rk.Factors, Factor{Part: part, Effect: effect, Why: fmt.Sprintf(format, args...)})
}

// summary is the one line an approver reads: the level, the two axes and
// the facts that moved them.
func (rk *Risk) summary() string {
	var conf, sev, avail []string
	for _, f := range rk.Factors {
		item := f.Why
		if !strings.HasPrefix(f.Effect, "=") {
			item += " " + f.Effect
		}
		switch f.Part {
		case "likelihood":
			conf = append(conf, item)
		case "severity":
			sev = append(sev, item)
		case "availability":
			avail = append(avail, f.Why)
		}
	}
	s := fmt.Sprintf("%s: harm %s (%s) x %s (%s)", rk.Level, rk.LikelihoodName, strings.Join(conf, "; "),
		rk.SeverityName, strings.Join(sev, "; "))
	if len(avail) > 0 {
		s += fmt.Sprintf("; availability %s (%s)", rk.Availability, strings.Join(avail, "; "))
	}
	return s
}

// severity is how bad misuse would be for the people affected.
func severity(r *report.Report, people int, rk *Risk) int {
	s, top, special := 1, breach.Category(""), false
	kinds := 0
	for _, c := range breach.Categories() {
		if !r.MayHave(c) {
			continue
		}
		kinds++
		if v := dataSeverity[c]; v > s || top == "" {
			s, top = max(s, v), c
		}
	}
	maybe := ""
	if top != "" && !r.Has(top) {
		maybe = " (possibly involved)"
	}
	rk.add("severity", fmt.Sprintf("= %d", s), "%s%s", top, maybe)
	if s == 4 {
		special = true
		if sh := r.SpecialDataShare; sh != nil && *sh < SmallShare {
			s = 3
			rk.add("severity", "-1", "special data in %.0f%% of records", *sh*100)
		}
	}
	if s < 2 && r.MayHave(breach.CategoryName) && r.MayHave(breach.CategoryDateOfBirth) &&
		(r.MayHave(breach.CategoryPostalAddress) || r.MayHave(breach.CategoryEmail) || r.MayHave(breach.CategoryPhone)) {
		s = 2
		rk.add("severity", "= 2", "name, birth date and address together enable identity fraud")
	}
	if kinds >= RichProfile && s < 4 {
		s++
		rk.add("severity", "+1", "%d kinds of data per person make a profile", kinds)
	}
	if !special && s > 1 && !identifies(r) {
		s--
		rk.add("severity", "-1", "no directly identifying data")
	}
	if (r.VulnerableSubjects || r.MayHave(breach.CategoryChildren)) && s < 4 {
		s++
		rk.add("severity", "+1", "vulnerable people or children")
	}
	if people >= LargeScale && s < 4 {
		s++
		rk.add("severity", "+1", "%s people", thousands(people))
	}
	if r.SafetyThreat && s < 4 {
		s = 4
		rk.add("severity", "= 4", "someone's safety is threatened")
	}
	return s
}

// identifying categories make it easy to tell who a record is about.
var identifying = []breach.Category{
	breach.CategoryName, breach.CategoryEmail, breach.CategoryPhone, breach.CategoryPostalAddress, breach.CategoryRRN,
	breach.CategoryNationalID, breach.CategoryPassport, breach.CategoryDriverLicense, breach.CategoryBiometric,
	breach.CategoryTaxID, breach.CategoryVehicle,
}

func identifies(r *report.Report) bool {
	for _, c := range identifying {
		if r.MayHave(c) {
			return true
		}
	}
	return false
}

// recipientOf is who got the data: what the report says, or what its
// vector implies when it predates recipient.
func recipientOf(r *report.Report) (kind report.RecipientKind, bound, said bool) {
	if rc := r.Recipient; rc != nil {
		return rc.Kind, rc.Bound, true
	}
	if r.RecipientsTrusted {
		return report.RecipientKnownParty, true, false
	}
	switch r.Cause.Vector {
	case report.VectorRansomware, report.VectorHacking, report.VectorMalware, report.VectorPhishing,
		report.VectorStolenDevice, report.VectorPaperTheft, report.VectorSocialEngineering:
		return report.RecipientAttacker, false, false
	case report.VectorInsider, report.VectorMisdelivery, report.VectorDeliberateProvision:
		return report.RecipientKnownParty, false, false
	}
	return report.RecipientUnknownParty, false, false
}

// likelihood is how likely the people are to suffer the consequences of
// the loss of confidentiality.
func likelihood(r *report.Report, rk *Risk) int {
	kind, bound, said := recipientOf(r)
	how := ""
	if !said {
		how = " (from the vector)"
	}
	l := 2
	switch kind {
	case report.RecipientInternal, report.RecipientAuthorised, report.RecipientBoundProcessor:
		l = 0
	case report.RecipientKnownParty:
		switch {
		case r.Cause.Vector.UnjustPurpose():
			l = 3
		case bound:
			l = 1
		}
	case report.RecipientAttacker:
		l = 3
	}
	b := ""
	if bound {
		b = ", bound to confidentiality"
	}
	rk.add("likelihood", "= "+likelihoodNames[l], "%s%s%s", kind, how, b)
	set := func(v int, format string, args ...any) {
		if v < l {
			l = v
			rk.add("likelihood", "-> "+likelihoodNames[l], format, args...)
		}
	}
	switch {
	case r.Accessed == report.AccessNo:
		set(0, "not viewed, opened or accessed")
	case r.Exfiltration == report.ExfiltrationRuledOut && r.Accessed != report.AccessYes:
		set(0, "exfiltration ruled out")
	case r.Safeguards.Unintelligible():
		if r.Safeguards.Encrypted {
			set(0, "encrypted, key safe")
		} else {
			set(0, "hashed irreversibly")
		}
	}
	if r.Exfiltration == report.ExfiltrationSuspected && r.Accessed != report.AccessYes {
		set(2, "exfiltration only suspected")
	}
	switch r.RetrievalState() {
	case report.RetrievalConfirmed:
		if kind == report.RecipientAttacker {
			rk.add("likelihood", "+0", "deletion by an attacker cannot be relied on")
		} else {
			set(max(l-2, 0), "return or deletion confirmed")
		}
	case report.RetrievalRequested:
		if l > 0 {
			rk.add("likelihood", "+0", "deletion requested, not confirmed")
		}
	}
	return l
}

// availability is the level of a loss of availability: what the outage
// did to people, how long it lasted, and whether the data came back.
func availability(r *report.Report, s int, rk *Risk) Level {
	a := r.Availability
	if !a.Impacted {
		return LevelLow
	}
	effect := a.Effect
	var hours float64 = -1
	if a.OutageHours != nil {
		hours = *a.OutageHours
	} else if a.RestoredAt != nil {
		hours = a.RestoredAt.Sub(r.Timeline.OccurredFrom).Hours()
	}
	lost := a.Permanent || (a.Backup != nil && !*a.Backup && a.RestoredAt == nil)
	if effect == "" {
		// Reports that predate effect: read it from what they say.
		switch {
		case lost || a.RestoredAt == nil && hours < 0:
			effect = report.EffectSignificant
		case hours > 24:
			effect = report.EffectMinor
		default:
			effect = report.EffectNone
		}
	}
	var why []string
	if a.Backup != nil {
		if *a.Backup {
			why = append(why, "backup")
		} else {
			why = append(why, "no backup")
		}
	}
	switch {
	case lost:
		why = append(why, "data lost")
	case hours >= 0:
		why = append(why, fmt.Sprintf("%.0f h outage", hours))
	default:
		why = append(why, "not yet restored")
	}
	why = append(why, "effect "+string(effect))
	lvl := LevelLow
	switch effect {
	case report.EffectCritical:
		lvl = LevelHigh
	case report.EffectSignificant:
		lvl = LevelMedium
		if r.VulnerableSubjects || s >= 4 {
			lvl = LevelHigh
		}
	case report.EffectMinor:
		lvl = LevelMedium
	default:
		if lost {
			lvl = LevelMedium
		}
	}
	rk.add("availability", "= "+string(lvl), "%s", strings.Join(why, ", "))
	return lvl
}
