package draft

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"breachflow/internal/breach"
	"breachflow/internal/notice"
	"breachflow/internal/scope"
)

// Shared addresses. A notice to an address that people under several
// jurisdictions share is written for all their laws (package notice), so
// its content depends on the combination of jurisdictions, which scoping
// records (scope.Shared, folded after every segment). Drafting reads those
// combinations, checks each in every locale against every individuals duty
// of each of its jurisdictions, and stores a sample of each in each of its
// jurisdictions' languages and in each language and reader it is sent in
// ("notice-shared-<locale>-<reader>_<combination>"). The
// samples are drafts like any other, so the content hash the approvers
// sign covers them; the sender's notice set is built with the same
// combinations and refuses any other (*notice.UnapprovedCombination), and
// OpenNoticeSet reads the combinations again and re-drafts, so a change in
// them after approval is a *StaleDraftsError, not a silent send.

// sharedCombinations reads what scoping recorded about a case's shared
// addresses, in BuildShared's form: each combination, and each language and
// reader it is sent in. None when scoping recorded no summary.
func sharedCombinations(ctx context.Context, db DB, table, caseID string) ([]string, error) {
	s, err := scope.LoadShared(ctx, db, table, caseID)
	if errors.Is(err, scope.ErrNoShared) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(s.Combinations)+len(s.Notices))
	for k := range s.Combinations {
		out = append(out, k)
	}
	for k := range s.Notices {
		out = append(out, k)
	}
	slices.Sort(out)
	return out, nil
}

// sharedPlan is what BuildShared drafts for shared addresses: the
// combinations, and for each the (locale, reader) samples to keep.
type sharedPlan struct {
	combos  []string
	samples map[string][]sharedPick
}

// sharedPick is a sample notice: its locale and its reader's jurisdiction.
type sharedPick struct{ locale, jurisdiction string }

// planShared parses BuildShared's entries: "<combination>" or
// "<locale>|<reader's jurisdiction>|<combination>" (scope.NoticeKey).
// Combinations are normalised (notice.Combination); those of fewer than
// two valid jurisdictions are dropped. Every combination gets a sample in
// each of its jurisdictions' languages, and one per language and reader it
// is sent in.
func planShared(entries []string) sharedPlan {
	p := sharedPlan{samples: map[string][]sharedPick{}}
	add := func(combo string, k sharedPick) {
		if !slices.Contains(p.samples[combo], k) {
			p.samples[combo] = append(p.samples[combo], k)
		}
	}
	for _, e := range entries {
		parts := strings.Split(e, "|")
		combo := notice.Combination(notice.Members(parts[len(parts)-1])...)
		if combo == "" || (len(parts) != 1 && len(parts) != 3) {
			continue
		}
		members := notice.Members(combo)
		if _, ok := p.samples[combo]; !ok {
			p.combos = append(p.combos, combo)
			for _, j := range members {
				add(combo, sharedPick{notice.ResolveLocale("", j), j})
			}
		}
		if len(parts) == 3 {
			j := strings.ToUpper(parts[1])
			if !slices.Contains(members, j) {
				j = readerIn(parts[0], members)
			}
			add(combo, sharedPick{notice.ResolveLocale(parts[0], j), j})
		}
	}
	slices.Sort(p.combos)
	for _, ks := range p.samples {
		slices.SortFunc(ks, func(a, b sharedPick) int {
			return strings.Compare(a.locale+"|"+a.jurisdiction, b.locale+"|"+b.jurisdiction)
		})
	}
	return p
}

// buildShared checks and samples the notice of every shared combination
// (set renders them: it was built from facts whose Shared is p.combos).
func buildShared(f notice.CaseFacts, set *notice.NoticeSet, duties []notice.Duty, p sharedPlan) ([]Draft, error) {
	var out []Draft
	for _, combo := range p.combos {
		members := notice.Members(combo)
		var cover []notice.Duty
		var ids []string
		for _, d := range duties {
			for _, m := range members {
				if notice.Covers(d.Jurisdiction, m) {
					cover = append(cover, d)
					ids = append(ids, d.ID)
					break
				}
			}
		}
		slices.Sort(ids)
		ids = slices.Compact(ids)
		for _, l := range notice.Locales {
			m, err := set.Render(sharedSample(l, readerIn(l, members), members, f.Categories))
			if err != nil {
				return nil, fmt.Errorf("draft shared notice %s/%s: %w", l, combo, err)
			}
			for _, d := range cover {
				if err := notice.Check("notice "+l+" for an address shared across "+combo, m.HTML, d); err != nil {
					return nil, err
				}
			}
		}
		for _, k := range p.samples[combo] {
			m, err := set.Render(sharedSample(k.locale, k.jurisdiction, members, f.Categories))
			if err != nil {
				return nil, fmt.Errorf("draft shared notice %s/%s: %w", k.locale, combo, err)
			}
			out = append(out, seal(Draft{
				ID:   "notice-shared-" + k.locale + "-" + slug(k.jurisdiction) + "_" + slug(combo),
				Kind: KindNotice, ObligationIDs: ids, Locale: k.locale, Jurisdiction: combo,
				Subject: m.Subject, HTML: m.HTML, Text: m.Text,
			}))
		}
	}
	return out, nil
}

// readerIn picks the member whose language is l as the sample's reader
// (whose time zone the dates use), else the first.
func readerIn(l string, members []string) string {
	for _, j := range members {
		if notice.ResolveLocale("", j) == l {
			return j
		}
	}
	return members[0]
}

func sharedSample(locale, jurisdiction string, holders []string, cats []breach.Category) notice.Recipient {
	r := sample(locale, jurisdiction, cats)
	r.Holders = holders
	return r
}
