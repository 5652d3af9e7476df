package delta

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"

	"breachflow/internal/casetable"
	"breachflow/internal/report"
	"breachflow/internal/sharedaddr"
)

//go:embed mustknow.json
var mustKnowJSON []byte

// Regime is one entry of mustknow.json: which report fields a regime's
// individual notice states.
type Regime struct {
	ID            string   `json:"id"`
	Jurisdictions []string `json:"jurisdictions"`
	Citation      string   `json:"citation"`
	Fields        []string `json:"fields"`
}

var regimes = sync.OnceValues(func() ([]Regime, error) {
	var doc struct {
		Regimes []Regime `json:"regimes"`
	}
	if err := json.Unmarshal(mustKnowJSON, &doc); err != nil {
		return nil, fmt.Errorf("mustknow.json: %w", err)
	}
	if len(doc.Regimes) == 0 || len(doc.Regimes[len(doc.Regimes)-1].Jurisdictions) != 0 {
		return nil, fmt.Errorf("mustknow.json: the last regime must be the default (no jurisdictions)")
	}
	return doc.Regimes, nil
})

// Regimes returns the table of mustknow.json.
func Regimes() ([]Regime, error) { return regimes() }

// RegimeOf is the regime whose notice a person of jurisdiction j reads:
// the first that lists j or its country, else the default.
func RegimeOf(j string) (Regime, error) {
	rs, err := regimes()
	if err != nil {
		return Regime{}, err
	}
	country, _, _ := strings.Cut(j, "-")
	for _, r := range rs {
		if slices.Contains(r.Jurisdictions, j) || slices.Contains(r.Jurisdictions, country) {
			return r, nil
		}
	}
	return rs[len(rs)-1], nil
}

// Facts are one report version's notice facts, hashed per regime.
type Facts struct {
	doc      map[string]any
	mu       sync.Mutex
	byRegime map[string]string
}

// FactsOf reads the notice facts of a report version.
func FactsOf(r *report.Report) (*Facts, error) {
	raw, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("notice facts: %w", err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("notice facts: %w", err)
	}
	return &Facts{doc: doc, byRegime: map[string]string{}}, nil
}

// Of hashes the facts regime rg's notice states.
func (f *Facts) Of(rg Regime) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if h, ok := f.byRegime[rg.ID]; ok {
		return h
	}
	h := sha256.New()
	for _, path := range rg.Fields {
		v, _ := json.Marshal(lookup(f.doc, path))
		fmt.Fprintf(h, "%s=%s\n", path, v)
	}
	s := hex.EncodeToString(h.Sum(nil))
	f.byRegime[rg.ID] = s
	return s
}

func lookup(doc map[string]any, path string) any {
	var cur any = doc
	for part := range strings.SplitSeq(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[part]
	}
	return cur
}

// MustKnow hashes what the law says person s must be told under a report
// version whose facts are f: their regime's notice facts and the data
// their notice lists (their own, or every holder's of a shared address).
// Equal hashes mean a notice under one version tells them all a notice
// under the other would.
func MustKnow(s *casetable.Subject, f *Facts) (string, error) {
	cats := slices.Clone(s.Categories)
	juris := []string{s.Jurisdiction}
	if js, cs, shared := sharedaddr.Holders(s); shared {
		cats, juris = slices.Clone(cs), js
	}
	slices.Sort(cats)
	h := sha256.New()
	fmt.Fprintf(h, "categories=%s\n", strings.Join(cats, ","))
	seen := map[string]bool{}
	slices.Sort(juris)
	for _, j := range juris {
		r, err := RegimeOf(j)
		if err != nil {
			return "", err
		}
		if !seen[r.ID] {
			seen[r.ID] = true
			fmt.Fprintf(h, "%s=%s\n", r.ID, f.Of(r))
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// closingOnly reports whether, under these facts, a person of jurisdiction
// j who was never notified is owed nothing: a possible leak that was ruled
// out, for readers of Korea's PIPA, whose notice is then only the closing
// one to those told of the possibility (Decree Art. 39-3(3)).
func (f *Facts) closingOnly(j string) bool {
	country, _, _ := strings.Cut(j, "-")
	return country == "KR" && lookup(f.doc, "possible_leak.outcome") == "ruled_out"
}
