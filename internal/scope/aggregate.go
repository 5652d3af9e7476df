package scope

import (
	"context"
	"fmt"
	"log/slog"

	"breachflow/internal/audit"
	"breachflow/internal/casetable"
	"breachflow/internal/sharedaddr"
)

// AggregateInput is the aggregate function's payload: the case and the
// results of its scope Map, one per segment, in any order.
type AggregateInput struct {
	CaseID   string          `json:"case_id"`
	Segments []SegmentResult `json:"segments"`
	// Version is the report version scoped (0 or 1: the first); its
	// segments carry its subject set's id (casetable.SetID).
	Version int `json:"version,omitempty"`
}

// Totals is a case's scope: the segments' counts summed, and the hash of
// its recipient set that approval binds to.
type Totals struct {
	CaseID string `json:"case_id"`
	// SetID is the subject set the totals count (casetable.SetID): the
	// case id for version 1.
	SetID          string           `json:"set_id,omitempty"`
	Segments       int              `json:"segments"`
	Scanned        int64            `json:"scanned"`
	Matched        int64            `json:"matched"`
	Written        int64            `json:"written"`
	Pending        int64            `json:"pending"`
	Duplicates     int64            `json:"duplicates"`
	NoContact      int64            `json:"no_contact"`
	Skipped        int64            `json:"skipped"`
	ByJurisdiction map[string]int64 `json:"by_jurisdiction"`
	ByCategory     map[string]int64 `json:"by_category"`
	// ByChannel counts the people by channel plan (SegmentResult.ByChannel):
	// what the approvers see per channel.
	ByChannel map[string]int64 `json:"by_channel,omitempty"`
	// RecipientSetHash is what RecipientSetHash recomputes from the subject
	// set itself.
	RecipientSetHash string `json:"recipient_set_hash"`
	// Shards is the subject shard count every segment wrote with.
	Shards int `json:"shards"`
	// SharedAddresses is how many addresses several people in scope share,
	// and SharedCombinations how many distinct sets of two or more
	// jurisdictions their holders span (sharedaddr.Summary); both are 0
	// when the handler has no Fold.
	SharedAddresses    int64 `json:"shared_addresses"`
	SharedCombinations int   `json:"shared_combinations"`
	// Updates and Current count, for a version after the first, the
	// pending people whose earlier notice must be updated and those it
	// already tells all they must know (package delta); Pending then
	// counts the notices this version sends (first notices and updates).
	Updates int64 `json:"updates"`
	Current int64 `json:"current"`
}

// DeltaFunc settles a later version's people against the notices earlier
// versions sent (package delta), returning how many get an update and how
// many nothing.
type DeltaFunc func(ctx context.Context, caseID string, version, shards int) (updates, current int64, err error)

// Aggregate sums the segment results of one case. Every segment of the scan
// must be there exactly once, all of the same case and segment count: a
// missing or repeated segment would miscount people, so it is an
// *InvalidInput rather than a partial total.
func Aggregate(in AggregateInput) (*Totals, error) {
	if c, _ := casetable.CaseOfSet(in.CaseID); !caseIDPattern.MatchString(c) {
		return nil, &InvalidInput{Field: "case_id", Reason: "want 1-128 letters, digits, '.', '_', ':' or '-'"}
	}
	if len(in.Segments) == 0 {
		return nil, &InvalidInput{Field: "segments", Reason: "no segment results"}
	}
	total := in.Segments[0].TotalSegments
	shards := shardsOf(in.Segments[0])
	seen := make(map[int]bool, len(in.Segments))
	t := &Totals{CaseID: in.CaseID, Segments: total, ByJurisdiction: map[string]int64{}, ByCategory: map[string]int64{}}
	var sum setSum
	for i, s := range in.Segments {
		field := fmt.Sprintf("segments[%d]", i)
		switch {
		case s.CaseID != in.CaseID:
			return nil, &InvalidInput{Field: field + ".case_id", Reason: fmt.Sprintf("segment of case %q in case %q", s.CaseID, in.CaseID)}
		case s.TotalSegments != total:
			return nil, &InvalidInput{Field: field + ".total_segments", Reason: fmt.Sprintf("%d, but segments[0] says %d", s.TotalSegments, total)}
		case s.Segment < 0 || s.Segment >= total:
			return nil, &InvalidInput{Field: field + ".segment", Reason: fmt.Sprintf("%d is outside 0..%d", s.Segment, total-1)}
		case shardsOf(s) != shards:
			return nil, &InvalidInput{Field: field + ".shards", Reason: fmt.Sprintf("%d, but segments[0] says %d", shardsOf(s), shards)}
		case seen[s.Segment]:
			return nil, &InvalidInput{Field: field + ".segment", Reason: fmt.Sprintf("segment %d appears twice", s.Segment)}
		}
		seen[s.Segment] = true
		part, err := parseSetSum(s.SetSum)
		if err != nil {
			return nil, &InvalidInput{Field: field + ".set_sum", Reason: err.Error()}
		}
		sum.add(part)
		t.Scanned += s.Scanned
		t.Matched += s.Matched
		t.Written += s.Written
		t.Pending += s.Pending
		t.Duplicates += s.Duplicates
		t.NoContact += s.NoContact
		t.Skipped += s.Skipped
		for k, v := range s.ByJurisdiction {
			t.ByJurisdiction[k] += v
		}
		for k, v := range s.ByCategory {
			t.ByCategory[k] += v
		}
		for k, v := range s.ByChannel {
			if t.ByChannel == nil {
				t.ByChannel = map[string]int64{}
			}
			t.ByChannel[k] += v
		}
	}
	if len(seen) != total {
		return nil, &InvalidInput{Field: "segments", Reason: fmt.Sprintf("%d of %d segments", len(seen), total)}
	}
	t.RecipientSetHash = finish(in.CaseID, t.Written, sum)
	t.Shards = shards
	slog.Info("scope aggregate", "case_id", in.CaseID, "segments", total, "matched", t.Matched, "written", t.Written,
		"pending", t.Pending, "duplicates", t.Duplicates, "no_contact", t.NoContact)
	return t, nil
}

