package sharedaddr

import (
	"slices"

	"breachflow/internal/casetable"
)

// Holders returns what the one notice to s's address must cover when
// others in scope share it: the jurisdictions of everyone who holds it (s's
// own first) and the union of their exposed categories, sorted. shared is
// false when the address is not shared (the fold added nothing to s); the
// notice then covers s alone, and both slices are nil.
func Holders(s *casetable.Subject) (jurisdictions, categories []string, shared bool) {
	if len(s.HolderJurisdictions) == 0 {
		return nil, nil, false
	}
	jurisdictions = append([]string{s.Jurisdiction}, s.HolderJurisdictions...)
	categories = append(append([]string{}, s.Categories...), s.HolderCategories...)
	slices.Sort(categories)
	return jurisdictions, slices.Compact(categories), true
}
