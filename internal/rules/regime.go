package rules

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"gopkg.in/yaml.v3"

	"breachflow/internal/breach"
)

//go:embed regimes/*.yaml
var regimeFS embed.FS

// Regime is one law's breach-notification rules, as written in
// regimes/<id>.yaml.
type Regime struct {
	ID       string `yaml:"id"`
	Name     string `yaml:"name"`
	Citation string `yaml:"citation"`
	// Jurisdictions whose residents the regime protects: a country ("KR"
	// matches KR and KR-xx), a subdivision ("US-CA"), or "EU" for every
	// EU/EEA state. Empty with Sector set means the regime follows the
	// organisation, not the residents (SEC, NYDFS, FTC).
	Jurisdictions []string `yaml:"jurisdictions"`
	// Follows is "residence" (default: the law of each affected person's
	// home applies) or "organisation" (the law follows the organisation:
	// SEC, NYDFS, FTC, HIPAA's federal duties); then Jurisdictions[0] only
	// labels the obligations.
	Follows string `yaml:"follows"`
	// Sector names an organisation.sector flag that must be true.
	Sector string `yaml:"sector"`
	// General: the regime is its jurisdictions' general breach law even
	// though a sector flag limits whom it binds (Australia's APP
	// entities), so people it covers are not "unknown jurisdictions".
	General bool `yaml:"general"`
	// Reach "establishment": an organisation established where the
	// regime applies owes its duties for everyone affected, wherever they
	// live (GDPR Art. 3(1)). Empty: residence only.
	Reach string `yaml:"reach"`
	// EffectiveFrom is when the duty began; breaches whose clock starts
	// earlier are assessed as BeforeEffective says.
	EffectiveFrom Date `yaml:"effective_from"`
	// BeforeEffective is "not_in_force" (the law did not yet apply: no
	// duty) or "not_modelled" (an earlier law applied that the rulebook
	// does not hold: a human must check).
	BeforeEffective string `yaml:"before_effective"`
	Language        string `yaml:"language"`
	TimeZone        string `yaml:"time_zone"`
	// Holidays names the public-holiday calendar for business days
	// ("BR", "US"); empty when the regime counts no business days.
	Holidays     string       `yaml:"holidays"`
	Verification Verification `yaml:"verification"`
	// RiskBased regimes use the severity assessment (Risk) in conditions.
	RiskBased bool `yaml:"risk_based"`
	// Trigger must hold for any duty of the regime (the US "personal
	// information" definition, HIPAA's PHI); TriggerText says it in words.
	Trigger     Condition `yaml:"trigger"`
	TriggerText string    `yaml:"trigger_text"`
	// Exempt, when it holds, lifts every duty of the regime (the encryption
	// safe harbour of the US states and HIPAA).
	Exempt     Condition `yaml:"exempt"`
	ExemptText string    `yaml:"exempt_text"`
	// Exceptions lift every duty of the regime like Exempt, each with its
	// own words, so the rationale names the one that applied (HIPAA's
	// three exclusions from "breach", 45 CFR 164.402(1)(i)-(iii)).
	Exceptions []Exception `yaml:"exceptions"`
	// Needs lists report fields a triggered regime cannot do without.
	Needs []string `yaml:"needs"`
	// Escalate is a question for counsel raised when Condition holds.
	Escalate    []Escalation `yaml:"escalate"`
	Obligations []Rule       `yaml:"obligations"`
	// Authorities maps each member state to its supervisory authority
	// (GDPR regimes with per_state obligations).
	Authorities map[string]Authority `yaml:"authorities"`
	Notes       []string             `yaml:"notes"`

	loc *time.Location
}

// Escalation is a question the rulebook raises rather than decides.
type Escalation struct {
	When     Condition `yaml:"when"`
	Question string    `yaml:"question"`
}

