package notice

import (
	"time"

	"breachflow/internal/breach"
)

// Recipient is one affected person as the sender knows them. Everything in
// it is personal data: it is rendered into a message and never logged.
type Recipient struct {
	UserID       string
	Name         string
	Email        string
	Locale       string // BCP 47 ("ko", "en-US", "zh-Hans-CN"); empty: the jurisdiction's language
	Jurisdiction string // breach.Jurisdiction ("KR", "US-CA")
	// Categories are this person's own exposed data. Empty means the
	// scoping stage did not record them: the notice then lists the case's
	// categories as what "may" have been involved.
	Categories []breach.Category
	// Holders are the jurisdictions of everyone who shares this person's
	// address, their own included, when several people in scope share it
	// (sharedaddr.Holders); Categories then hold the exposed data of all of
	// them. The one notice to the address is written
	// for every holder's law: the union of their sections, in this person's
	// language and time zone. Empty: the address is not shared.
	Holders []string
	// UpdateOf, when set, makes the notice an update of the one sent to
	// this person then (a later version of the report changed what they
	// must know): its subject and first paragraph say so.
	UpdateOf time.Time
}

// CaseFacts is what drafting knows about a case: the organisation, the
// incident and the duties that apply. Package draft builds it from the
// breach report and the rulebook's obligations; it holds no data about any
// one person.
type CaseFacts struct {
	CaseID string
	Org    Org
	// Title and Description are the responder's own words (any language).
	// They appear in documents written in the same language (detected from
	// the script) and, quoted as the original, in regulator filings.
	Title       string
	Description string
	// Vector is how it happened (report.Vector: "hacking", "ransomware",
	// "deliberate_provision", ...); each locale words it natively.
	Vector   string
	External bool
	// CauseDescription is the responder's description of the cause.
	CauseDescription string

	OccurredFrom time.Time
	OccurredTo   time.Time // zero: ongoing or unknown
	Discovered   time.Time
	Aware        time.Time
	// NoticeDate is the date the documents carry (drafting time).
	NoticeDate time.Time

	// Categories are every kind of data involved in the case.
	Categories []breach.Category
	// Affected is the number of people; ByJurisdiction splits it.
	Affected       int
	ByJurisdiction map[breach.Jurisdiction]int
	// Estimated says the counts are the report's estimate, not scoping's
	// count of the people found.
	Estimated bool
	Records   int64

	// Encrypted/Hashed describe the safeguards the data had.
	Encrypted, KeyCompromised, Hashed, HashReversible bool
	DataRetrieved                                     bool
	LawEnforcementDelay                               bool
	// Exfiltration is "confirmed", "suspected" or "ruled_out".
	Exfiltration string

	// MeasuresTaken and MeasuresForIndividuals are the responder's own
	// words; every locale also states the measures drafting knows of
	// (stopping the flow, the regulators told) natively.
	MeasuresTaken          []string
	MeasuresForIndividuals []string

	// Phased: some facts are not yet confirmed and a further notice will
	// follow (PIPA Decree 39(2), GDPR Art. 33(4), PPC preliminary report).
	Phased bool
	// Possibility is a leak that is only possible (PIPA Art. 34(2)); nil
	// when the report states a leak. While open, customer notices are the
	// possibility notice; ruled out, they are the closing notice to those
	// told of the possibility; confirmed, the regular notice.
	Possibility *Possibility
	// DelayReason explains a notification made after its deadline
	// (GDPR Art. 33(1)). Empty when on time.
	DelayReason string

	// Risk summarises the risk assessment (method, level and factors) for
	// filings that ask how the risk was assessed.
	Risk string

	// Duties are the obligations that apply (regulators and individuals).
	Duties []Duty

	// Shared are the jurisdiction combinations (Combination keys) of the
	// case's shared addresses that drafting drafted and checked a notice
	// for. Render writes a notice for several holders' laws only when their
	// combination is here, so a shared address never gets a combination
	// the approvers did not see.
	Shared []string
}

// Org is the notifying organisation.
type Org struct {
	Name    string
	Country string
	Contact Contact
	DPO     *Contact
	Website string
}

// Contact is a contact point.
type Contact struct {
	Name  string // a department or a person's role, e.g. "Privacy Office"
	Email string
	Phone string
}

// Duty is one notification obligation as drafting needs it (a projection
// of rules.Obligation).
type Duty struct {
	ID            string
	Regime        string // e.g. "KR-PIPA", "KR-CIUPA", "GDPR", "US-CA", "HIPAA", "JP-APPI"
	Jurisdiction  breach.Jurisdiction
	Kind          breach.RecipientKind
	RecipientName string // e.g. "개인정보보호위원회 (PIPC) / KISA"
	Required      bool
	DueAt         time.Time
	Citation      string
	Elements      []breach.Element
	// Locale is the regulator's language ("ko", "de"); empty: English.
	Locale string
	// Phase is "preliminary" or "final" for phased reports (Japan's PPC),
	// else empty.
	Phase string
	// Subjects is how many people the duty concerns (0: the case's total).
	Subjects int
	// Form names the filing template to use when the rulebook knows it
	// (see templates/filings.json); empty: chosen from Regime.
	Form string
	// FirstFiling is the filing a staged duty follows up (Japan's final
	// report names the preliminary one); nil for a first filing. The
	// first_filing_reference section is written only from it.
	FirstFiling *FirstFiling
}

// FirstFiling identifies a filing already made: the duty it met, when the
// regulator received it, and the reference the ledger holds for it (the
// message id it went out under). No personal data.
type FirstFiling struct {
	ObligationID string
	SentAt       time.Time
	Reference    string
}

// Possibility is a possible leak as notices state it (PIPA Enforcement
// Decree Arts. 39-2, 39-3).
type Possibility struct {
	// Circumstance is "unlawful_access" or "partly_confirmed".
	Circumstance string
	KnownAt      time.Time
	// Outcome is "", "confirmed" or "ruled_out"; ResolvedAt when.
	Outcome    string
	ResolvedAt time.Time
}
