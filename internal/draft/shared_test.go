package draft_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"breachflow/internal/casetable"
	"breachflow/internal/draft"
	"breachflow/internal/notice"
	"breachflow/internal/sharedaddr"
)

// The Kakao Pay sample has one individuals duty, Korea's. A Singaporean
// who shares an address with a Korean gets the notice for both: drafting
// must draft and check it, so the approvers read it.
func TestBuildSharedDraftsEachCombination(t *testing.T) {
	r, a, at := sample(t, "kakaopay-alipay.json")
	plain, err := draft.Build(r, a, at)
	if err != nil {
		t.Fatal(err)
	}
	// Scoping found one address shared across KR and SG, held by a
	// Singaporean who reads Japanese; the rest is noise to ignore.
	ds, err := draft.BuildShared(r, a, at, &sharedaddr.Summary{
		Combinations: map[string]int64{"SG+KR": 1, "KR+SG": 1, "KR": 1, "KR+not a code": 1},
		Notices:      map[string]int64{"ja|SG|KR+SG": 1, "en|KR": 1, "x|y": 1},
	})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]draft.Draft{}
	for _, d := range ds {
		byID[d.ID] = d
	}
	for _, d := range plain {
		if diff := cmp.Diff(d, byID[d.ID]); diff != "" {
			t.Errorf("draft %s changed when shared combinations were added (-plain +shared):\n%s", d.ID, diff)
		}
	}
	var shared []string
	for _, d := range ds {
		if strings.HasPrefix(d.ID, "notice-shared-") {
			shared = append(shared, d.ID)
		}
	}
	// Each jurisdiction's language for its own people, and the language and
	// reader actually sent.
	if diff := cmp.Diff([]string{"notice-shared-en-sg_kr-sg", "notice-shared-ja-sg_kr-sg", "notice-shared-ko-kr_kr-sg"}, shared); diff != "" {
		t.Fatalf("shared samples (-want +got):\n%s", diff)
	}
	for _, id := range shared {
		d := byID[id]
		if d.Kind != draft.KindNotice || d.Jurisdiction != "KR+SG" || d.SHA256 != draft.Sum(d) ||
			!slices.Contains(d.ObligationIDs, "kr-pipa-34-individuals") {
			t.Errorf("%s: kind %s, jurisdiction %s, obligations %v", id, d.Kind, d.Jurisdiction, d.ObligationIDs)
		}
		if !strings.Contains(d.HTML, "kopico.go.kr") {
			t.Errorf("%s lacks PIPA's rights section", id)
		}
	}
	if draft.ContentHash(ds) == draft.ContentHash(plain) {
		t.Error("the content hash does not cover the shared samples")
	}
}

func TestSenderRendersOnlyApprovedCombinations(t *testing.T) {
	ctx := context.Background()
	db := newMemDB()
	r, a, at := sample(t, "kakaopay-alipay.json")
	reports, assessments := fixed(r, a)
	if err := sharedaddr.Record(ctx, db, "t", "c1", &sharedaddr.Summary{Addresses: 3, Combinations: map[string]int64{"KR+SG": 2},
		Notices: map[string]int64{sharedaddr.NoticeKey("ja", "SG", "KR+SG"): 1, sharedaddr.NoticeKey("ko", "KR", "KR+SG"): 1}}); err != nil {
		t.Fatal(err)
	}
	// The draft stage reads the combinations scoping recorded.
	h := &draft.Handler{Reports: reports, Assessments: assessments, DB: db, Table: "t"}
	out, err := h.Handle(ctx, draft.Input{CaseID: "c1", Now: at})
	if err != nil {
		t.Fatal(err)
	}
	ds, hash, err := draft.Load(ctx, db, "t", "c1")
	if err != nil || hash != out.ContentHash {
		t.Fatalf("Load = %s, %v; want %s", hash, err, out.ContentHash)
	}
	samples := map[string]draft.Draft{}
	for _, d := range ds {
		samples[d.ID] = d
	}

	approved := &draft.Approved{DB: db, Table: "t", Reports: reports, Assessments: assessments}
	render, err := approved.Notices(ctx, "c1", hash)
	if err != nil {
		t.Fatal(err)
	}
	cats := make([]string, len(r.DataCategories))
	for i, c := range r.DataCategories {
		cats[i] = string(c)
	}
	holder := &casetable.Subject{UserID: "u1", Name: draft.SamplePerson, Email: "shared@example.com", Locale: "en", Jurisdiction: "SG",
		Categories: cats[:1], HolderJurisdictions: []string{"KR", "SG"}, HolderCategories: cats}
	for locale, id := range map[string]string{"en-SG": "notice-shared-en-sg_kr-sg", "ja": "notice-shared-ja-sg_kr-sg"} {
		holder.Locale = locale
		m, err := render(holder)
		if err != nil {
			t.Fatal(err)
		}
		if samples[id].HTML == "" || m.HTML != samples[id].HTML {
			t.Errorf("the notice sent to a shared address in %s differs from the approved sample %s", locale, id)
		}
	}

	other := *holder
	other.HolderJurisdictions = []string{"JP", "SG"}
	_, err = render(&other)
	var un *notice.UnapprovedCombination
	if !errors.As(err, &un) {
		t.Errorf("rendering a combination nobody approved: %v, want *notice.UnapprovedCombination", err)
	}

	// Scoping's combinations changing after approval make the drafts stale.
	if err := sharedaddr.Record(ctx, db, "t", "c1", &sharedaddr.Summary{Addresses: 4, Combinations: map[string]int64{"KR+SG": 2, "JP+SG": 1}}); err != nil {
		t.Fatal(err)
	}
	_, _, err = draft.OpenNoticeSet(ctx, db, "t", "c1", reports, assessments)
	var stale *draft.StaleDraftsError
	if !errors.As(err, &stale) {
		t.Errorf("combinations changed after drafting: %v, want *StaleDraftsError", err)
	}
}
