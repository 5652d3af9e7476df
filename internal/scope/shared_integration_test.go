//go:build integration

package scope_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"breachflow/internal/casetable"
	"breachflow/internal/local/localtest"
	"breachflow/internal/scope"
	"breachflow/internal/sharedaddr"
	"breachflow/internal/usertable"
)

// sorted compares string sets, which DynamoDB returns in any order.
var sorted = cmpopts.SortSlices(func(a, b string) bool { return a < b })

// A Korean (a), a German (d) and a Singaporean (f) share
// min.kim@example.com. After scoping and the aggregate step's fold,
// whichever of them holds the address carries all three jurisdictions and
// all their data; the others carry nothing extra; and the case records the
// one combination for drafting.
func TestSharedAddressFoldsIntoItsHolder(t *testing.T) {
	ctx := context.Background()
	db := localtest.DynamoDB(t)
	sg := map[string]any{"user_id": "f", "country": "SG", "name": "Tan Mei", "email": "MIN.KIM@example.com ", "payment_service": "none",
		"data_held": []string{"email", "credit_information"}}
	users := putUsers(t, db, append(slices.Clone(crafted), sg))
	cases := localtest.NewTable(t, db)
	s := &scope.Scoper{DB: db, CaseTable: cases, UserTable: users, Mapping: usertable.DefaultMapping()}
	caseID := newCase(t)
	in := scope.SegmentInput{CaseID: caseID, TotalSegments: 3, ReportCategories: reportCats, Shards: 8}
	res := runSegments(t, s, in)

	h := &scope.AggregateHandler{Fold: &sharedaddr.Folder{DB: db, Table: cases, Workers: 4}}
	for range 2 { // the fold is safe to run again
		tot, err := h.Handle(ctx, scope.AggregateInput{CaseID: caseID, Segments: res})
		if err != nil {
			t.Fatal(err)
		}
		if tot.Shards != 8 || tot.SharedAddresses != 1 || tot.SharedCombinations != 1 || tot.Duplicates != 2 {
			t.Errorf("totals: shards %d, shared %d, combinations %d, duplicates %d; want 8, 1, 1, 2",
				tot.Shards, tot.SharedAddresses, tot.SharedCombinations, tot.Duplicates)
		}
	}
	got := subjects(t, db, cases, caseID, 8)
	var holder string
	var others []string
	for _, id := range []string{"a", "d", "f"} {
		if got[id].Status == casetable.StatusPending {
			holder = id
		} else {
			others = append(others, id)
		}
	}
	if holder == "" || len(others) != 2 {
		t.Fatalf("holder %q, duplicates %v: want one holder and two duplicates", holder, others)
	}
	for _, id := range others {
		if got[id].Status != casetable.StatusDuplicate || got[id].DuplicateOf != holder {
			t.Errorf("%s is %s of %q, want duplicate of %s", id, got[id].Status, got[id].DuplicateOf, holder)
		}
	}
	if diff := cmp.Diff([]string{"DE", "KR", "SG"}, got[holder].HolderJurisdictions, sorted); diff != "" {
		t.Errorf("holder's jurisdictions (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"credit_information", "email", "name", "rrn"}, got[holder].HolderCategories, sorted); diff != "" {
		t.Errorf("holder's categories (-want +got):\n%s", diff)
	}
	for _, id := range append(others, "b", "c", "e") {
		if len(got[id].HolderJurisdictions) > 0 || len(got[id].HolderCategories) > 0 {
			t.Errorf("subject %s, which holds no shared address, got holders %v %v", id, got[id].HolderJurisdictions, got[id].HolderCategories)
		}
	}
	sh, err := sharedaddr.Load(ctx, db, cases, caseID)
	if err != nil {
		t.Fatal(err)
	}
	reader := map[string]string{"a": "ko|KR", "d": "de|DE", "f": "en|SG"}[holder] // f has no locale: Singapore's English
	want := &sharedaddr.Summary{Addresses: 1, Combinations: map[string]int64{"DE+KR+SG": 1}, Notices: map[string]int64{reader + "|DE+KR+SG": 1}}
	if diff := cmp.Diff(want, sh); diff != "" {
		t.Errorf("shared summary (-want +got):\n%s", diff)
	}
	if _, err := sharedaddr.Load(ctx, db, cases, newCase(t)); !errors.Is(err, sharedaddr.ErrNoSummary) {
		t.Errorf("a case never folded: %v, want ErrNoSummary", err)
	}
}

// The holder claims the address but dies before its subject item is
// written; meanwhile another segment finds the duplicate. The union waits
// on the shared item, the fold refuses to run before the holder's subject
// exists, and once the holder's segment is rerun the fold completes it.
func TestSharedAddressFoundBeforeTheHolderIsWritten(t *testing.T) {
	ctx := context.Background()
	db := localtest.DynamoDB(t)
	holderUsers := putUsers(t, db, crafted[:1]) // a: KR, min.kim@example.com
	dupUsers := putUsers(t, db, crafted[3:4])   // d: DE, the same address
	cases := localtest.NewTable(t, db)
	caseID := newCase(t)
	m := usertable.DefaultMapping()

	// The holder's segment claims the address, then fails writing subjects.
	dying := &scope.Scoper{DB: &failingDB{DB: db}, CaseTable: cases, UserTable: holderUsers, Mapping: m, Workers: 1}
	holderIn := scope.SegmentInput{CaseID: caseID, TotalSegments: 2, ReportCategories: reportCats, Shards: 4}
	for seg := range 2 {
		in := holderIn
		in.Segment = seg
		dying.Segment(ctx, in) // one of the two fails; the other scans nothing
	}
	if got := subjects(t, db, cases, caseID, 4); len(got) != 0 {
		t.Fatalf("the dying segment wrote %d subjects", len(got))
	}

	// The duplicate's segment (its own scan: TotalSegments 1) finishes.
	dupRes, err := (&scope.Scoper{DB: db, CaseTable: cases, UserTable: dupUsers, Mapping: m}).Segment(ctx,
		scope.SegmentInput{CaseID: caseID, TotalSegments: 1, ReportCategories: reportCats, Shards: 4})
	if err != nil {
		t.Fatal(err)
	}
	if dupRes.Duplicates != 1 {
		t.Fatalf("the duplicate's segment found %d duplicates, want 1", dupRes.Duplicates)
	}
	fold := &sharedaddr.Folder{DB: db, Table: cases}
	if _, err := fold.Fold(ctx, caseID, 4); !errors.Is(err, sharedaddr.ErrHolderMissing) {
		t.Errorf("fold before the holder's subject exists: %v, want ErrHolderMissing", err)
	}

	// The holder's segment is rerun and writes its subject with a blind put.
	live := &scope.Scoper{DB: db, CaseTable: cases, UserTable: holderUsers, Mapping: m}
	for seg := range 2 {
		in := holderIn
		in.Segment = seg
		if _, err := live.Segment(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	sh, err := fold.Fold(ctx, caseID, 4)
	if err != nil {
		t.Fatal(err)
	}
	want := &sharedaddr.Summary{Addresses: 1, Combinations: map[string]int64{"DE+KR": 1}, Notices: map[string]int64{"ko|KR|DE+KR": 1}}
	if diff := cmp.Diff(want, sh); diff != "" {
		t.Errorf("shared summary (-want +got):\n%s", diff)
	}
	got := subjects(t, db, cases, caseID, 4)
	a, d := got["a"], got["d"]
	if a.Status != casetable.StatusPending || d.Status != casetable.StatusDuplicate || d.DuplicateOf != "a" {
		t.Fatalf("a is %s, d is %s of %q: want a holding the address", a.Status, d.Status, d.DuplicateOf)
	}
	if diff := cmp.Diff([]string{"DE", "KR"}, a.HolderJurisdictions, sorted); diff != "" {
		t.Errorf("holder's jurisdictions (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"email", "name", "rrn"}, a.HolderCategories, sorted); diff != "" {
		t.Errorf("holder's categories (-want +got):\n%s", diff)
	}
}
