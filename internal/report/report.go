package report

import (
	"time"

	"breachflow/internal/breach"
	"breachflow/internal/channelplan"
	"breachflow/internal/criteria"
)

// Report is one breach report. Field names in JSON are snake_case; the JSON
// Schema in schema/report.schema.json mirrors this struct field for field (a
// test keeps them in step).
type Report struct {
	// ReportID is the idempotency key: the same id opens the same case.
	ReportID     string       `json:"report_id"`
	Title        string       `json:"title,omitempty"`
	Description  string       `json:"description,omitempty"`
	Organisation Organisation `json:"organisation"`
	Timeline     Timeline     `json:"timeline"`
	Cause        Cause        `json:"cause"`
	// DataCategories are the kinds of personal data involved.
	DataCategories []breach.Category `json:"data_categories"`
	Safeguards     Safeguards        `json:"safeguards"`
	Exfiltration   Exfiltration      `json:"exfiltration"`
	Availability   Availability      `json:"availability"`
	// PossiblyInvolved lists categories that may be involved but are not
	// confirmed. The rulebook counts them as involved (a law's trigger is
	// not postponed by an open question) and says so in its reasons.
	PossiblyInvolved []breach.Category `json:"possibly_involved_categories,omitempty"`
	// SpecialDataShare is the share (0-1] of the affected records that hold
	// special-category or other sensitive data (health, biometric, genetic,
	// special_category, criminal). Absent means all of them may.
	SpecialDataShare *float64 `json:"special_data_share,omitempty"`
	// RecordCount is the approximate number of records involved, if known.
	// It is not the number of people: one person may have many records
	// (Kakao Pay: 54.2 billion records of 40.45 million people). People
	// come from subject_counts or scoping.
	RecordCount int64 `json:"record_count,omitempty"`
	// Recipient says who received or got access to the data.
	Recipient *Recipient `json:"recipient,omitempty"`
	// Accessed says whether the data was viewed, opened or accessed by
	// whoever got it: "yes", "no" (e.g. returned unopened, or logs show
	// no access) or "unknown".
	Accessed Access `json:"accessed,omitempty"`
	// Retrieval says whether the data was returned or deleted:
	// "confirmed" (in writing, or by the controller itself), "requested"
	// (asked, not confirmed) or "none". Absent: read from data_retrieved.
	Retrieval Retrieval `json:"retrieval,omitempty"`
	// SafetyThreat: the breach may put someone's physical safety at risk
	// (an abuser or stalker learning an address, a persecuted person
	// identified).
	SafetyThreat bool `json:"safety_threat,omitempty"`
	// UnderSecrecy: the data is under legal, judicial or professional
	// secrecy (banking, medical, attorney-client); a criterion of its own
	// in Brazil (ANPD Resolution 15/2024 Art. 5).
	UnderSecrecy bool `json:"under_secrecy,omitempty"`
	// RecipientsTrusted: the data went only to a trusted, bound recipient
	// (e.g. a mis-sent e-mail to a partner who confirmed deletion).
	RecipientsTrusted bool `json:"recipients_trusted"`
	// DataRetrieved: the data was retrieved or deleted before misuse
	// (confirmed). Retrieval says more.
	DataRetrieved bool `json:"data_retrieved"`
	// VulnerableSubjects: children, patients, elderly or others who need
	// extra protection are among the people affected.
	VulnerableSubjects bool `json:"vulnerable_subjects"`
	// LawEnforcementDelay: law enforcement asked for notice to be delayed.
	LawEnforcementDelay bool `json:"law_enforcement_delay,omitempty"`
	// PossibleLeak says a leak is only possible, not confirmed: one of the
	// circumstances Korea's PIPA Enforcement Decree Art. 39-2 defines (in
	// force from 2026-09-11), which brings the possibility notice of PIPA
	// Art. 34(2). An amendment records the outcome (confirmed or ruled
	// out) on the same object. Absent: the report states a leak (or none).
	PossibleLeak *PossibleLeak `json:"possible_leak,omitempty"`
	// PendingFacts lists the required items that are not yet established
	// when this version of the report is filed (data_items, timeline,
	// counts, cause, consequences, measures_taken). The first notices then
	// say what is known and that the rest follows (GDPR Art. 33(4); PIPA
	// Decree Arts. 39(2), 40(2)), and the follow-up becomes a dated task of
	// the case, due once timeline.facts_confirmed is recorded.
	PendingFacts []breach.Element `json:"pending_facts,omitempty"`
	// DelayReason says why notice is late, where a law asks for the
	// reasons with a late notification (GDPR Art. 33(1), UK GDPR, LGPD).
	DelayReason            string   `json:"delay_reason,omitempty"`
	MeasuresTaken          []string `json:"measures_taken"`
	MeasuresForIndividuals []string `json:"measures_for_individuals"`
	// Approvers are the e-mail addresses allowed to approve the notices.
	Approvers []string `json:"approvers"`
	// Submitter is the e-mail address of the person who filed the report;
	// they cannot approve their own case.
	Submitter string `json:"submitter"`
	// Scope holds the scope criteria that select the affected people from
	// the user table (package criteria defines and validates them).
	Scope *criteria.Criteria `json:"scope,omitempty"`
	// SubjectCounts gives the number of affected people per jurisdiction,
	// for offline assessment before (or instead of) scoping.
	SubjectCounts map[breach.Jurisdiction]int `json:"subject_counts,omitempty"`
	// ChannelPolicy says on which channels, in which order, each person is
	// told (package channelplan); absent: e-mail, then SMS, then a letter.
	ChannelPolicy *channelplan.Policy `json:"channel_policy,omitempty"`
}

