package rules_test

import (
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"breachflow/internal/breach"
	"breachflow/internal/rules"
)

// TestRegimesComplete checks what the loader cannot: every regime file has
// a comment line naming its research, and every rule's verification mark
// and recipient are usable downstream.
func TestRegimesComplete(t *testing.T) {
	rgs, err := rules.Regimes()
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, rg := range rgs {
		ids[rg.ID] = true
		for _, r := range rg.Obligations {
			if !r.RecipientKind.Valid() {
				t.Errorf("%s: bad recipient kind", r.ID)
			}
			for _, e := range r.Elements {
				if !e.Valid() {
					t.Errorf("%s: bad element %q", r.ID, e)
				}
			}
		}
	}
	// The regimes the issue names must all be there.
	for _, id := range []string{"kr-pipa", "kr-ciupa", "eu-gdpr", "uk-gdpr", "jp-appi", "sg-pdpa", "au-ndb", "ca-pipeda",
		"br-lgpd", "in-dpdp", "cn-pipl", "us-hipaa", "us-nydfs", "us-sec", "us-ftc",
		"us-ca", "us-tx", "us-fl", "us-ny", "us-il", "us-pa", "us-oh", "us-ga", "us-nc", "us-mi", "us-nj", "us-va", "us-wa", "us-az", "us-ma", "us-co"} {
		if !ids[id] {
			t.Errorf("regime %s missing", id)
		}
	}
}

func TestLoadGoodAndBad(t *testing.T) {
	good, err := rules.LoadFS(fstestFS("testdata/good/xx-test.yaml"), "testdata/good")
	if err != nil || len(good) != 1 {
		t.Fatalf("good: %v", err)
	}
	base := mustRead(t, "testdata/good/xx-test.yaml")
	tests := []struct{ name, from, to, wantErr string }{
		{"unknown field", "verification: V\nobligations:", "verification: V\ncolour: red\nobligations:", "colour"},
		{"bad element", "elements: [nature]", "elements: [nature, vibes]", "vibes"},
		{"bad recipient", "recipient_kind: individuals", "recipient_kind: pets", "pets"},
		{"bad clock", "clock: aware", "clock: moon", "moon"},
		{"two periods", "hours: 48}", "hours: 48, days: 2}", "at most one"},
		{"business days without holidays", "hours: 48}", "business_days: 2}", "holidays"},
		{"bad verification", "verification: V\nobligations", "verification: maybe\nobligations", "verification"},
		{"bad time zone", "time_zone: UTC", "time_zone: Mars/Olympus", "time_zone"},
		{"bad category", "when_text: always", "when: {categories_any: [shoe_size]}\n    when_text: always", "shoe_size"},
		{"unless without text", "when_text: always", "when_text: always\n    unless: {data_retrieved: true}", "unless_text"},
		{"id not the file name", "id: xx-test", "id: xx-other", "file name"},
		{"bad date", "effective_from: 2020-01-01", "effective_from: 1 Jan 2020", "YYYY-MM-DD"},
		{"bad reach", "verification: V\nobligations:", "verification: V\nreach: everywhere\nobligations:", "reach"},
		{"exception without text", "verification: V\nobligations:", "verification: V\nexceptions: [{when: {accessed_any: [\"no\"]}}]\nobligations:", "exceptions[0]"},
		{"bad recipient kind", "when_text: always", "when: {recipient_any: [martians]}\n    when_text: always", "martians"},
		{"bad accessed", "when_text: always", "when: {accessed_any: [perhaps]}\n    when_text: always", "perhaps"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(base, tt.from) {
				t.Fatalf("fixture lacks %q", tt.from)
			}
			fsys := fstest.MapFS{"d/xx-test.yaml": {Data: []byte(strings.Replace(base, tt.from, tt.to, 1))}}
			_, err := rules.LoadFS(fsys, "d")
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("got %v, want an error mentioning %q", err, tt.wantErr)
			}
		})
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func fstestFS(paths ...string) fstest.MapFS {
	m := fstest.MapFS{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			panic(err)
		}
		m[p] = &fstest.MapFile{Data: b}
	}
	return m
}

// TestKoreanRegulatorNamesReadAsKorean: a regulator's name is printed
// inside the Korean filing's sentences ("...에 신고하였습니다"), so a choice
// between two bodies is joined with 또는, never with an English "or".
func TestKoreanRegulatorNamesReadAsKorean(t *testing.T) {
	rgs, err := rules.Regimes()
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, rg := range rgs {
		if rg.Language != "ko" {
			continue
		}
		for _, r := range rg.Obligations {
			if r.RecipientKind != breach.RecipientRegulator {
				continue
			}
			seen++
			if strings.Contains(" "+r.RecipientName+" ", " or ") {
				t.Errorf("%s: regulator name %q joins Korean names with an English \"or\"", r.ID, r.RecipientName)
			}
		}
	}
	if seen == 0 {
		t.Fatal("no Korean regulator duty found")
	}
}
