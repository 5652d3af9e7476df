package sharedaddr

import (
	"slices"
	"strings"

	"breachflow/internal/notice"
)

// Plan is what drafting drafts for a case's shared addresses: every
// combination of jurisdictions that shares an address, and for each the
// sample notices the approvers read.
type Plan struct {
	// Combinations are notice.Combination keys, sorted. Drafting checks
	// each one's notice in every locale and lists them in
	// notice.CaseFacts.Shared, the only combinations that will render.
	Combinations []string
	// Samples are, per combination, the notices to keep as drafts: one in
	// each member jurisdiction's own language for its own people, and one
	// per language and reader the notice is actually sent in. Sorted.
	Samples map[string][]Sample
}

// Sample is one sample notice of a combination: its language and the
// jurisdiction of its reader (whose time zone its dates use).
type Sample struct{ Locale, Jurisdiction string }

// Plan turns what the fold recorded into what drafting drafts. A nil
// Summary (no shared addresses known) plans nothing. Keys that do not
// parse, or name fewer than two valid jurisdictions, are ignored: a summary
// is data read back from the table, and drafting must not fail on a key it
// would never render.
func (s *Summary) Plan() Plan {
	p := Plan{Samples: map[string][]Sample{}}
	if s == nil {
		return p
	}
	add := func(combo string, k Sample) {
		if !slices.Contains(p.Samples[combo], k) {
			p.Samples[combo] = append(p.Samples[combo], k)
		}
	}
	entries := make([]string, 0, len(s.Combinations)+len(s.Notices))
	for k := range s.Combinations {
		entries = append(entries, k)
	}
	for k := range s.Notices {
		entries = append(entries, k)
	}
	slices.Sort(entries)
	for _, e := range entries {
		parts := strings.Split(e, "|")
		combo := notice.Combination(notice.Members(parts[len(parts)-1])...)
		if combo == "" || (len(parts) != 1 && len(parts) != 3) {
			continue
		}
		members := notice.Members(combo)
		if _, ok := p.Samples[combo]; !ok {
			p.Combinations = append(p.Combinations, combo)
			for _, j := range members {
				add(combo, Sample{notice.ResolveLocale("", j), j})
			}
		}
		if len(parts) == 3 {
			j := strings.ToUpper(parts[1])
			if !slices.Contains(members, j) {
				j = ReaderIn(parts[0], members)
			}
			add(combo, Sample{notice.ResolveLocale(parts[0], j), j})
		}
	}
	slices.Sort(p.Combinations)
	for _, ks := range p.Samples {
		slices.SortFunc(ks, func(a, b Sample) int {
			return strings.Compare(a.Locale+"|"+a.Jurisdiction, b.Locale+"|"+b.Jurisdiction)
		})
	}
	return p
}

// ReaderIn picks, among a combination's members, the one whose language is
// locale as a sample's reader (whose time zone the dates use), else the
// first.
func ReaderIn(locale string, members []string) string {
	for _, j := range members {
		if notice.ResolveLocale("", j) == locale {
			return j
		}
	}
	return members[0]
}
