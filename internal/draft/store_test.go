package draft_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"breachflow/internal/breach"
	"breachflow/internal/cases"
	"breachflow/internal/draft"
	"breachflow/internal/notice"
	"breachflow/internal/report"
	"breachflow/internal/rules"
)

// storeContract runs against any DB: memDB here, dynalite in the
// integration test.
func storeContract(t *testing.T, db draft.DB, table string) {
	ctx := context.Background()
	r, a, at := sample(t, "kakaopay-alipay.json")
	ds, err := draft.Build(r, a, at)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := draft.Load(ctx, db, table, "c1"); !errors.Is(err, draft.ErrNotFound) {
		t.Fatalf("Load before Store = %v, want ErrNotFound", err)
	}
	hash, err := draft.Store(ctx, db, table, "c1", ds, at)
	if err != nil {
		t.Fatal(err)
	}
	if hash != draft.ContentHash(ds) {
		t.Errorf("Store returned %s, want the content hash", hash)
	}
	got, gotHash, err := draft.Load(ctx, db, table, "c1")
	if err != nil {
		t.Fatal(err)
	}
	if gotHash != hash {
		t.Errorf("Load hash = %s, want %s", gotHash, hash)
	}
	if diff := cmp.Diff(ds, got); diff != "" {
		t.Errorf("Load differs from what was stored (-stored +loaded):\n%s", diff)
	}
	if again, err := draft.Store(ctx, db, table, "c1", ds, at); err != nil || again != hash {
		t.Errorf("storing the same set again = %s, %v", again, err)
	}
	// Re-drafting on a later date replaces the set and changes the hash.
	later := at.Add(24 * time.Hour)
	ds2, err := draft.Build(r, a, later)
	if err != nil {
		t.Fatal(err)
	}
	hash2, err := draft.Store(ctx, db, table, "c1", ds2, later)
	if err != nil {
		t.Fatal(err)
	}
	if hash2 == hash {
		t.Error("re-drafting did not change the hash")
	}
	got2, gotHash2, err := draft.Load(ctx, db, table, "c1")
	if err != nil || gotHash2 != hash2 || len(got2) != len(ds2) {
		t.Fatalf("Load after re-draft = %d drafts, %s, %v", len(got2), gotHash2, err)
	}
	sum, err := draft.LoadSummary(ctx, db, table, "c1")
	if err != nil || !sum.DraftedAt.Equal(later) || sum.Version != 2 {
		t.Errorf("summary = %+v, %v", sum, err)
	}
}

func TestStoreAndLoad(t *testing.T) {
	db := newMemDB()
	storeContract(t, db, "cases")
	if n := db.count("DRAFT#"); n == 0 || n > 20 {
		t.Errorf("%d draft items left: the replaced set should be deleted", n)
	}
}

// TestConcurrentDraftingCannotMix lets a second drafting run replace the
// drafts while the first is between its read and its summary write.
func TestConcurrentDraftingCannotMix(t *testing.T) {
	ctx := context.Background()
	db := newMemDB()
	r, a, at := sample(t, "kakaopay-alipay.json")
	first, _ := draft.Build(r, a, at)
	second, _ := draft.Build(r, a, at.Add(24*time.Hour))
	if _, err := draft.Store(ctx, db, "t", "c1", first, at); err != nil {
		t.Fatal(err)
	}
	third, _ := draft.Build(r, a, at.Add(48*time.Hour))
	var winner string
	db.beforeSummary = func() {
		var err error
		winner, err = draft.Store(ctx, db, "t", "c1", third, at.Add(48*time.Hour))
		if err != nil {
			t.Errorf("inner store: %v", err)
		}
	}
	_, err := draft.Store(ctx, db, "t", "c1", second, at.Add(24*time.Hour))
	var conc *draft.ConcurrentDraftError
	if !errors.As(err, &conc) {
		t.Fatalf("losing run = %v, want ConcurrentDraftError", err)
	}
	got, hash, err := draft.Load(ctx, db, "t", "c1")
	if err != nil || hash != winner || draft.ContentHash(got) != winner {
		t.Errorf("Load = %s, %v; want the winner's set %s", hash, err, winner)
	}
}

type reportsFunc func(ctx context.Context, caseID string) (*report.Report, string, error)

func (f reportsFunc) Report(ctx context.Context, id string) (*report.Report, string, error) {
	return f(ctx, id)
}

