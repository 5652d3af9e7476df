//go:build integration

package console_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"breachflow/internal/console"
	"breachflow/internal/draft"
	"breachflow/internal/local/localtest"
)

func TestMain(m *testing.M) { os.Exit(localtest.Main(m)) }

func TestDraftsFromTable(t *testing.T) {
	ctx := context.Background()
	db := localtest.DynamoDB(t)
	table := localtest.NewTable(t, db)
	src := console.DraftsFromTable(db, table)

	if ds, hash, err := src(ctx, "c1"); err != nil || ds != nil || hash != "" {
		t.Fatalf("undrafted case: %v %q %v, want nothing", ds, hash, err)
	}
	drafts := []draft.Draft{
		{ID: "filing-pipc", Kind: draft.KindFiling, Locale: "ko", Recipient: "PIPC", Subject: "유출 신고", HTML: "<p>신고</p>", Text: "신고"},
		{ID: "notice-ko", Kind: draft.KindNotice, Locale: "ko", Subject: "유출 안내", HTML: "<p>안내</p>", Text: "안내"},
	}
	for i := range drafts {
		drafts[i].SHA256 = draft.Sum(drafts[i])
	}
	stored, err := draft.Store(ctx, db, table, "c1", drafts, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	ds, hash, err := src(ctx, "c1")
	if err != nil {
		t.Fatal(err)
	}
	want := []console.Draft{
		{ID: "filing-pipc", Kind: "regulator", Locale: "ko", Subject: "유출 신고 (to PIPC)", HTML: "<p>신고</p>", Text: "신고"},
		{ID: "notice-ko", Kind: "customer", Locale: "ko", Subject: "유출 안내", HTML: "<p>안내</p>", Text: "안내"},
	}
	if diff := cmp.Diff(want, ds); diff != "" || hash != stored {
		t.Errorf("drafts (-want +got):\n%s\nhash %q, stored %q", diff, hash, stored)
	}
}
