package draft

import (
	"context"
	"fmt"

	"breachflow/internal/notice"
)

// StaleDraftsError says the case's report or assessment changed after its
// drafts were stored: the notices the sender would build are not the ones
// approved. Re-draft (and re-approve) first.
type StaleDraftsError struct {
	CaseID             string
	Stored, Recomputed string // content hashes
}

func (e *StaleDraftsError) Error() string {
	return fmt.Sprintf("drafts of case %s are stale: stored hash %.12s, the current report and assessment give %.12s", e.CaseID, e.Stored, e.Recomputed)
}

// OpenNoticeSet gives the sender the customer notices the approvers read.
// It loads the DRAFTS summary, the report, the assessment and scoping's
// shared-address summary, drafts again
// as of the summary's drafted_at and checks that the content hash is the
// stored one, then builds the notice set from the same facts. The returned
// hash is what the sender compares with the approval's.
func OpenNoticeSet(ctx context.Context, db DB, table, caseID string, reports Reports, assessments Assessments) (*notice.NoticeSet, string, error) {
	s, err := LoadSummary(ctx, db, table, caseID)
	if err != nil {
		return nil, "", err
	}
	r, _, err := reports.Report(ctx, caseID)
	if err != nil {
		return nil, "", fmt.Errorf("open notices %s: %w", caseID, err)
	}
	a, err := assessments.Get(ctx, caseID)
	if err != nil {
		return nil, "", fmt.Errorf("open notices %s: %w", caseID, err)
	}
	shared, err := sharedSummary(ctx, db, table, caseID)
	if err != nil {
		return nil, "", fmt.Errorf("open notices %s: %w", caseID, err)
	}
	ds, err := BuildShared(r, a, s.DraftedAt, shared)
	if err != nil {
		return nil, "", fmt.Errorf("open notices %s: %w", caseID, err)
	}
	if h := ContentHash(ds); h != s.ContentHash {
		return nil, "", &StaleDraftsError{CaseID: caseID, Stored: s.ContentHash, Recomputed: h}
	}
	f := Facts(r, a, s.DraftedAt)
	f.Shared = shared.Plan().Combinations
	set, err := notice.NewNoticeSet(f)
	if err != nil {
		return nil, "", fmt.Errorf("open notices %s: %w", caseID, err)
	}
	return set, s.ContentHash, nil
}