// Organisation is the notifying organisation.
type Organisation struct {
	Name string `json:"name"`
	// Country is where the organisation is established (ISO 3166-1 alpha-2).
	Country breach.Jurisdiction `json:"country"`
	// Role is "controller" (decides the processing) or "processor".
	Role    Role    `json:"role"`
	Contact Contact `json:"contact"`
	// DPO is the data protection officer, if one is appointed.
	DPO    *Contact `json:"dpo,omitempty"`
	Sector Sector   `json:"sector"`
	EU     *EU      `json:"eu,omitempty"`
	// SmallAgent marks a small processing agent under Brazil's LGPD
	// (ANPD Resolution 2/2022), whose deadlines are doubled.
	SmallAgent bool `json:"small_agent,omitempty"`
}

// Role is the organisation's role in the processing.
type Role string

// The roles.
const (
	RoleController Role = "controller"
	RoleProcessor  Role = "processor"
)

// Contact is a contact point: a DPO, a privacy office or a help desk.
type Contact struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	Phone string `json:"phone,omitempty"`
}

// Sector holds the flags that bring sector laws into play.
type Sector struct {
	// KRCreditInformationCompany: a 신용정보회사등 under Korea's Credit
	// Information Use and Protection Act (financial companies, fintechs).
	KRCreditInformationCompany bool `json:"kr_credit_information_company"`
	// KRCommercialEnterprise: a 상거래기업 또는 법인 under CIUPA Art. 45-3,
	// which reports to PIPC/KISA instead of FSC/FSS.
	KRCommercialEnterprise      bool `json:"kr_commercial_enterprise,omitempty"`
	HIPAACoveredEntity          bool `json:"hipaa_covered_entity"`
	HIPAABusinessAssociate      bool `json:"hipaa_business_associate,omitempty"`
	NYDFSRegulated              bool `json:"nydfs_regulated"`
	SECRegistrant               bool `json:"sec_registrant"`
	FTCGLBAFinancialInstitution bool `json:"ftc_glba_financial_institution"`
	// AUAPPEntity: covered by Australia's Privacy Act (turnover over A$3m,
	// health providers, credit reporting bodies, ...). Defaults to true
	// when Australian residents are affected and the flag is absent.
	AUAPPEntity *bool `json:"au_app_entity,omitempty"`
	// CNCIIOperator: a critical information infrastructure operator in China.
	CNCIIOperator bool `json:"cn_cii_operator,omitempty"`
}

// EU describes the organisation's presence in the EU under GDPR Art. 3.
type EU struct {
	// Establishment: a main establishment in the EU (one-stop shop).
	Establishment bool `json:"establishment"`
	// Representative: only an Art. 27 representative (no one-stop shop:
	// every authority where affected people live is notified).
	Representative bool `json:"representative"`
	// LeadAuthorityCountry is the member state of the lead supervisory
	// authority (main establishment).
	LeadAuthorityCountry breach.Jurisdiction `json:"lead_authority_country,omitempty"`
}

// Timeline holds the moments each law's clock may start from. Times are
// RFC 3339 with an offset.
type Timeline struct {
	OccurredFrom time.Time  `json:"occurred_from"`
	OccurredTo   *time.Time `json:"occurred_to,omitempty"`
	// Discovered: first known, or should have been known with reasonable
	// diligence (HIPAA, FTC, CA, NY, WA, OH).
	Discovered time.Time `json:"discovered"`
	// Aware: reasonable certainty that personal data was compromised
	// (GDPR, Korea, Japan, India, China).
	Aware time.Time `json:"aware"`
	// Determined: the breach was determined to have occurred / assessed as
	// notifiable (Singapore, Canada, TX, FL, AZ, CO, NYDFS).
	Determined *time.Time `json:"determined,omitempty"`
	// MaterialityDetermined: an SEC registrant determined the incident is
	// material (Form 8-K Item 1.05); absent means not (yet) material.
	MaterialityDetermined *time.Time `json:"materiality_determined,omitempty"`
	// ExtortionPaid: when a ransom was paid (NYDFS 500.17(c)).
	ExtortionPaid *time.Time `json:"extortion_paid,omitempty"`
	// FactsConfirmed: when the facts an earlier version listed in
	// pending_facts were established; it starts the clock of the phased
	// follow-up filings (GDPR Art. 33(4); PIPA Decree Art. 40(2)).
	FactsConfirmed *time.Time `json:"facts_confirmed,omitempty"`
}

