package breach

// RecipientKind says who a notification duty is owed to.
type RecipientKind string

// The kinds of recipient a rule can require.
const (
	RecipientRegulator     RecipientKind = "regulator"       // a supervisory authority or agency
	RecipientIndividuals   RecipientKind = "individuals"     // the affected people themselves
	RecipientMedia         RecipientKind = "media"           // prominent media outlets (e.g. HIPAA > 500 in a state)
	RecipientCreditAgency  RecipientKind = "credit_agencies" // consumer reporting agencies (US states over a threshold)
	RecipientPublicNotice  RecipientKind = "public_notice"   // website or substitute notice
	RecipientOtherEntities RecipientKind = "other_entities"  // e.g. the controller, when the breached party is a processor
	// RecipientSelf is a dated duty the organisation owes before any
	// notice: Australia's 30-day assessment of a suspected eligible
	// breach (Privacy Act s. 26WH). Nothing is drafted or sent for it.
	RecipientSelf RecipientKind = "self_assessment"
)

// Valid reports whether k is a known recipient kind.
func (k RecipientKind) Valid() bool {
	switch k {
	case RecipientRegulator, RecipientIndividuals, RecipientMedia, RecipientCreditAgency, RecipientPublicNotice, RecipientOtherEntities, RecipientSelf:
		return true
	}
	return false
}
