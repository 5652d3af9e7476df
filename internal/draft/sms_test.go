package draft_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"breachflow/internal/breach"
	"breachflow/internal/draft"
	"breachflow/internal/notice"
	"breachflow/internal/report"
	"breachflow/internal/rules"
	"breachflow/internal/sms"
)

// Drafting includes the text message in every notice language, exactly as
// the SMS channel sends it (sample link, no person's data), checked with
// sms.Check; it is in the content hash, and the send stage gets these texts
// and no others, under the approved hash only.
func TestSMSDraftsAreApprovedAndSent(t *testing.T) {
	ctx := context.Background()
	db := newMemDB()
	r, a, at := sample(t, "kakaopay-alipay.json")
	reports := reportsFunc(func(context.Context, string) (*report.Report, string, error) { return r, "", nil })
	assessments := assessmentsFunc(func(context.Context, string) (rules.Assessment, error) { return a, nil })
	out, err := (&draft.Handler{Reports: reports, Assessments: assessments, DB: db, Table: "t"}).Handle(ctx, draft.Input{CaseID: "c1", Now: at})
	if err != nil {
		t.Fatal(err)
	}
	ds, hash, err := draft.Load(ctx, db, "t", "c1")
	if err != nil {
		t.Fatal(err)
	}
	if hash != out.ContentHash || draft.ContentHash(ds) != hash {
		t.Fatalf("stored hash %s, drafted %s, recomputed %s", hash, out.ContentHash, draft.ContentHash(ds))
	}
	texts := map[string]draft.Draft{}
	for _, d := range ds {
		if d.Kind == draft.KindSMS {
			texts[d.Locale] = d
		}
	}
	for _, l := range notice.Locales {
		d, ok := texts[l]
		if !ok {
			t.Fatalf("no SMS draft in %s among %d drafts", l, len(ds))
		}
		want, err := sms.Sample(r.Organisation.Name, l)
		if err != nil {
			t.Fatal(err)
		}
		if d.Text != want.String() || !strings.HasSuffix(d.Text, sms.SampleLink) || !strings.Contains(d.Text, r.Organisation.Name) {
			t.Errorf("SMS draft %s = %q, want the channel's text %q", l, d.Text, want.String())
		}
		if len(d.ObligationIDs) == 0 {
			t.Errorf("SMS draft %s names no obligation", l)
		}
		// Without the sample link the text would have to carry every
		// element itself: the check drafting ran refuses it then.
		bare := want
		bare.Link = ""
		refused := false
		for _, duty := range draft.Facts(r, a, at).Duties {
			if duty.Kind != breach.RecipientIndividuals {
				continue
			}
			if err := sms.Check("sms", want, duty); err != nil {
				t.Errorf("the drafted text fails its check: %v", err)
			}
			refused = refused || sms.Check("sms", bare, duty) != nil
		}
		if !refused {
			t.Errorf("sms.Check passes the %s text without its link", l)
		}
	}

	// Removing or changing a text changes the hash the approval binds.
	for i, d := range ds {
		if d.Kind == draft.KindSMS {
			changed := append([]draft.Draft(nil), ds...)
			changed[i].Text += "!"
			if draft.ContentHash(changed) == hash {
				t.Errorf("changing %s leaves the content hash", d.ID)
			}
			if draft.ContentHash(append(append([]draft.Draft(nil), ds[:i]...), ds[i+1:]...)) == hash {
				t.Errorf("dropping %s leaves the content hash", d.ID)
			}
		}
	}

	approved := &draft.Approved{DB: db, Table: "t", Reports: reports, Assessments: assessments}
	got, err := approved.Texts(ctx, "c1", hash)
	if err != nil {
		t.Fatal(err)
	}
	for l, d := range texts {
		if got[l] != d.Text {
			t.Errorf("approved text %s = %q, want the draft's %q", l, got[l], d.Text)
		}
	}
	var un *draft.UnapprovedContent
	for _, h := range []string{"", "0123456789abcdef"} {
		if m, err := approved.Texts(ctx, "c1", h); !errors.As(err, &un) || m != nil {
			t.Errorf("texts under hash %q: %v, %v; want none and *UnapprovedContent", h, m, err)
		}
	}

	// A text changed after approval (stored drafts resealed, as a changed
	// SMS template would draft them) is refused: nothing is sent.
	changed := append([]draft.Draft(nil), ds...)
	for i := range changed {
		if changed[i].Kind == draft.KindSMS && changed[i].Locale == "ko" {
			changed[i].Text = strings.Replace(changed[i].Text, "유출", "노출", 1)
			changed[i].SHA256 = draft.Sum(changed[i])
		}
	}
	if _, err := draft.Store(ctx, db, "t", "c1", changed, at); err != nil {
		t.Fatal(err)
	}
	fresh := &draft.Approved{DB: db, Table: "t", Reports: reports, Assessments: assessments}
	var stale *draft.StaleDraftsError
	if m, err := fresh.Texts(ctx, "c1", hash); (!errors.As(err, &un) && !errors.As(err, &stale)) || m != nil {
		t.Errorf("texts after the SMS draft changed: %v, %v; want a refusal", m, err)
	}
}