// PossibleLeak is a leak that is possible but not confirmed (PIPA Art.
// 34(2); Enforcement Decree Art. 39-2), and what became of it.
type PossibleLeak struct {
	// Circumstance is which Decree 39-2 circumstance holds.
	Circumstance Circumstance `json:"circumstance"`
	// KnownAt is when the organisation knew of the circumstance: the
	// possibility notice is due 72 hours later (Decree 39-3(1)).
	KnownAt time.Time `json:"known_at"`
	// Outcome is recorded by an amendment: "confirmed" (the leak
	// happened: the Art. 34(1) notice and report follow) or "ruled_out"
	// (it did not: those told of the possibility are told so). Absent
	// while the question is open.
	Outcome PossibilityOutcome `json:"outcome,omitempty"`
	// ResolvedAt is when the outcome was established.
	ResolvedAt *time.Time `json:"resolved_at,omitempty"`
}

// Circumstance is one of the circumstances of a possible leak that PIPA
// Enforcement Decree Art. 39-2 names.
type Circumstance string

// The circumstances.
const (
	// CircumstanceUnlawfulAccess: unlawful access to the processing system
	// or a handler's device, where a leak is suspected but the people whose
	// data left cannot (yet) be identified.
	CircumstanceUnlawfulAccess Circumstance = "unlawful_access"
	// CircumstancePartlyConfirmed: part of the data is confirmed leaked
	// (e.g. offered for sale by a third party) and others' data may have
	// leaked too.
	CircumstancePartlyConfirmed Circumstance = "partly_confirmed"
)

// PossibilityOutcome is what a possible leak turned out to be.
type PossibilityOutcome string

// The outcomes.
const (
	OutcomeOpen      PossibilityOutcome = ""
	OutcomeConfirmed PossibilityOutcome = "confirmed"
	OutcomeRuledOut  PossibilityOutcome = "ruled_out"
)

// PendingFactElements are the items pending_facts may list: those a first
// notice or filing may leave for later under the phased rules.
var PendingFactElements = []breach.Element{
	breach.ElementDataItems, breach.ElementTimeline, breach.ElementCounts,
	breach.ElementCause, breach.ElementConsequences, breach.ElementMeasuresTaken,
}

// Cause says how the breach happened.
type Cause struct {
	Vector Vector `json:"vector"`
	// External: the act came from outside the organisation (unlawful
	// access from outside triggers Korea's PIPC report at any size).
	External    bool   `json:"external"`
	Description string `json:"description,omitempty"`
}

// Vector is how the breach happened.
type Vector string

// The vectors.
const (
	VectorRansomware          Vector = "ransomware"
	VectorHacking             Vector = "hacking"
	VectorMalware             Vector = "malware"
	VectorPhishing            Vector = "phishing"
	VectorInsider             Vector = "insider"
	VectorLostDevice          Vector = "lost_device"
	VectorStolenDevice        Vector = "stolen_device"
	VectorMisdelivery         Vector = "misdelivery"
	VectorMisconfiguration    Vector = "misconfiguration"
	VectorDeliberateProvision Vector = "deliberate_provision" // the organisation itself passed data on without a legal basis
	VectorPaperTheft          Vector = "paper_theft"          // theft of paper records
	VectorSocialEngineering   Vector = "social_engineering"   // someone was tricked into handing data over (pretexting, impersonation)
	VectorOther               Vector = "other"
)

// Vectors lists every vector, in a fixed order.
var Vectors = []Vector{
	VectorRansomware, VectorHacking, VectorMalware, VectorPhishing, VectorInsider,
	VectorLostDevice, VectorStolenDevice, VectorMisdelivery, VectorMisconfiguration,
	VectorDeliberateProvision, VectorPaperTheft, VectorSocialEngineering, VectorOther,
}

// UnjustPurpose reports whether the vector is an act with an unjust purpose
// (Japan's Rule 7(3); malicious acts generally).
func (v Vector) UnjustPurpose() bool {
	switch v {
	case VectorRansomware, VectorHacking, VectorMalware, VectorPhishing, VectorInsider, VectorStolenDevice,
		VectorPaperTheft, VectorSocialEngineering:
		return true
	}
	return false
}

