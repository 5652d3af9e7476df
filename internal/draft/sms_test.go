package draft_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"breachflow/internal/breach"
	"breachflow/internal/cases"
	"breachflow/internal/casetable"
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
	reports, assessments := fixed(r, a)
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

// A later version drafts, beside each first text, the update text in the
// same language: the channel's own (sms.SampleUpdate), with the sample
// date once and the sample link, checked against every individuals duty
// and for length; it is keyed for the send stage by sms.UpdateKey and is
// inside the content hash.
func TestSMSUpdateDrafts(t *testing.T) {
	r, a, at := sample(t, "kakaopay-alipay.json")
	ds, err := draft.Build(r, a, at)
	if err != nil {
		t.Fatal(err)
	}
	withUpdates, err := draft.WithTextUpdates(ds, draft.Facts(r, a, at))
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]draft.Draft{}
	for _, d := range withUpdates {
		byID[d.ID] = d
	}
	if len(withUpdates) != len(ds)+len(notice.Locales) {
		t.Errorf("%d drafts with updates, %d without: want one update text per language", len(withUpdates), len(ds))
	}
	texts := map[string]string{}
	for _, l := range notice.Locales {
		d, ok := byID["sms-update-"+l]
		if !ok {
			t.Fatalf("no sms-update-%s", l)
		}
		want, err := sms.SampleUpdate(r.Organisation.Name, l)
		if err != nil {
			t.Fatal(err)
		}
		date, _ := sms.SampleDate(l)
		if d.Kind != draft.KindSMS || d.Text != want.String() || d.Locale != l || d.SHA256 != draft.Sum(d) ||
			strings.Count(d.Text, date) != 1 || !strings.HasSuffix(d.Text, sms.SampleLink) || !strings.Contains(d.Text, r.Organisation.Name) {
			t.Errorf("sms-update-%s = %+v, want the channel's update text %q", l, d, want.String())
		}
		if first := byID["sms-"+l]; !slices.Equal(d.ObligationIDs, first.ObligationIDs) || len(d.ObligationIDs) == 0 {
			t.Errorf("sms-update-%s serves %v, the first text %v", l, d.ObligationIDs, first.ObligationIDs)
		}
		if draft.TextKey(d) != sms.UpdateKey(l) || draft.TextKey(byID["sms-"+l]) != l {
			t.Errorf("keys %q, %q", draft.TextKey(d), draft.TextKey(byID["sms-"+l]))
		}
		if texts[d.Text] != "" {
			t.Errorf("sms-update-%s is the same text as %s's", l, texts[d.Text])
		}
		texts[d.Text] = l
	}
	hash := draft.ContentHash(withUpdates)
	if hash == draft.ContentHash(ds) {
		t.Error("the update texts are outside the content hash")
	}
	for i, d := range withUpdates {
		if strings.HasPrefix(d.ID, "sms-update-") {
			changed := slices.Clone(withUpdates)
			changed[i].Text = strings.Replace(d.Text, sms.SampleLink, "https://evil.example/x", 1)
			if draft.ContentHash(changed) == hash {
				t.Errorf("changing %s leaves the content hash", d.ID)
			}
		}
	}
	// An organisation name that pushes a text over its limit stops drafting.
	long := draft.Facts(r, a, at)
	long.Org.Name = strings.Repeat("가", 1000)
	if _, err := draft.WithTextUpdates(ds, long); err == nil {
		t.Error("an update text over the LMS limit was drafted")
	}
}

// draftsWithDuty builds the drafts of r, also by id, and returns the
// assessed duty that asks for element; it stops the test when none does.
func draftsWithDuty(t *testing.T, r *report.Report, a rules.Assessment, at time.Time, element breach.Element) ([]draft.Draft, map[string]draft.Draft, notice.Duty) {
	t.Helper()
	ds, err := draft.Build(r, a, at)
	if err != nil {
		t.Fatal(err)
	}
	var duty notice.Duty
	for _, d := range draft.Facts(r, a, at).Duties {
		if slices.Contains(d.Elements, element) {
			duty = d
		}
	}
	if duty.ID == "" {
		t.Fatalf("no duty asking for %s assessed", element)
	}
	byID := map[string]draft.Draft{}
	for _, d := range ds {
		byID[d.ID] = d
	}
	return ds, byID, duty
}