func shardsOf(s SegmentResult) int {
	if s.Shards <= 0 {
		return casetable.DefaultShards
	}
	return s.Shards
}

// Recorder keeps a case's totals with the case (the case record, where
// assessment and approval read them).
type Recorder func(ctx context.Context, t *Totals) error

// AggregateHandler is the aggregate function's handler: it sums the
// segments and records the totals before handing them on, so what the
// assessment counts and what the approval binds to is what scoping found.
type AggregateHandler struct {
	Record Recorder
	// Fold, when set, folds the case's shared addresses into their
	// holders' subjects once every segment has finished, so each shared
	// address's one notice covers all its holders. Without it a shared
	// address's notice is written for its holder alone.
	Fold *sharedaddr.Folder
	// Delta, when set, runs after the fold for versions after the first.
	Delta DeltaFunc
	// Audit, when set, records the scope in the case's audit log.
	Audit audit.Appender
	Log   *slog.Logger
}

// Handle is the Lambda handler.
func (h *AggregateHandler) Handle(ctx context.Context, in AggregateInput) (*Totals, error) {
	caseID := in.CaseID
	if !caseIDPattern.MatchString(caseID) {
		return nil, &InvalidInput{Field: "case_id", Reason: "want 1-128 letters, digits, '.', '_', ':' or '-'"}
	}
	in.CaseID = casetable.SetID(caseID, in.Version)
	t, err := Aggregate(in)
	if err != nil {
		return nil, err
	}
	t.SetID, t.CaseID = t.CaseID, caseID
	if h.Fold != nil {
		sh, err := h.Fold.Fold(ctx, t.SetID, t.Shards)
		if err != nil {
			return nil, fmt.Errorf("fold shared addresses of %s: %w", t.CaseID, err)
		}
		t.SharedAddresses, t.SharedCombinations = sh.Addresses, len(sh.Combinations)
		slog.InfoContext(ctx, "scope fold", "case_id", t.CaseID, "shared_addresses", sh.Addresses, "combinations", len(sh.Combinations))
	}
	if h.Delta != nil && in.Version > 1 {
		up, cur, err := h.Delta(ctx, caseID, in.Version, t.Shards)
		if err != nil {
			return nil, fmt.Errorf("compare %s version %d with earlier notices: %w", caseID, in.Version, err)
		}
		t.Updates, t.Current = up, cur
		t.Pending -= cur
		slog.InfoContext(ctx, "scope delta", "case_id", caseID, "version", in.Version, "updates", up, "current", cur)
	}
	if h.Record != nil {
		if err := h.Record(ctx, t); err != nil {
			return nil, fmt.Errorf("record scope of %s: %w", t.CaseID, err)
		}
	}
	if h.Audit != nil {
		rec := audit.Record{Actor: "scope", Action: "case.scoped", Detail: map[string]string{
			"segments": fmt.Sprint(t.Segments), "people": fmt.Sprint(t.Matched), "pending": fmt.Sprint(t.Pending),
			"duplicates": fmt.Sprint(t.Duplicates), "no_contact": fmt.Sprint(t.NoContact), "recipient_set_hash": t.RecipientSetHash,
			"shared_addresses": fmt.Sprint(t.SharedAddresses),
			"set_id":           t.SetID, "updates": fmt.Sprint(t.Updates), "current": fmt.Sprint(t.Current),
		}}
		if _, err := h.Audit.Append(ctx, t.CaseID, rec); err != nil {
			return nil, fmt.Errorf("audit scope of %s: %w", t.CaseID, err)
		}
	}
	return t, nil
}