// Safeguards are the technical protections the affected data had.
type Safeguards struct {
	Encrypted      bool `json:"encrypted"`
	KeyCompromised bool `json:"key_compromised"`
	Hashed         bool `json:"hashed"`
	HashReversible bool `json:"hash_reversible"`
}

// Unintelligible reports whether the data stayed unreadable to whoever got
// it: encrypted or hashed, with neither the key nor the hash broken.
func (s Safeguards) Unintelligible() bool {
	return (s.Encrypted && !s.KeyCompromised) || (s.Hashed && !s.HashReversible && !s.Encrypted)
}

// Exfiltration says whether data left the organisation's control.
type Exfiltration string

// The exfiltration states.
const (
	ExfiltrationConfirmed Exfiltration = "confirmed"
	ExfiltrationSuspected Exfiltration = "suspected"
	ExfiltrationRuledOut  Exfiltration = "ruled_out"
)

// Availability is the loss of access to the data.
type Availability struct {
	Impacted bool `json:"impacted"`
	// RestoredAt is when access was restored; absent while still down.
	RestoredAt *time.Time `json:"restored_at,omitempty"`
	// Permanent: data was lost with no backup.
	Permanent bool `json:"permanent,omitempty"`
	// Backup: a usable backup existed (restoration from it is possible).
	Backup *bool `json:"backup,omitempty"`
	// OutageHours is how long people could not use the data or the
	// service that needs it.
	OutageHours *float64 `json:"outage_hours,omitempty"`
	// Effect is what the outage did to people: "none", "minor" (minor
	// delays), "significant" (services people rely on disrupted: payments,
	// access to their own account or records) or "critical" (health or
	// safety: treatment delayed, operations cancelled).
	Effect Effect `json:"effect,omitempty"`
}

// Effect is what a loss of availability did to people.
type Effect string

// The effects.
const (
	EffectNone        Effect = "none"
	EffectMinor       Effect = "minor"
	EffectSignificant Effect = "significant"
	EffectCritical    Effect = "critical"
)

// RecipientKind says who received or got access to the data.
type RecipientKind string

// The recipient kinds, from least to most risk.
const (
	RecipientInternal       RecipientKind = "internal"          // someone inside the organisation
	RecipientAuthorised     RecipientKind = "authorised_person" // a person authorised to access such data (HIPAA 164.402(1)(ii))
	RecipientBoundProcessor RecipientKind = "bound_processor"   // a processor bound by contract (GDPR Art. 28)
	RecipientKnownParty     RecipientKind = "known_party"       // an identified outsider (a wrong customer, a former employee)
	RecipientUnknownParty   RecipientKind = "unknown_party"     // unknown: a finder, the public, anyone
	RecipientAttacker       RecipientKind = "attacker"          // someone who took or accessed the data on purpose
)

// RecipientKinds lists every recipient kind, in a fixed order.
var RecipientKinds = []RecipientKind{
	RecipientInternal, RecipientAuthorised, RecipientBoundProcessor,
	RecipientKnownParty, RecipientUnknownParty, RecipientAttacker,
}

// Recipient is who received the data.
type Recipient struct {
	Kind RecipientKind `json:"kind"`
	// Bound: the recipient owes confidentiality (professional secrecy, a
	// contract, an employment duty) and is trusted to keep it.
	Bound bool `json:"bound,omitempty"`
}

// Access says whether the data was viewed, opened or accessed.
type Access string

// The access states.
const (
	AccessYes     Access = "yes"
	AccessNo      Access = "no"
	AccessUnknown Access = "unknown"
)

// Retrieval says whether the data was returned or deleted.
type Retrieval string

// The retrieval states.
const (
	RetrievalNone      Retrieval = "none"
	RetrievalRequested Retrieval = "requested"
	RetrievalConfirmed Retrieval = "confirmed"
)

// Has reports whether the report lists category c as involved.
func (r *Report) Has(c breach.Category) bool {
	for _, x := range r.DataCategories {
		if x == c {
			return true
		}
	}
	return false
}

// MayHave reports whether category c is involved or possibly involved.
func (r *Report) MayHave(c breach.Category) bool {
	if r.Has(c) {
		return true
	}
	for _, x := range r.PossiblyInvolved {
		if x == c {
			return true
		}
	}
	return false
}

// RetrievalState is Retrieval, or what data_retrieved says when the
// report predates the field.
func (r *Report) RetrievalState() Retrieval {
	switch {
	case r.Retrieval != "":
		return r.Retrieval
	case r.DataRetrieved:
		return RetrievalConfirmed
	}
	return RetrievalNone
}

// TotalSubjects sums SubjectCounts.
func (r *Report) TotalSubjects() int {
	n := 0
	for _, c := range r.SubjectCounts {
		n += c
	}
	return n
}
