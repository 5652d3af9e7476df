package sharedaddr_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"breachflow/internal/casetable"
	"breachflow/internal/sharedaddr"
)

func TestPlan(t *testing.T) {
	for _, tc := range []struct {
		name string
		sum  *sharedaddr.Summary
		want sharedaddr.Plan
	}{
		{"no summary", nil, sharedaddr.Plan{Samples: map[string][]sharedaddr.Sample{}}},
		{
			// Each member's own language for its own people, and the
			// language and reader a notice is actually sent in; keys in
			// either order of codes are one combination.
			"one combination, one reader",
			&sharedaddr.Summary{
				Combinations: map[string]int64{"SG+KR": 1, "KR+SG": 1},
				Notices:      map[string]int64{sharedaddr.NoticeKey("ja", "SG", "KR+SG"): 1},
			},
			sharedaddr.Plan{
				Combinations: []string{"KR+SG"},
				Samples:      map[string][]sharedaddr.Sample{"KR+SG": {{"en", "SG"}, {"ja", "SG"}, {"ko", "KR"}}},
			},
		},
		{
			// A reader outside the combination is replaced by the member
			// who reads the language; what does not parse, or names one
			// jurisdiction, plans nothing.
			"noise",
			&sharedaddr.Summary{
				Combinations: map[string]int64{"KR": 1, "KR+not a code": 1},
				Notices:      map[string]int64{"ko|JP|DE+KR": 1, "en|KR": 1, "x|y": 1, "a|b|c|d": 1},
			},
			sharedaddr.Plan{
				Combinations: []string{"DE+KR"},
				Samples:      map[string][]sharedaddr.Sample{"DE+KR": {{"de", "DE"}, {"ko", "KR"}}},
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, tc.sum.Plan()); diff != "" {
				t.Errorf("Plan (-want +got):\n%s", diff)
			}
		})
	}
}

func TestHolders(t *testing.T) {
	alone := &casetable.Subject{Jurisdiction: "SG", Categories: []string{"email"}}
	if js, cs, shared := sharedaddr.Holders(alone); shared || js != nil || cs != nil {
		t.Errorf("an unshared address: %v %v %v, want nothing", js, cs, shared)
	}
	holder := &casetable.Subject{Jurisdiction: "SG", Categories: []string{"email"},
		HolderJurisdictions: []string{"KR", "SG"}, HolderCategories: []string{"rrn", "email"}}
	js, cs, shared := sharedaddr.Holders(holder)
	if !shared {
		t.Fatal("a holder's address is not reported shared")
	}
	if diff := cmp.Diff([]string{"SG", "KR", "SG"}, js); diff != "" {
		t.Errorf("jurisdictions (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"email", "rrn"}, cs); diff != "" {
		t.Errorf("categories (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"email"}, holder.Categories); diff != "" {
		t.Errorf("Holders changed the subject's own categories:\n%s", diff)
	}
}
