package usertable

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"

	"breachflow/internal/breach"
)

// Type is how an attribute is stored in the user table.
type Type string

// Attribute types criteria can compare against.
const (
	TypeString Type = "string"
	TypeNumber Type = "number"
	TypeBool   Type = "bool"
	TypeTime   Type = "time" // stored as Format says
	TypeSet    Type = "set"  // a string or number set (or a list): "contains" tests membership
)

// Time formats of a TypeTime attribute.
const (
	TimeRFC3339 = "rfc3339" // string, UTC, "2006-01-02T15:04:05Z" (the default)
	TimeUnix    = "unix"    // number of seconds since 1970
	TimeUnixMs  = "unix_ms" // number of milliseconds since 1970
)

// Attribute describes a selectable attribute of the user table.
type Attribute struct {
	// Name is the attribute's name in the table; empty means the key it is
	// declared under.
	Name   string `json:"name,omitempty"`
	Type   Type   `json:"type"`
	Format string `json:"format,omitempty"` // time only
}

// Categories says which data categories the company holds for a person.
// Any combination of the three ways may be used; a person holds the union.
type Categories struct {
	// Attribute names a string set or list of breach.Category names.
	Attribute string `json:"attribute,omitempty"`
	// PerCategory maps a category to an attribute whose presence (and not
	// false, empty or zero) means the company holds it.
	PerCategory map[breach.Category]string `json:"per_category,omitempty"`
	// Always lists categories held for everyone.
	Always []breach.Category `json:"always,omitempty"`
}

// Empty reports whether the mapping says nothing about categories.
func (c Categories) Empty() bool {
	return c.Attribute == "" && len(c.PerCategory) == 0 && len(c.Always) == 0
}

// Mapping tells breachflow which attributes of the customer's user table
// hold what it needs. See the package documentation for its JSON.
type Mapping struct {
	ID    string `json:"id"`
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"`
	// Postal names the attribute holding the person's postal address, its
	// lines separated by newlines (the postal export prints them as
	// given).
	Postal     string               `json:"postal,omitempty"`
	Locale     string               `json:"locale,omitempty"`
	Country    string               `json:"country,omitempty"`
	Region     string               `json:"region,omitempty"`
	Name       string               `json:"name,omitempty"`
	Categories Categories           `json:"categories,omitzero"`
	Attributes map[string]Attribute `json:"attributes,omitempty"`
	// SubdivisionCountries are the countries whose law is set per state or
	// province, so that their people's jurisdiction is "US-CA" rather than
	// "US". Empty means US, CA and AU.
	SubdivisionCountries []string `json:"subdivision_countries,omitempty"`
	// DefaultLocale is used when a person has no locale and their country
	// suggests none. Empty means "en".
	DefaultLocale string `json:"default_locale,omitempty"`
	// Indexes are global secondary indexes of the user table (projecting
	// ALL attributes) that scoping queries instead of scanning when the
	// criteria pin their partition key.
	Indexes []Index `json:"indexes,omitempty"`
}

// Index is a global secondary index of the user table.
type Index struct {
	Name string `json:"name"`
	// PartitionKey is the criteria name (see Resolve) of the index's hash
	// key, a string or number attribute.
	PartitionKey string `json:"partition_key"`
}

// logical lists the logical names and the mapping field each resolves to.
func (m *Mapping) logical() map[string]string {
	return map[string]string{
		"id": m.ID, "email": m.Email, "phone": m.Phone, "postal": m.Postal, "locale": m.Locale,
		"country": m.Country, "region": m.Region, "name": m.Name,
		"categories": m.Categories.Attribute,
	}
}

// Resolve returns the table attribute a criteria name refers to and its
// type. It accepts a logical name, a key of Attributes, or the raw name a
// logical field maps to; ok is false for anything else.
func (m *Mapping) Resolve(name string) (attr string, a Attribute, ok bool) {
	logical := m.logical()
	if raw := logical[name]; raw != "" {
		return raw, m.typeOf(name, raw), true
	}
	if a, ok := m.Attributes[name]; ok {
		if a.Name == "" {
			a.Name = name
		}
		return a.Name, a, true
	}
	for l, raw := range logical {
		if raw != "" && raw == name {
			return raw, m.typeOf(l, raw), true
		}
	}
	return "", Attribute{}, false
}

func (m *Mapping) typeOf(logical, raw string) Attribute {
	if logical == "categories" {
		return Attribute{Name: raw, Type: TypeSet}
	}
	return Attribute{Name: raw, Type: TypeString}
}

