package notice

import (
	"slices"
	"strings"
	"time"

	"breachflow/internal/breach"
)

// orgView is the organisation as templates show it.
type orgView struct {
	Name, Country, Website            string
	Contact                           Contact
	DPO                               *Contact
	HasPhone, HasEmail, HasDPO, HasWS bool
}

// view is what every template receives. Customer notices fill the person's
// fields; filings fill the case-wide ones. Strings are plain text: the
// html/template engine escapes them by context when rendering.
type view struct {
	Lang  string // html lang attribute
	Title string

	Org orgView

	// The person (customer notices only).
	Name       string
	Categories []string // the person's own exposed data, named in the locale
	Own        bool     // Categories are the person's own (else the case's)

	// The incident.
	Vector       string // the locale's sentence for how it happened
	Summary      string // the responder's description, when in this language
	Cause        string
	OriginalText string // the responder's own words, quoted in filings
	From, To     string
	Discovered   string
	Aware        string
	NoticeDate   string
	Ongoing      bool

	Consequences []string
	Advice       []string
	Measures     []string // the responder's measures, when in this language
	PersonalHelp []string // measures offered to individuals, when in this language
	HelpAll      []string // measures offered to individuals, in the responder's words
	Regulators   []string // authorities notified

	Phased bool
	// Possibility: the notice announces a possible leak; RuledOut: it
	// closes one (PIPA Art. 34(2), Decree 39-3(3)).
	Possibility, RuledOut       bool
	PossibleCircumstance        string
	PossibleKnown, ResolvedDate string
	LawEnforcement              bool
	DelayReason                 string
	DataRetrieved               bool
	Encrypted                   bool
	Exfiltration                string
	CaseCategories              []string
	Affected                    string
	AffectedN                   int
	// Estimated marks the counts as the report's estimate (no scoping yet).
	Estimated      bool
	Records        string
	ByJurisdiction []jurisdictionCount
	OtherAuthority []string // cross-border: other authorities notified
	IndividualsDue string   // when individuals are (to be) notified
	SubstituteDays int
	Substitute     bool // a website posting for people who cannot be reached

	// Which law shapes the notice.
	PIPA, CIUPA, California, US, EU, HIPAA, Japan, China bool
	IDExposed                                            bool // SSN, driver's licence or ID: US credit-agency details
	Need                                                 map[string]bool
	// OtherRights: a reader's law asks for a rights section and it is
	// neither PIPA's nor the GDPR's (those have their own wording).
	OtherRights bool

	// Filing only.
	Recipient       string
	Citation        string
	Regime          string
	DueAt           string
	Phase           string
	LanguageNote    bool // the regulator's language is not available
	RegulatorLocale string
	Risk            string
	Late            bool // the filing is made after its deadline
	// The filing a staged filing follows up.
	FirstFilingID, FirstFilingAt, FirstFilingRef string
	Subjects                                     string
	AwareAt                                      string // moments with time of day and zone, for filings
	DiscoveredAt                                 string
	FromAt, ToAt                                 string
}

type jurisdictionCount struct {
	Jurisdiction string
	Count        string
}

var euCountries = map[string]bool{
	"AT": true, "BE": true, "BG": true, "HR": true, "CY": true, "CZ": true, "DK": true, "EE": true, "FI": true,
	"FR": true, "DE": true, "GR": true, "HU": true, "IE": true, "IT": true, "LV": true, "LT": true, "LU": true,
	"MT": true, "NL": true, "PL": true, "PT": true, "RO": true, "SK": true, "SI": true, "ES": true, "SE": true,
	"IS": true, "LI": true, "NO": true, "GB": true,
}

// applies reports whether a duty written for jurisdiction dj covers a
// person in j: the same code, the country of a subdivision ("US" covers
// "US-CA"), or "EU" for any member state.
func applies(dj breach.Jurisdiction, j string) bool {
	d := strings.ToUpper(string(dj))
	j = strings.ToUpper(j)
	if d == j || d == "" {
		return true
	}
	c, _, _ := strings.Cut(j, "-")
	return d == c || (d == "EU" && euCountries[c])
}

