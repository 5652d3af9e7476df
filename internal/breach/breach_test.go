package breach

import "testing"

func TestParseJurisdiction(t *testing.T) {
	for _, tc := range []struct {
		in, want, country, sub string
		wantErr                bool
	}{
		{in: "KR", want: "KR", country: "KR"},
		{in: " us-ca ", want: "US-CA", country: "US", sub: "CA"},
		{in: "AU-NSW", want: "AU-NSW", country: "AU", sub: "NSW"},
		{in: "K", wantErr: true},
		{in: "KOR", wantErr: true},
		{in: "US-", wantErr: true},
		{in: "US-CALI", wantErr: true},
		{in: "1R", wantErr: true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			j, err := ParseJurisdiction(tc.in)
			if (err != nil) != tc.wantErr {
				t.Fatalf("ParseJurisdiction(%q) error = %v, want error %v", tc.in, err, tc.wantErr)
			}
			if tc.wantErr {
				return
			}
			if string(j) != tc.want || j.Country() != tc.country || j.Subdivision() != tc.sub {
				t.Errorf("got %q (country %q, sub %q), want %q (%q, %q)", j, j.Country(), j.Subdivision(), tc.want, tc.country, tc.sub)
			}
		})
	}
}

func TestVocabulariesAreClosedAndUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range Categories() {
		if seen[string(c)] || !c.Valid() {
			t.Errorf("category %q duplicated or invalid", c)
		}
		seen[string(c)] = true
	}
	if _, err := ParseCategory("shoe_size"); err == nil {
		t.Error("ParseCategory accepted a word outside the vocabulary")
	}
	seen = map[string]bool{}
	for _, e := range Elements() {
		if seen[string(e)] || !e.Valid() {
			t.Errorf("element %q duplicated or invalid", e)
		}
		seen[string(e)] = true
	}
	if Element("vibes").Valid() || RecipientKind("everyone").Valid() {
		t.Error("unknown element or recipient kind reported valid")
	}
}
