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
)

// Valid reports whether k is a known recipient kind.
func (k RecipientKind) Valid() bool {
	switch k {
	case RecipientRegulator, RecipientIndividuals, RecipientMedia, RecipientCreditAgency, RecipientPublicNotice, RecipientOtherEntities:
		return true
	}
	return false
}