// A possible leak ruled out: its Korean readers get the closing text, in
// every language, checked against the closing duty (which the first text
// fails); nobody's first text serves the closing duty, and no update
// draft is made of the closing notice.
func TestClosingTextsForRuledOut(t *testing.T) {
	r2, a, at := ruledOut(t)
	ds, byID, closingDuty := draftsWithDuty(t, r2, a, at, breach.ElementRuledOut)
	for _, l := range notice.Locales {
		d, ok := byID["sms-closing-kr-"+l]
		if !ok {
			t.Fatalf("no closing text in %s", l)
		}
		want, _ := sms.SampleClosing(r2.Organisation.Name, l)
		if d.Text != want.String() || d.Jurisdiction != "KR" || !slices.Equal(d.ObligationIDs, []string{closingDuty.ID}) {
			t.Errorf("sms-closing-kr-%s = %+v, want the closing text for KR's closing duty", l, d)
		}
		if draft.TextKey(d) != sms.ClosingKey("KR", l) {
			t.Errorf("closing text key %q", draft.TextKey(d))
		}
		if slices.Contains(byID["sms-"+l].ObligationIDs, closingDuty.ID) {
			t.Errorf("the first text in %s claims the closing duty", l)
		}
		first, _ := sms.Sample(r2.Organisation.Name, l)
		if sms.Check("first", first, closingDuty) == nil {
			t.Errorf("the first text in %s passes the closing duty's check", l)
		}
	}
	updated, err := draft.WithUpdates(ds, 2, at.Add(-72*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	closings, notices, updates := 0, 0, 0
	for _, d := range updated {
		switch {
		case strings.HasSuffix(d.ID, "-update-v2"):
			updates++
			if notice.Closing(d.HTML) {
				t.Errorf("%s: the closing notice drafted as an update (%q)", d.ID, d.Subject)
			}
		case d.Kind == draft.KindNotice && notice.Closing(d.HTML):
			closings++
			notices++
		case d.Kind == draft.KindNotice:
			notices++
		}
	}
	if closings == 0 || updates != notices-closings {
		t.Errorf("%d notices, %d closing, %d update drafts: want an update of each notice but the closing ones", notices, closings, updates)
	}
}

// While a PIPA leak is only possible, its readers get the possibility
// text in every language, checked against the possibility duty (which the
// first text, saying a leak happened, fails).
func TestPossibilityTexts(t *testing.T) {
	r, a, at := sample(t, "kr-possible-leak.json")
	ds, byID, duty := draftsWithDuty(t, r, a, at, breach.ElementLeakPossibility)
	for _, d := range ds {
		if strings.HasPrefix(d.ID, "sms-closing-") {
			t.Errorf("%s drafted while the leak is open", d.ID)
		}
	}
	for _, l := range notice.Locales {
		d, ok := byID["sms-possibility-kr-"+l]
		if !ok {
			t.Fatalf("no possibility text in %s", l)
		}
		want, _ := sms.SamplePossibility(r.Organisation.Name, l)
		if d.Text != want.String() || draft.TextKey(d) != sms.PossibilityKey("KR", l) || !slices.Equal(d.ObligationIDs, []string{duty.ID}) {
			t.Errorf("sms-possibility-kr-%s = %+v, want the possibility text for KR's possibility duty", l, d)
		}
		if slices.Contains(byID["sms-"+l].ObligationIDs, duty.ID) {
			t.Errorf("the first text in %s claims the possibility duty", l)
		}
		first, _ := sms.Sample(r.Organisation.Name, l)
		if sms.Check("first", first, duty) == nil {
			t.Errorf("the first text in %s passes the possibility duty's check", l)
		}
	}
}

// secondVersion is the case store as drafting reads it for version 2 of a
// case whose version 1 was sent at sent.
type secondVersion struct {
	r    *report.Report
	sent time.Time
}

func (v secondVersion) Report(context.Context, string) (*report.Report, string, error) {
	return v.r, "", nil
}

func (v secondVersion) WorkingSet(_ context.Context, caseID string) (string, error) {
	return casetable.SetID(caseID, 2), nil
}

func (v secondVersion) Get(context.Context, string) (cases.Case, error) {
	return cases.Case{SentVersions: []int{1}, SentAt: map[string]time.Time{"1": v.sent}}, nil
}

// Version 2 of a case drafts the update texts; the send stage gets them
// under their keys only under the approved hash, and an update text
// changed after approval sends nothing.
func TestSMSUpdateTextsAreApprovedAndSent(t *testing.T) {
	ctx := context.Background()
	db := newMemDB()
	r, a, at := sample(t, "kakaopay-alipay.json")
	reports := secondVersion{r: r, sent: at.Add(-48 * time.Hour)}
	assessments := assessmentsFunc(func(context.Context, string) (rules.Assessment, error) { return a, nil })
	out, err := (&draft.Handler{Reports: reports, Assessments: assessments, DB: db, Table: "t"}).Handle(ctx, draft.Input{CaseID: "c1", Now: at})
	if err != nil {
		t.Fatal(err)
	}
	ds, hash, err := draft.Load(ctx, db, "t", "c1")
	if err != nil || hash != out.ContentHash {
		t.Fatalf("load: %v (hash %s, drafted %s)", err, hash, out.ContentHash)
	}
	approved := &draft.Approved{DB: db, Table: "t", Reports: reports, Assessments: assessments}
	texts, err := approved.Texts(ctx, "c1", hash)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range notice.Locales {
		want, _ := sms.SampleUpdate(r.Organisation.Name, l)
		if texts[sms.UpdateKey(l)] != want.String() {
			t.Errorf("approved update text %s = %q, want %q", l, texts[sms.UpdateKey(l)], want.String())
		}
		first, _ := sms.Sample(r.Organisation.Name, l)
		if texts[l] != first.String() {
			t.Errorf("approved first text %s = %q", l, texts[l])
		}
	}
	changed := slices.Clone(ds)
	for i := range changed {
		if changed[i].ID == "sms-update-en" {
			changed[i].Text = strings.Replace(changed[i].Text, "has changed", "has not changed", 1)
			changed[i].SHA256 = draft.Sum(changed[i])
		}
	}
	if _, err := draft.Store(ctx, db, "t", "c1", changed, at); err != nil {
		t.Fatal(err)
	}
	var un *draft.UnapprovedContent
	var stale *draft.StaleDraftsError
	fresh := &draft.Approved{DB: db, Table: "t", Reports: reports, Assessments: assessments}
	if m, err := fresh.Texts(ctx, "c1", hash); (!errors.As(err, &un) && !errors.As(err, &stale)) || m != nil {
		t.Errorf("texts after the update text changed: %v, %v; want a refusal", m, err)
	}
}