// fill sets the law flags of v from the duties that cover jurisdiction j
// and from the jurisdiction itself, so that a Korean resident always gets
// PIPA's rights section even if the rulebook's regime id changes.
func (v *view) fill(c *CaseFacts, j string, kinds ...breach.RecipientKind) {
	j = strings.ToUpper(j)
	country, _, _ := strings.Cut(j, "-")
	v.Need = make(map[string]bool)
	v.PIPA = country == "KR"
	v.California = j == "US-CA"
	v.US = country == "US"
	v.EU = euCountries[country]
	v.Japan = country == "JP"
	v.China = country == "CN"
	v.Regulators = nil
	for _, d := range c.Duties {
		if !d.Required || !applies(d.Jurisdiction, j) {
			continue
		}
		r := strings.ToLower(d.Regime)
		v.PIPA = v.PIPA || strings.Contains(r, "pipa")
		v.CIUPA = v.CIUPA || strings.Contains(r, "ciupa")
		v.HIPAA = v.HIPAA || strings.Contains(r, "hipaa")
		if d.Kind == breach.RecipientRegulator && d.RecipientName != "" && !slices.Contains(v.Regulators, d.RecipientName) {
			v.Regulators = append(v.Regulators, d.RecipientName)
		}
		if kindIn(d.Kind, kinds) {
			for _, e := range d.Elements {
				v.Need[string(e)] = true
			}
		}
	}
	// A possible leak changes the notice only for readers whose law has
	// the possibility notice (PIPA Art. 34(2)): while open it is that
	// notice, which always says a further notice follows (Decree
	// 39-2(2)); ruled out, it is the closing notice (Decree 39-3(3)).
	// Other laws read a suspected leak as a leak.
	if p := c.Possibility; p != nil {
		v.Possibility = p.Outcome == "" && v.Need[string(breach.ElementLeakPossibility)]
		v.RuledOut = p.Outcome == "ruled_out" && v.Need[string(breach.ElementRuledOut)]
		v.Phased = v.Phased || v.Possibility
	}
	// Posting periods: PIPA Decree 39(3) at least 30 days; HIPAA
	// 164.404(d)(2) and Brazil's ANPD 90 days.
	if v.HIPAA || country == "BR" {
		v.SubstituteDays = 90
	}
	v.OtherRights = !v.PIPA && !v.EU && v.Need[string(breach.ElementLegalRights)]
}

func kindIn(k breach.RecipientKind, ks []breach.RecipientKind) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

// fillCase sets the incident fields of v in locale l, dates in zone loc.
func (v *view) fillCase(c *CaseFacts, l string, ld *localeData, loc *time.Location, textLang string) {
	v.Lang = l
	v.Org = orgView{Name: c.Org.Name, Country: c.Org.Country, Website: c.Org.Website, Contact: c.Org.Contact, DPO: c.Org.DPO}
	v.Org.HasPhone = c.Org.Contact.Phone != ""
	v.Org.HasEmail = c.Org.Contact.Email != ""
	v.Org.HasDPO = c.Org.DPO != nil && (c.Org.DPO.Email != "" || c.Org.DPO.Phone != "")
	v.Org.HasWS = c.Org.Website != ""
	if s, ok := ld.Vectors[c.Vector]; ok {
		v.Vector = s
	} else {
		v.Vector = ld.Vectors["other"]
	}
	v.HelpAll = c.MeasuresForIndividuals
	if fits(textLang, l) {
		v.Summary = c.Description
		v.Cause = c.CauseDescription
		v.Measures = c.MeasuresTaken
		v.PersonalHelp = c.MeasuresForIndividuals
	}
	date := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(loc).Format(ld.Date)
	}
	v.From, v.To = date(c.OccurredFrom), date(c.OccurredTo)
	v.Ongoing = c.OccurredTo.IsZero()
	if v.Ongoing {
		v.To = ld.Ongoing
	}
	v.Discovered, v.Aware, v.NoticeDate = date(c.Discovered), date(c.Aware), date(c.NoticeDate)
	v.Phased = c.Phased
	if p := c.Possibility; p != nil {
		v.PossibleCircumstance = p.Circumstance
		v.PossibleKnown, v.ResolvedDate = date(p.KnownAt), date(p.ResolvedAt)
	}
	v.LawEnforcement = c.LawEnforcementDelay
	v.DelayReason = c.DelayReason
	v.DataRetrieved = c.DataRetrieved
	v.Encrypted = c.Encrypted && !c.KeyCompromised
	v.Exfiltration = c.Exfiltration
	v.SubstituteDays = 30
}

// namesOf names cats in the locale, in the vocabulary's order.
func namesOf(cats []breach.Category, ld *localeData) []string {
	out := make([]string, 0, len(cats))
	for _, c := range breach.Categories() {
		for _, x := range cats {
			if x == c {
				out = append(out, ld.Categories[c])
				break
			}
		}
	}
	return out
}

func idExposed(cats []breach.Category) bool {
	for _, c := range cats {
		switch c {
		case breach.CategoryNationalID, breach.CategoryDriverLicense, breach.CategoryPassport, breach.CategoryTaxID:
			return true
		}
	}
	return false
}

// Applies reports whether a duty of jurisdiction dj covers a person of
// jurisdiction j ("US" covers "US-CA"; "EU" covers its member states).
func Applies(dj breach.Jurisdiction, j string) bool { return applies(dj, j) }
