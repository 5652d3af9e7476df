package usertable

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDefaultMappingResolves(t *testing.T) {
	m := DefaultMapping()
	tests := []struct {
		name, attr string
		typ        Type
	}{
		{"id", "user_id", TypeString},
		{"user_id", "user_id", TypeString},
		{"email", "email", TypeString},
		{"categories", "data_held", TypeSet},
		{"data_held", "data_held", TypeSet},
		{"payment_service", "payment_service", TypeString},
		{"overseas_transfer", "overseas_transfer", TypeBool},
		{"signup_at", "signup_at", TypeTime},
		{"age", "age", TypeNumber},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			attr, a, ok := m.Resolve(tt.name)
			if !ok || attr != tt.attr || a.Type != tt.typ {
				t.Errorf("Resolve(%q) = %q, %v, %v; want %q, %v", tt.name, attr, a.Type, ok, tt.attr, tt.typ)
			}
		})
	}
	if _, _, ok := m.Resolve("countyr"); ok {
		t.Error("unknown attribute resolved")
	}
}

func TestParseMappingRejects(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"email":"e"}`, "mapping.id: missing"},
		{`{"id":"u","emial":"e"}`, `unknown field "emial"`},
		{`{"id":"u","attributes":{"email":{"type":"string"}}}`, `mapping.attributes.email: "email" is a logical name`},
		{`{"id":"u","attributes":{"a":{"type":"date"}}}`, `mapping.attributes.a.type: unknown type "date"`},
		{`{"id":"u","attributes":{"a":{"type":"time","format":"iso"}}}`, `mapping.attributes.a.format: unknown time format "iso"`},
		{`{"id":"u","attributes":{"a":{"type":"number","format":"unix"}}}`, `mapping.attributes.a.format: only time attributes have a format`},
		{`{"id":"u","categories":{"always":["ssn"]}}`, `mapping.categories.always[0]: unknown data category "ssn"`},
		{`{"id":"u","categories":{"per_category":{"ssn":"x"}}}`, `unknown data category "ssn"`},
		{`{"id":"u","subdivision_countries":["us"]}`, `mapping.subdivision_countries[0]`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := ParseMapping([]byte(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want it to contain %s", err, tt.want)
			}
		})
	}
}

func TestLoadMapping(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.json")
	if err := os.WriteFile(path, defaultMapping, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, src := range []string{"", string(defaultMapping), path} {
		m, err := LoadMapping(src)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(DefaultMapping(), m); diff != "" {
			t.Errorf("LoadMapping(%.20q) (-want +got):\n%s", src, diff)
		}
	}
	if _, err := LoadMapping(filepath.Join(t.TempDir(), "absent.json")); err == nil {
		t.Error("missing file loaded")
	}
}

func TestSubdivided(t *testing.T) {
	m := &Mapping{ID: "u"}
	if !m.Subdivided("US") || m.Subdivided("KR") {
		t.Error("default subdivision countries wrong")
	}
	m.SubdivisionCountries = []string{"KR"}
	if m.Subdivided("US") || !m.Subdivided("KR") {
		t.Error("configured subdivision countries ignored")
	}
}
