package draft_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"breachflow/internal/draft"
	"breachflow/internal/email"
)

// The send stage gets exactly the approved filings, each with its document
// in the body and attached, and nothing at all under another hash.
func TestApprovedDocumentSet(t *testing.T) {
	ctx := context.Background()
	db := newMemDB()
	r, a, at := sample(t, "kakaopay-alipay.json")
	reports, assessments := fixed(r, a)
	out, err := (&draft.Handler{Reports: reports, Assessments: assessments, DB: db, Table: "t"}).Handle(ctx, draft.Input{CaseID: "c1", Now: at})
	if err != nil {
		t.Fatal(err)
	}
	ds, _, err := draft.Load(ctx, db, "t", "c1")
	if err != nil {
		t.Fatal(err)
	}
	var want []email.Filing
	for _, d := range ds {
		if d.Kind == draft.KindFiling {
			want = append(want, email.Filing{ID: d.ID, ObligationIDs: d.ObligationIDs, Regulator: d.Recipient, Message: email.Message{
				Subject: d.Subject, HTML: d.HTML, Text: d.Text,
				Attachments: []email.Attachment{{Filename: d.ID + ".html", ContentType: "text/html; charset=utf-8", Data: []byte(d.HTML)}},
			}})
		}
	}
	approved := &draft.Approved{DB: db, Table: "t", Reports: reports, Assessments: assessments}
	got, err := approved.Filings(ctx, "c1", out.ContentHash)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != out.Filings || len(got) == 0 {
		t.Fatalf("%d filings approved, %d drafted", len(got), out.Filings)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("approved filings (-drafted +got):\n%s", diff)
	}
	if _, err := approved.Notices(ctx, "c1", out.ContentHash); err != nil {
		t.Errorf("notices under the approved hash: %v", err)
	}

	for _, hash := range []string{"", "0123456789abcdef"} {
		var un *draft.UnapprovedContent
		if fs, err := approved.Filings(ctx, "c1", hash); !errors.As(err, &un) || fs != nil {
			t.Errorf("filings under hash %q: %d, %v; want none and *UnapprovedContent", hash, len(fs), err)
		}
		if render, err := approved.Notices(ctx, "c1", hash); !errors.As(err, &un) || render != nil {
			t.Errorf("notices under hash %q: %v; want *UnapprovedContent", hash, err)
		}
	}
}
