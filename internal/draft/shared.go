package draft

import (
	"context"
	"errors"
	"fmt"
	"slices"

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
// jurisdictions' languages ("notice-shared-<locale>-<combination>"). The
// samples are drafts like any other, so the content hash the approvers
// sign covers them; the sender's notice set is built with the same
// combinations and refuses any other (*notice.UnapprovedCombination), and
// OpenNoticeSet reads the combinations again and re-drafts, so a change in
// them after approval is a *StaleDraftsError, not a silent send.

// sharedCombinations reads the jurisdiction combinations scoping recorded
// for a case; none when it recorded no summary.
func sharedCombinations(ctx context.Context, db DB, table, caseID string) ([]string, error) {
	s, err := scope.LoadShared(ctx, db, table, caseID)
	if errors.Is(err, scope.ErrNoShared) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(s.Combinations))
	for k := range s.Combinations {
		out = append(out, k)
	}
	return combinations(out), nil
}

// combinations normalises combination keys (notice.Combination), drops
// those of fewer than two valid jurisdictions, and sorts them.
func combinations(keys []string) []string {
	var out []string
	for _, k := range keys {
		if c := notice.Combination(notice.Members(k)...); c != "" {
			out = append(out, c)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// buildShared checks and samples the notice of every shared combination in
// f.Shared (set renders them: it was built from f).
func buildShared(f notice.CaseFacts, set *notice.NoticeSet, duties []notice.Duty) ([]Draft, error) {
	var out []Draft
	for _, combo := range f.Shared {
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
		seen := map[string]bool{}
		for _, j := range members {
			l := notice.ResolveLocale("", j)
			if seen[l] {
				continue
			}
			seen[l] = true
			m, err := set.Render(sharedSample(l, j, members, f.Categories))
			if err != nil {
				return nil, fmt.Errorf("draft shared notice %s/%s: %w", l, combo, err)
			}
			out = append(out, seal(Draft{
				ID: "notice-shared-" + l + "-" + slug(combo), Kind: KindNotice, ObligationIDs: ids,
				Locale: l, Jurisdiction: combo, Subject: m.Subject, HTML: m.HTML, Text: m.Text,
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
