package draft_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"breachflow/internal/breach"
	"breachflow/internal/draft"
	"breachflow/internal/notice"
	"breachflow/internal/report"
	"breachflow/internal/rules"
)

// sample loads an events/reports sample and assesses it as of a day after
// the organisation became aware, when drafting would run.
func sample(t testing.TB, name string) (*report.Report, rules.Assessment, time.Time) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "events", "reports", name))
	if err != nil {
		t.Fatal(err)
	}
	r, err := report.ParseAt(b, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	at := r.Timeline.Aware.Add(24 * time.Hour)
	a, err := rules.Assess(r, nil, at)
	if err != nil {
		t.Fatal(err)
	}
	return r, a, at
}

func TestBuildEverySample(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "events", "reports", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no sample reports: %v", err)
	}
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			r, a, at := sample(t, name)
			ds, err := draft.Build(r, a, at)
			if err != nil {
				t.Fatal(err)
			}
			ids := map[string]bool{}
			kinds := map[draft.Kind]int{}
			for _, d := range ds {
				if ids[d.ID] {
					t.Errorf("duplicate draft id %s", d.ID)
				}
				ids[d.ID] = true
				kinds[d.Kind]++
				if d.SHA256 != draft.Sum(d) {
					t.Errorf("%s: not sealed", d.ID)
				}
				if d.Subject == "" || d.HTML == "" || d.Text == "" || strings.ContainsAny(d.Subject, "\r\n") {
					t.Errorf("%s: subject/body missing or unsafe", d.ID)
				}
				if strings.Contains(d.HTML, r.Submitter) && r.Submitter != "" {
					t.Errorf("%s: carries the submitter's address", d.ID)
				}
			}
			regulators, individuals := 0, false
			for _, o := range a.Obligations {
				if o.Staged() {
					// A second stage is drafted when it falls due, not now.
					if ids["filing-"+strings.ToLower(o.ID)] {
						t.Errorf("staged duty %s drafted with the first notices", o.ID)
					}
					continue
				}
				if o.Required && (o.RecipientKind == breach.RecipientRegulator || o.RecipientKind == breach.RecipientCreditAgency || o.RecipientKind == breach.RecipientOtherEntities) {
					regulators++
					if !ids["filing-"+strings.ToLower(o.ID)] {
						t.Errorf("no filing for %s", o.ID)
					}
				}
				if o.Required && (o.RecipientKind == breach.RecipientMedia || o.RecipientKind == breach.RecipientPublicNotice) && !ids["public-"+strings.ToLower(o.ID)] {
					t.Errorf("no public statement for %s", o.ID)
				}
				individuals = individuals || (o.Required && o.RecipientKind == breach.RecipientIndividuals)
			}
			if kinds[draft.KindFiling] != regulators {
				t.Errorf("%d filings for %d regulator obligations", kinds[draft.KindFiling], regulators)
			}
			if individuals && (kinds[draft.KindNotice] < len(notice.Locales) || kinds[draft.KindSubstitute] < len(notice.Locales)) {
				t.Errorf("notices %d, substitutes %d: want one per locale at least", kinds[draft.KindNotice], kinds[draft.KindSubstitute])
			}
		})
	}
}

// TestBuildFailsWhenAnElementIsMissing asks for elements the documents
// cannot carry and expects drafting to stop with the element and the law.
func TestBuildFailsWhenAnElementIsMissing(t *testing.T) {
	r, a, at := sample(t, "kakaopay-alipay.json")
	r.DelayReason = "" // the sample gives one; this case is about its absence
	for _, tc := range []struct {
		name    string
		kind    breach.RecipientKind
		element breach.Element
		at      time.Time
	}{
		// A Korean notice has no US credit-freeze text.
		{"notice lacks credit freeze", breach.RecipientIndividuals, breach.ElementCreditFreeze, at},
		// A filing made after its deadline without reasons for the delay.
		{"late filing lacks delay reason", breach.RecipientRegulator, breach.ElementDelayReason, at.Add(30 * 24 * time.Hour)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := a
			a.Obligations = append([]rules.Obligation(nil), a.Obligations...)
			var target rules.Obligation
			for i, o := range a.Obligations {
				if o.Required && o.RecipientKind == tc.kind && target.ID == "" {
					a.Obligations[i].Elements = append(append([]breach.Element(nil), o.Elements...), tc.element)
					target = a.Obligations[i]
				}
			}
			if target.ID == "" {
				t.Fatalf("no required %s obligation in the sample", tc.kind)
			}
			_, err := draft.Build(r, a, tc.at)
			var miss *notice.MissingContentElement
			if !errors.As(err, &miss) {
				t.Fatalf("Build = %v, want a MissingContentElement", err)
			}
			if miss.Element != tc.element || miss.ObligationID != target.ID || !strings.Contains(err.Error(), target.Citation) {
				t.Errorf("error %q should name %s, %s and %q", err, tc.element, target.ID, target.Citation)
			}
		})
	}
}