// Exception is one case in which a regime's duties do not arise.
type Exception struct {
	When Condition `yaml:"when"`
	// Text says why, with its citation, for the rationale.
	Text string `yaml:"text"`
}

// Authority is one supervisory authority.
type Authority struct {
	Name     string `yaml:"name"`
	Language string `yaml:"language"`
	Channel  string `yaml:"channel"`
}

// Rule is one duty of a regime, possibly in several versions over time.
type Rule struct {
	ID            string               `yaml:"id"`
	RecipientKind breach.RecipientKind `yaml:"recipient_kind"`
	RecipientName string               `yaml:"recipient_name"`
	Channel       string               `yaml:"channel"`
	Citation      string               `yaml:"citation"`
	Verification  Verification         `yaml:"verification"`
	// PerState: one obligation per affected jurisdiction of the regime
	// (EU member state, US state for HIPAA media notice).
	PerState bool `yaml:"per_state"`
	// Authority: "lead_or_each" sends a GDPR authority notice to the lead
	// authority with a main establishment, else to each state's authority.
	Authority string    `yaml:"authority"`
	When      Condition `yaml:"when"`
	// WhenText explains When in words, for the rationale.
	WhenText   string           `yaml:"when_text"`
	Unless     Condition        `yaml:"unless"`
	UnlessText string           `yaml:"unless_text"`
	Deadline   Deadline         `yaml:"deadline"`
	Elements   []breach.Element `yaml:"elements"`
	Phase      Phase            `yaml:"phase"`
	// StageOf names the rule of the same regime whose duty this one
	// follows up (a second stage: Japan's final report, GDPR Art. 33(4)
	// information in phases). The duty is required only when the first
	// stage is, and the workflow drafts it when it falls due.
	StageOf string `yaml:"stage_of"`
	// Merge names a group of duties from different regimes that one notice
	// can satisfy: they share the earliest deadline of the group.
	Merge string   `yaml:"merge"`
	Notes []string `yaml:"notes"`
	// From/To restrict this version of the rule to clock starts in
	// [From, To); a rule id may appear once per version.
	From Date `yaml:"from"`
	To   Date `yaml:"to"`
}

// Date is a calendar date in a regime file (YYYY-MM-DD), as midnight UTC.
type Date struct{ time.Time }

// UnmarshalYAML parses YYYY-MM-DD.
func (d *Date) UnmarshalYAML(n *yaml.Node) error {
	t, err := time.Parse(time.DateOnly, n.Value)
	if err != nil {
		return fmt.Errorf("line %d: date %q: want YYYY-MM-DD", n.Line, n.Value)
	}
	d.Time = t
	return nil
}

// Regimes returns every regime of the embedded rulebook, sorted by id. They
// are parsed and checked once; the error is the first file that fails.
func Regimes() ([]*Regime, error) { return loaded() }

var loaded = sync.OnceValues(func() ([]*Regime, error) { return LoadFS(regimeFS, "regimes") })

// LoadFS reads and checks every *.yaml regime under dir of fsys. Tests use
// it on testdata; the program uses the embedded rulebook.
func LoadFS(fsys fs.FS, dir string) ([]*Regime, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	var out []*Regime
	seen := map[string]string{}
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		rg, err := ParseRegime(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if want := strings.TrimSuffix(path.Base(name), ".yaml"); rg.ID != want {
			return nil, fmt.Errorf("%s: id %q must match the file name", name, rg.ID)
		}
		for _, r := range rg.Obligations {
			if other, dup := seen[r.ID]; dup && other != rg.ID {
				return nil, fmt.Errorf("%s: rule id %q also in %s", name, r.ID, other)
			}
			seen[r.ID] = rg.ID
		}
		out = append(out, rg)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// ParseRegime decodes one regime file strictly and checks it.
func ParseRegime(data []byte) (*Regime, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var rg Regime
	if err := dec.Decode(&rg); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	if err := rg.check(); err != nil {
		return nil, err
	}
	return &rg, nil
}
