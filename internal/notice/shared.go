package notice

import (
	"fmt"
	"slices"
	"strings"

	"breachflow/internal/breach"
)

// A notice for several jurisdictions (the holders of a shared address;
// package sharedaddr says who they are): written in the language and time
// zone of its reader, listing every holder's exposed data, and carrying
// every section any holder's law asks for: each flag (PIPA, EU, US,
// California, ...) is the OR over the holders, Need and the regulators are
// their unions, and the rights sections of different laws stand side by
// side (a Korean and a German holder get both PIPA's and the GDPR's). The
// sections are the same template sections the single-jurisdiction notices
// use; drafting renders, checks and stores samples of each combination
// (CaseFacts.Shared) so the approvers read each combination that will be
// sent, and Render refuses a combination that is not among them.

// UnapprovedCombination says a notice was asked for a combination of
// jurisdictions that drafting did not draft, so nobody approved a notice
// of that shape. Nothing is rendered; it names codes only, no personal data.
type UnapprovedCombination struct {
	Combination string
}

// Error names the combination (codes only).
func (e *UnapprovedCombination) Error() string {
	return fmt.Sprintf("no approved notice for an address shared across %s: re-draft and re-approve", e.Combination)
}

// Combination is the key of a set of jurisdictions: the valid codes,
// upper-cased, sorted and deduplicated, joined by "+" ("KR+SG"); "" when
// fewer than two remain. It is the one key of a combination: the fold
// records under it (sharedaddr.Summary) and Render checks it.
func Combination(jurisdictions ...string) string {
	js := members(jurisdictions)
	if len(js) < 2 {
		return ""
	}
	return strings.Join(js, "+")
}

// Members splits a Combination key into its jurisdictions.
func Members(combination string) []string {
	if combination == "" {
		return nil
	}
	return members(strings.Split(combination, "+"))
}

func members(jurisdictions []string) []string {
	out := make([]string, 0, len(jurisdictions))
	for _, j := range jurisdictions {
		if p, err := breach.ParseJurisdiction(j); err == nil {
			out = append(out, string(p))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Covers reports whether a duty written for jurisdiction dj covers a
// person in j: the same code, the country of a subdivision ("US" covers
// "US-CA"), or "EU" for any member state.
func Covers(dj breach.Jurisdiction, j string) bool { return applies(dj, j) }

// fillAll sets the law flags of v for a notice that reaches people in every
// jurisdiction of js: the union of what fill sets for each.
func (v *view) fillAll(c *CaseFacts, js []string, kinds ...breach.RecipientKind) {
	v.fill(c, js[0], kinds...)
	for _, j := range js[1:] {
		var o view
		o.fill(c, j, kinds...)
		v.PIPA = v.PIPA || o.PIPA
		v.CIUPA = v.CIUPA || o.CIUPA
		v.HIPAA = v.HIPAA || o.HIPAA
		v.California = v.California || o.California
		v.US = v.US || o.US
		v.EU = v.EU || o.EU
		v.Japan = v.Japan || o.Japan
		v.China = v.China || o.China
		v.OtherRights = v.OtherRights || o.OtherRights
		v.Possibility = v.Possibility || o.Possibility
		v.RuledOut = v.RuledOut || o.RuledOut
		v.Phased = v.Phased || o.Phased
		for e := range o.Need {
			v.Need[e] = true
		}
		for _, r := range o.Regulators {
			if !slices.Contains(v.Regulators, r) {
				v.Regulators = append(v.Regulators, r)
			}
		}
		v.SubstituteDays = max(v.SubstituteDays, o.SubstituteDays)
	}
}
