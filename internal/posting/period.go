package posting

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"breachflow/internal/breach"
	"breachflow/internal/rules"
)

// Rule is how long one regime requires a posted notice to stay up.
type Rule struct {
	Regime string `json:"regime"`
	// Days is the minimum period; 0 means the law allows the posting but
	// the research found no period for it.
	Days         int    `json:"days"`
	Verification string `json:"verification"` // V, S or UNVERIFIED, as the rulebook marks it
	Citation     string `json:"citation"`
	Text         string `json:"rule"`
}

type ruleFile struct {
	FloorDays   int    `json:"floor_days"`
	FloorReason string `json:"floor_reason"`
	Rules       []Rule `json:"rules"`
}

//go:embed periods.json
var periodsJSON []byte

var periods = func() ruleFile {
	var f ruleFile
	if err := json.Unmarshal(periodsJSON, &f); err != nil {
		panic(fmt.Sprintf("posting: periods.json: %v", err))
	}
	return f
}()

// Rules returns every posting-period rule, as periods.json holds them.
func Rules() []Rule { return slices.Clone(periods.Rules) }

// Period is how long a case's posted notices must stay up, and why.
type Period struct {
	Days int `json:"days" dynamodbav:"days"`
	// Basis is the rule that sets Days (the longest), or empty when the
	// floor applies; Considered are every applicable rule, for the record.
	Basis      *Rule  `json:"basis,omitempty" dynamodbav:"basis,omitempty"`
	Considered []Rule `json:"considered" dynamodbav:"considered"`
	// Floor says why Days is the policy floor, when no rule gives more.
	Floor string `json:"floor,omitempty" dynamodbav:"floor,omitempty"`
}

// Until is when a page posted at posted may come down.
func (p Period) Until(posted time.Time) time.Time {
	return posted.Add(time.Duration(p.Days) * 24 * time.Hour)
}

// Cites renders the basis for a log line or a pack: "30 days: PIPA
// Enforcement Decree Art. 39(3) [V]".
func (p Period) Cites() string {
	if p.Basis == nil {
		return fmt.Sprintf("%d days: %s", p.Days, p.Floor)
	}
	return fmt.Sprintf("%d days: %s [%s]", p.Days, p.Basis.Citation, p.Basis.Verification)
}

// PeriodFor is the longest period any regime of the case's required
// duties to people or the public requires (individuals, public notice,
// media): posting is the substitute for one of those. A case whose
// regimes state no period keeps its pages for the floor.
func PeriodFor(a rules.Assessment) Period {
	seen := map[string]bool{}
	p := Period{Considered: []Rule{}}
	for _, o := range a.Obligations {
		if !o.Required || seen[o.Regime] {
			continue
		}
		switch o.RecipientKind {
		case breach.RecipientIndividuals, breach.RecipientPublicNotice, breach.RecipientMedia:
		default:
			continue
		}
		seen[o.Regime] = true
		for _, r := range periods.Rules {
			if r.Regime != o.Regime {
				continue
			}
			p.Considered = append(p.Considered, r)
			if r.Days > p.Days {
				p.Days, p.Basis = r.Days, &r
			}
		}
	}
	if p.Days < periods.FloorDays && p.Basis == nil {
		p.Days, p.Floor = periods.FloorDays, periods.FloorReason
	}
	slices.SortFunc(p.Considered, func(a, b Rule) int { return b.Days - a.Days })
	return p
}