// Names lists every name criteria may use, sorted, for error messages.
func (m *Mapping) Names() []string {
	var names []string
	for l, raw := range m.logical() {
		if raw != "" {
			names = append(names, l)
		}
	}
	for k := range m.Attributes {
		names = append(names, k)
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// Validate checks the mapping: an id attribute, known types and formats,
// known categories, and no attribute declared under a logical name.
func (m *Mapping) Validate() error {
	if m.ID == "" {
		return fmt.Errorf("mapping.id: missing: name the attribute that holds the user id")
	}
	logical := m.logical()
	for k, a := range m.Attributes {
		if _, clash := logical[k]; clash {
			return fmt.Errorf("mapping.attributes.%s: %q is a logical name; map it at the top level", k, k)
		}
		switch a.Type {
		case TypeString, TypeNumber, TypeBool, TypeSet:
			if a.Format != "" {
				return fmt.Errorf("mapping.attributes.%s.format: only time attributes have a format", k)
			}
		case TypeTime:
			switch a.Format {
			case "", TimeRFC3339, TimeUnix, TimeUnixMs:
			default:
				return fmt.Errorf("mapping.attributes.%s.format: unknown time format %q (want rfc3339, unix or unix_ms)", k, a.Format)
			}
		default:
			return fmt.Errorf("mapping.attributes.%s.type: unknown type %q (want string, number, bool, time or set)", k, a.Type)
		}
	}
	for c, attr := range m.Categories.PerCategory {
		if !c.Valid() {
			return fmt.Errorf("mapping.categories.per_category: unknown data category %q", c)
		}
		if attr == "" {
			return fmt.Errorf("mapping.categories.per_category.%s: missing attribute name", c)
		}
	}
	for i, c := range m.Categories.Always {
		if !c.Valid() {
			return fmt.Errorf("mapping.categories.always[%d]: unknown data category %q", i, c)
		}
	}
	for i, ix := range m.Indexes {
		if ix.Name == "" {
			return fmt.Errorf("mapping.indexes[%d].name: missing", i)
		}
		_, a, ok := m.Resolve(ix.PartitionKey)
		if !ok || (a.Type != TypeString && a.Type != TypeNumber) {
			return fmt.Errorf("mapping.indexes[%d].partition_key: %q is not a string or number attribute of the mapping", i, ix.PartitionKey)
		}
	}
	for i, c := range m.SubdivisionCountries {
		if len(c) != 2 || strings.ToUpper(c) != c {
			return fmt.Errorf("mapping.subdivision_countries[%d]: want an upper-case ISO 3166 country code, got %q", i, c)
		}
	}
	return nil
}

// Subdivided reports whether people of country get a state-level
// jurisdiction.
func (m *Mapping) Subdivided(country string) bool {
	if len(m.SubdivisionCountries) == 0 {
		return country == "US" || country == "CA" || country == "AU"
	}
	return slices.Contains(m.SubdivisionCountries, country)
}

// ParseMapping decodes and validates a mapping; unknown fields are errors,
// since a misspelt field would silently map nothing.
func ParseMapping(b []byte) (*Mapping, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	var m Mapping
	if err := d.Decode(&m); err != nil {
		return nil, fmt.Errorf("user mapping: %w", err)
	}
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("user mapping: %w", err)
	}
	return &m, nil
}

// LoadMapping reads a mapping from s, which holds either the JSON itself
// (starting with "{") or the path of a file that does. Empty s gives the
// DefaultMapping of the synthetic table.
func LoadMapping(s string) (*Mapping, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return DefaultMapping(), nil
	case strings.HasPrefix(s, "{"):
		return ParseMapping([]byte(s))
	}
	b, err := os.ReadFile(s)
	if err != nil {
		return nil, fmt.Errorf("user mapping: %w", err)
	}
	return ParseMapping(b)
}

//go:embed default_mapping.json
var defaultMapping []byte

// DefaultMapping describes the table that Seed writes.
func DefaultMapping() *Mapping {
	m, err := ParseMapping(defaultMapping)
	if err != nil {
		panic(err) // the embedded file is tested
	}
	return m
}

// IndexOn returns the index whose partition key is the table attribute
// attr, if any.
func (m *Mapping) IndexOn(attr string) (Index, bool) {
	for _, ix := range m.Indexes {
		if a, _, ok := m.Resolve(ix.PartitionKey); ok && a == attr {
			return ix, true
		}
	}
	return Index{}, false
}
