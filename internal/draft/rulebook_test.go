package draft_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"breachflow/internal/breach"
	"breachflow/internal/draft"
	"breachflow/internal/email"
	"breachflow/internal/notice"
	"breachflow/internal/rules"
)

// TestEveryRuleOfTheRulebookIsDraftable renders, for every duty of every
// regime in the rulebook, the document drafting would make for it, from a
// case where every fact is known, and checks it for the duty's elements:
// no element list in the rulebook asks for content the templates cannot
// carry.
func TestEveryRuleOfTheRulebookIsDraftable(t *testing.T) {
	regimes, err := rules.Regimes()
	if err != nil {
		t.Fatal(err)
	}
	r, a, at := sample(t, "us-multistate-exfiltration.json")
	f := draft.Facts(r, a, at)
	f.Phased = true
	f.LawEnforcementDelay = true
	f.DelayReason = "The affected systems had to be restored before the scope could be known."
	f.Risk = "ENISA: high"
	f.MeasuresForIndividuals = []string{"24 months of identity protection services, free of charge"}
	for _, rg := range regimes {
		j := "US"
		if len(rg.Jurisdictions) > 0 {
			j = rg.Jurisdictions[0]
		}
		if j == "EU" {
			j = "DE"
		}
		for _, rule := range rg.Obligations {
			d := notice.Duty{ID: rule.ID, Regime: rg.ID, Jurisdiction: breach.Jurisdiction(j), Kind: rule.RecipientKind,
				RecipientName: rule.RecipientName, Required: true, Citation: rule.Citation, Elements: rule.Elements,
				Locale: rg.Language, Phase: rule.Phase.Stage}
			if rule.StageOf != "" {
				// A second stage names the filing it follows up.
				d.FirstFiling = &notice.FirstFiling{ObligationID: rule.StageOf, SentAt: at.Add(-72 * time.Hour), Reference: "0100018f-first"}
			}
			f := f
			switch {
			case slices.Contains(rule.Elements, breach.ElementLeakPossibility):
				f.Possibility = &notice.Possibility{Circumstance: "unlawful_access", KnownAt: at.Add(-24 * time.Hour)}
			case slices.Contains(rule.Elements, breach.ElementRuledOut):
				f.Possibility = &notice.Possibility{Circumstance: "unlawful_access", KnownAt: at.Add(-96 * time.Hour), Outcome: "ruled_out", ResolvedAt: at}
			}
			t.Run(rule.ID, func(t *testing.T) {
				var miss *notice.MissingContentElement
				check := func(doc string, m email.Message, err error) {
					t.Helper()
					if err == nil {
						err = notice.Check(doc, m.HTML, d)
					}
					if errors.As(err, &miss) {
						t.Errorf("%s: %v", doc, err)
					} else if err != nil {
						t.Fatal(err)
					}
				}
				switch d.Kind {
				case breach.RecipientRegulator, breach.RecipientCreditAgency, breach.RecipientOtherEntities:
					if d.Kind != breach.RecipientRegulator {
						d.Form = "generic"
					}
					m, err := notice.Filing(f, d)
					check("filing", m, err)
				case breach.RecipientIndividuals:
					set := setWith(t, f, d)
					for _, l := range notice.Locales {
						m, err := set.Render(notice.Recipient{Name: "X", Locale: l, Jurisdiction: j, Categories: f.Categories})
						check("notice "+l, m, err)
					}
				case breach.RecipientMedia, breach.RecipientPublicNotice:
					m, err := setWith(t, f, d).Substitute(notice.ResolveLocale("", j), j)
					check("public notice", m, err)
				}
			})
		}
	}
}

// setWith is the notice set of a case that has duty d among its duties.
func setWith(t *testing.T, f notice.CaseFacts, d notice.Duty) *notice.NoticeSet {
	t.Helper()
	f.Duties = append(append([]notice.Duty(nil), f.Duties...), d)
	set, err := notice.NewNoticeSet(f)
	if err != nil {
		t.Fatal(err)
	}
	return set
}
