package approval

import (
	"context"
	"fmt"

	"breachflow/internal/cases"
)

// CaseGetter is the part of cases.Store that CaseHashes reads.
type CaseGetter interface {
	Get(ctx context.Context, caseID string) (cases.Case, error)
}

// CaseHashes is a HashSource that reads the hashes the pipeline records on
// the case: scoping sets RecipientSetHash, drafting sets ContentHash, and a
// re-scope or re-draft changes them, which voids every link issued before.
// It costs one read per decision, where recomputing the recipient-set hash
// would read every subject.
func CaseHashes(c CaseGetter) HashSource {
	return func(ctx context.Context, caseID string) (Hashes, error) {
		rec, err := c.Get(ctx, caseID)
		if err != nil {
			return Hashes{}, fmt.Errorf("case hashes: %w", err)
		}
		return Hashes{Content: rec.ContentHash, RecipientSet: rec.RecipientSetHash}, nil
	}
}