func TestContentHash(t *testing.T) {
	r, a, at := sample(t, "kakaopay-alipay.json")
	ds, err := draft.Build(r, a, at)
	if err != nil {
		t.Fatal(err)
	}
	h := draft.ContentHash(ds)
	again, err := draft.Build(r, a, at)
	if err != nil {
		t.Fatal(err)
	}
	if draft.ContentHash(again) != h {
		t.Error("drafting the same case twice gave a different hash")
	}
	rev := append([]draft.Draft(nil), ds...)
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	if draft.ContentHash(rev) != h {
		t.Error("the hash depends on the order of the drafts")
	}
	edited := append([]draft.Draft(nil), ds...)
	edited[0].Text += "."
	if draft.ContentHash(edited) == h {
		t.Error("an edited draft (not resealed) kept the hash")
	}
	if draft.ContentHash(ds[1:]) == h {
		t.Error("dropping a draft kept the hash")
	}
	later, err := draft.Build(r, a, at.Add(48*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if draft.ContentHash(later) == h {
		t.Error("re-drafting on another date should change the documents' date and the hash")
	}
}

// TestLateFilingCarriesTheReportsDelayReason: with the report's reasons
// for the delay, the same late filing that fails above passes its check
// and carries them.
func TestLateFilingCarriesTheReportsDelayReason(t *testing.T) {
	r, a, at := sample(t, "kakaopay-alipay.json")
	r.DelayReason = "The transfer came to light only in the supervisor's inspection."
	a.Obligations = append([]rules.Obligation(nil), a.Obligations...)
	var target string
	for i, o := range a.Obligations {
		if o.Required && o.RecipientKind == breach.RecipientRegulator && target == "" {
			a.Obligations[i].Elements = append(append([]breach.Element(nil), o.Elements...), breach.ElementDelayReason)
			target = o.ID
		}
	}
	ds, err := draft.Build(r, a, at.Add(30*24*time.Hour))
	if err != nil {
		t.Fatalf("late filing with a delay reason: %v", err)
	}
	for _, d := range ds {
		if d.Kind == draft.KindFiling && slices.Contains(d.ObligationIDs, target) {
			if !strings.Contains(d.HTML, "supervisor&#39;s inspection") && !strings.Contains(d.HTML, "supervisor's inspection") {
				t.Errorf("filing %s does not carry the delay reason", d.ID)
			}
			return
		}
	}
	t.Fatalf("no filing for %s", target)
}

// TestFilingsStateOneCount: once scoping has counted the people found, every
// filing states that count, not the report's estimate next to it; before
// scoping, the estimate is marked as one (issue 19, item 10).
func TestFilingsStateOneCount(t *testing.T) {
	r, _, at := sample(t, "kakaopay-alipay.json")
	pipc := func(a rules.Assessment) string {
		t.Helper()
		ds, err := draft.Build(r, a, at)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ds {
			if d.Kind == draft.KindFiling && slices.ContainsFunc(d.ObligationIDs, func(id string) bool { return strings.HasPrefix(id, "kr-pipa-34-regulator") }) {
				return d.HTML
			}
		}
		t.Fatal("no PIPC filing")
		return ""
	}
	scoped, err := rules.Assess(r, map[breach.Jurisdiction]int{"KR": 1840}, at)
	if err != nil {
		t.Fatal(err)
	}
	if f := draft.Facts(r, scoped, at); f.ByJurisdiction["KR"] != 1840 || f.Estimated {
		t.Errorf("facts of a scoped case: %v, estimated %v", f.ByJurisdiction, f.Estimated)
	}
	html := pipc(scoped)
	if strings.Contains(html, "40,450,000") || !strings.Contains(html, "1,840") || strings.Contains(html, "추정치") {
		t.Error("the scoped PIPC filing mixes the report's estimate with the count of people found")
	}
	estimate, err := rules.Assess(r, nil, at)
	if err != nil {
		t.Fatal(err)
	}
	if html := pipc(estimate); !strings.Contains(html, "40,450,000") || !strings.Contains(html, "추정치") {
		t.Error("an unscoped PIPC filing does not mark the report's count as an estimate")
	}
}

// TestPossibleLeakDrafts follows a PIPA possible-leak case through its
// versions: while open, the customer notices are possibility notices
// (checked for the Decree 39-2(2) items) and nothing goes to PIPC; ruled
// out, the notice tells people nothing leaked; confirmed, the regular
// Art. 34(1) notice and the PIPC report are drafted, and the possibility
// notice is not drafted again.
func TestPossibleLeakDrafts(t *testing.T) {
	r, a, at := sample(t, "kr-possible-leak.json")
	ds, err := draft.Build(r, a, at)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]draft.Draft{}
	for _, d := range ds {
		byID[d.ID] = d
		if d.Kind == draft.KindFiling {
			t.Errorf("open possibility: filing %s drafted; PIPC is told once a leak is confirmed", d.ID)
		}
	}
	for _, id := range []string{"notice-ko-kr", "notice-en-kr"} {
		d, ok := byID[id]
		if !ok {
			t.Fatalf("no %s among %d drafts", id, len(ds))
		}
		for _, want := range []string{`data-element="leak_possibility"`, `data-element="phased_follow_up"`, `data-element="contact_point"`} {
			if !strings.Contains(d.HTML, want) {
				t.Errorf("%s lacks %s", id, want)
			}
		}
		if !slices.Contains(d.ObligationIDs, "kr-pipa-34-2-possibility") {
			t.Errorf("%s meets %v, want the possibility notice", id, d.ObligationIDs)
		}
	}
	if s := byID["notice-ko-kr"].Subject; !strings.Contains(s, "가능성") {
		t.Errorf("Korean subject %q does not say the leak is possible", s)
	}

	resolved := func(outcome report.PossibilityOutcome, ex report.Exfiltration) []draft.Draft {
		t.Helper()
		r2 := *r
		p := *r.PossibleLeak
		when := p.KnownAt.Add(5 * 24 * time.Hour)
		p.Outcome, p.ResolvedAt = outcome, &when
		r2.PossibleLeak, r2.Exfiltration = &p, ex
		at2 := when.Add(time.Hour)
		a2, err := rules.Assess(&r2, nil, at2)
		if err != nil {
			t.Fatal(err)
		}
		ds, err := draft.Build(&r2, a2, at2)
		if err != nil {
			t.Fatal(err)
		}
		return ds
	}
	for _, d := range resolved(report.OutcomeRuledOut, report.ExfiltrationRuledOut) {
		if d.Kind == draft.KindFiling {
			t.Errorf("ruled out: filing %s drafted", d.ID)
		}
		if d.ID == "notice-ko-kr" && (!strings.Contains(d.HTML, `data-element="ruled_out organisation"`) || strings.Contains(d.HTML, "leak_possibility")) {
			t.Errorf("ruled out: the Korean notice is not the closing notice")
		}
	}
	var filed bool
	for _, d := range resolved(report.OutcomeConfirmed, report.ExfiltrationConfirmed) {
		filed = filed || d.ID == "filing-kr-pipa-34-regulator"
		if d.Kind == draft.KindNotice && strings.Contains(d.HTML, "leak_possibility") {
			t.Errorf("confirmed: %s is still a possibility notice", d.ID)
		}
		if d.Kind == draft.KindNotice && slices.Contains(d.ObligationIDs, "kr-pipa-34-2-possibility") {
			t.Errorf("confirmed: %s drafts the possibility notice again", d.ID)
		}
	}
	if !filed {
		t.Error("confirmed: no PIPC report drafted")
	}
}

// The closing notice of a possible leak ruled out reads as a closing
// notice in every language, also to people it reaches as an update of
// their possibility notice: its own subject, no "Update:" and no paragraph
// claiming more of their data was involved. A reader of another law
// still gets a regular update.
func TestClosingNoticeIsNotAnUpdate(t *testing.T) {
	r2, a, at := ruledOut(t)
	p := *r2.PossibleLeak
	set, err := notice.NewNoticeSet(draft.Facts(r2, a, at))
	if err != nil {
		t.Fatal(err)
	}
	earlier := p.KnownAt.Add(time.Hour)
	for _, l := range notice.Locales {
		first, err := set.Render(notice.Recipient{UserID: "u", Locale: l, Jurisdiction: "KR"})
		if err != nil {
			t.Fatal(err)
		}
		update, err := set.Render(notice.Recipient{UserID: "u", Locale: l, Jurisdiction: "KR", UpdateOf: earlier})
		if err != nil {
			t.Fatal(err)
		}
		if !notice.Closing(update.HTML) || update.Subject != first.Subject || update.HTML != first.HTML {
			t.Errorf("%s: the closing notice as an update reads %q, want the closing notice %q as it is", l, update.Subject, first.Subject)
		}
	}
	other, err := set.Render(notice.Recipient{UserID: "u", Locale: "en", Jurisdiction: "US-CA", UpdateOf: earlier})
	if err != nil {
		t.Fatal(err)
	}
	if notice.Closing(other.HTML) || !strings.HasPrefix(other.Subject, "Update: ") {
		t.Errorf("a Californian's update reads %q, want a regular update", other.Subject)
	}
}

// ruledOut is the sample possible-leak case ruled out five days after it
// became known, assessed an hour later.
func ruledOut(t *testing.T) (*report.Report, rules.Assessment, time.Time) {
	t.Helper()
	r, _, _ := sample(t, "kr-possible-leak.json")
	r2 := *r
	p := *r.PossibleLeak
	when := p.KnownAt.Add(5 * 24 * time.Hour)
	p.Outcome, p.ResolvedAt = report.OutcomeRuledOut, &when
	r2.PossibleLeak, r2.Exfiltration = &p, report.ExfiltrationRuledOut
	at := when.Add(time.Hour)
	a, err := rules.Assess(&r2, nil, at)
	if err != nil {
		t.Fatal(err)
	}
	return &r2, a, at
}