type assessmentsFunc func(ctx context.Context, caseID string) (rules.Assessment, error)

func (f assessmentsFunc) Get(ctx context.Context, id string) (rules.Assessment, error) {
	return f(ctx, id)
}

// fixed are the stage's sources answering with r and a whatever the case.
func fixed(r *report.Report, a rules.Assessment) (reportsFunc, assessmentsFunc) {
	return func(context.Context, string) (*report.Report, string, error) { return r, "", nil },
		func(context.Context, string) (rules.Assessment, error) { return a, nil }
}

type casesFunc func(ctx context.Context, caseID string, change func(*cases.Case) error) (cases.Case, error)

func (f casesFunc) Update(ctx context.Context, id string, change func(*cases.Case) error) (cases.Case, error) {
	return f(ctx, id, change)
}

func TestHandler(t *testing.T) {
	r, a, at := sample(t, "kakaopay-alipay.json")
	var updated cases.Case
	h := &draft.Handler{
		Reports:     reportsFunc(func(context.Context, string) (*report.Report, string, error) { return r, "", nil }),
		Assessments: assessmentsFunc(func(context.Context, string) (rules.Assessment, error) { return a, nil }),
		Cases: casesFunc(func(_ context.Context, _ string, change func(*cases.Case) error) (cases.Case, error) {
			return updated, change(&updated)
		}),
		DB: newMemDB(), Table: "t",
	}
	out, err := h.Handle(context.Background(), draft.Input{CaseID: "c1", Now: at})
	if err != nil {
		t.Fatal(err)
	}
	if out.Drafts == 0 || out.Filings != 2 || out.ContentHash == "" || updated.ContentHash != out.ContentHash || updated.Status != cases.StatusDrafted {
		t.Errorf("out = %+v, case = %+v", out, updated)
	}

	// A failed content check reaches the state machine by its type name.
	bad := a
	bad.Obligations = append([]rules.Obligation(nil), a.Obligations...)
	for i := range bad.Obligations {
		if bad.Obligations[i].RecipientKind == breach.RecipientIndividuals {
			bad.Obligations[i].Elements = append(append([]breach.Element(nil), bad.Obligations[i].Elements...), breach.ElementCreditAgencies)
		}
	}
	h.Assessments = assessmentsFunc(func(context.Context, string) (rules.Assessment, error) { return bad, nil })
	_, err = h.Handle(context.Background(), draft.Input{CaseID: "c1", Now: at})
	if name := reflect.TypeOf(err).String(); name != "*notice.MissingContentElement" {
		t.Errorf("error type = %s (%v), want *notice.MissingContentElement unwrapped", name, err)
	}
	var miss *notice.MissingContentElement
	if !errors.As(err, &miss) || miss.Element != breach.ElementCreditAgencies {
		t.Errorf("err = %v", err)
	}
}

func TestOpenNoticeSet(t *testing.T) {
	ctx := context.Background()
	db := newMemDB()
	r, a, at := sample(t, "kakaopay-alipay.json")
	ds, err := draft.Build(r, a, at)
	if err != nil {
		t.Fatal(err)
	}
	hash, err := draft.Store(ctx, db, "t", "c1", ds, at)
	if err != nil {
		t.Fatal(err)
	}
	reports, assessments := fixed(r, a)
	set, got, err := draft.OpenNoticeSet(ctx, db, "t", "c1", reports, assessments)
	if err != nil || got != hash {
		t.Fatalf("OpenNoticeSet = %s, %v; want %s", got, err, hash)
	}
	m, err := set.Render(notice.Recipient{Name: draft.SamplePerson, Locale: "ko", Jurisdiction: "KR", Categories: r.DataCategories})
	if err != nil {
		t.Fatal(err)
	}
	var stored draft.Draft
	for _, d := range ds {
		if d.ID == "notice-ko-kr" {
			stored = d
		}
	}
	if m.HTML != stored.HTML {
		t.Error("the sender's notice differs from the approved sample")
	}
	changed := *r
	changed.Description = "a different story"
	_, _, err = draft.OpenNoticeSet(ctx, db, "t", "c1",
		reportsFunc(func(context.Context, string) (*report.Report, string, error) { return &changed, "", nil }), assessments)
	var stale *draft.StaleDraftsError
	if !errors.As(err, &stale) {
		t.Errorf("changed report: %v, want StaleDraftsError", err)
	}
}
