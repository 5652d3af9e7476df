package breach

import "slices"

// Element is one piece of content that a law requires a notice or filing to
// carry. Rules list the elements each obligation needs; drafting marks each
// element's section in the rendered document and fails when one is missing.
type Element string

// The content elements. A law's list maps onto these: for example GDPR Art.
// 33(3)(a)-(d) is nature, categories_and_counts, contact, consequences,
// measures_taken; PIPA Art. 34(1) items (1)-(6) are data_items, timeline,
// self_protection, measures_taken, contact_point, legal_rights.
const (
	ElementNature           Element = "nature"            // what happened, in plain words
	ElementTimeline         Element = "timeline"          // when it happened and when it was found
	ElementDataItems        Element = "data_items"        // which items of personal data were involved (the person's own, in a notice)
	ElementCounts           Element = "counts"            // approximate numbers of people and records concerned
	ElementConsequences     Element = "consequences"      // likely consequences for the people
	ElementMeasuresTaken    Element = "measures_taken"    // what the organisation did and will do
	ElementSelfProtection   Element = "self_protection"   // what the person can do to reduce harm
	ElementContactPoint     Element = "contact_point"     // DPO or help desk where people can ask or report damage
	ElementLegalRights      Element = "legal_rights"      // rights and remedies (PIPA damages, statutory damages, mediation)
	ElementRegulatorContact Element = "regulator_contact" // how to reach the regulator (US states, FTC)
	ElementCreditFreeze     Element = "credit_freeze"     // credit freeze and fraud alert information (US)
	ElementCreditAgencies   Element = "credit_agencies"   // consumer reporting agencies' contact details (US)
	ElementDelayReason      Element = "delay_reason"      // reasons for a late notification (GDPR Art. 33(1))
	ElementPhasedFollowUp   Element = "phased_follow_up"  // what is still unknown and that a further notice will follow
	ElementOrganisation     Element = "organisation"      // the notifying organisation's identity and registration
	ElementRiskAssessment   Element = "risk_assessment"   // the assessed risk of harm and how it was assessed
	ElementCrossBorder      Element = "cross_border"      // other jurisdictions and authorities notified
	ElementLawEnforcement   Element = "law_enforcement"   // whether notice was delayed at law enforcement's request

	// Appended by the rulebook (H3).
	ElementCause              Element = "cause"               // why and how it happened (Japan Rule 8(1)(iv), China PIPL Art. 57(1))
	ElementIdentityProtection Element = "identity_protection" // offer of identity-theft prevention / credit monitoring (CA, PA 12 months; MA 18 months)

	// Staged duties and possible leaks (issue 17).
	ElementLeakPossibility Element = "leak_possibility"       // that a leak is possible, not confirmed, and the circumstance (PIPA Decree 39-2)
	ElementRuledOut        Element = "ruled_out"              // that a possible leak was examined and did not happen (PIPA Decree 39-3(3))
	ElementFirstFiling     Element = "first_filing_reference" // the earlier filing this one follows up (date, reference), so the regulator can join them
)

var elements = []Element{
	ElementNature, ElementTimeline, ElementDataItems, ElementCounts, ElementConsequences,
	ElementMeasuresTaken, ElementSelfProtection, ElementContactPoint, ElementLegalRights,
	ElementRegulatorContact, ElementCreditFreeze, ElementCreditAgencies, ElementDelayReason,
	ElementPhasedFollowUp, ElementOrganisation, ElementRiskAssessment, ElementCrossBorder, ElementLawEnforcement,
	ElementCause, ElementIdentityProtection,
	ElementLeakPossibility, ElementRuledOut, ElementFirstFiling,
}

// Elements returns every content element in a fixed order.
func Elements() []Element { return slices.Clone(elements) }

// Valid reports whether e is a known content element.
func (e Element) Valid() bool { return slices.Contains(elements, e) }
