package draft

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"breachflow/internal/breach"
	"breachflow/internal/notice"
	"breachflow/internal/sharedaddr"
)

// Shared addresses. A notice to an address that people under several
// jurisdictions share is written for all their laws (package notice), so
// its content depends on the combination of jurisdictions, which scoping
// records (sharedaddr.Summary, folded after every segment). Drafting reads
// the summary, checks each combination its Plan lists in every locale
// against every individuals duty of each of its jurisdictions, and stores
// the Plan's samples of each ("notice-shared-<locale>-<reader>_<combination>").
// The samples are drafts like any other, so the content hash the approvers
// sign covers them; the sender's notice set is built with the same
// combinations and refuses any other (*notice.UnapprovedCombination), and
// OpenNoticeSet reads the summary again and re-drafts, so a change in it
// after approval is a *StaleDraftsError, not a silent send.

// sharedSummary reads what scoping recorded about a case's shared
// addresses; nil when it recorded no summary.
func sharedSummary(ctx context.Context, db DB, table, set string) (*sharedaddr.Summary, error) {
	s, err := sharedaddr.Load(ctx, db, table, set)
	if errors.Is(err, sharedaddr.ErrNoSummary) {
		return nil, nil
	}
	return s, err
}

// buildShared checks and samples the notice of every shared combination
// (set renders them: it was built from facts whose Shared is
// p.Combinations).
func buildShared(f notice.CaseFacts, set *notice.NoticeSet, duties []notice.Duty, p sharedaddr.Plan) ([]Draft, error) {
	var out []Draft
	for _, combo := range p.Combinations {
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
			m, err := set.Render(sharedSample(l, sharedaddr.ReaderIn(l, members), members, f.Categories))
			if err != nil {
				return nil, fmt.Errorf("draft shared notice %s/%s: %w", l, combo, err)
			}
			for _, d := range cover {
				if err := notice.Check("notice "+l+" for an address shared across "+combo, m.HTML, d); err != nil {
					return nil, err
				}
			}
		}
		for _, k := range p.Samples[combo] {
			m, err := set.Render(sharedSample(k.Locale, k.Jurisdiction, members, f.Categories))
			if err != nil {
				return nil, fmt.Errorf("draft shared notice %s/%s: %w", k.Locale, combo, err)
			}
			out = append(out, seal(Draft{
				ID:   "notice-shared-" + k.Locale + "-" + slug(k.Jurisdiction) + "_" + slug(combo),
				Kind: KindNotice, ObligationIDs: ids, Locale: k.Locale, Jurisdiction: combo,
				Subject: m.Subject, HTML: m.HTML, Text: m.Text,
			}))
		}
	}
	return out, nil
}

func sharedSample(locale, jurisdiction string, holders []string, cats []breach.Category) notice.Recipient {
	r := sample(locale, jurisdiction, cats)
	r.Holders = holders
	return r
}

// workingSet names the subject set of the report version being drafted
// (cases.Store): scoping recorded its shared-address summary there.
// Without it (tests' fakes) the set is the case's first.
type workingSet interface {
	WorkingSet(ctx context.Context, caseID string) (string, error)
}

// setOf is the subject set of the version being drafted.
func setOf(ctx context.Context, caseID string, reports Reports) (string, error) {
	if w, ok := reports.(workingSet); ok {
		return w.WorkingSet(ctx, caseID)
	}
	return caseID, nil
}
