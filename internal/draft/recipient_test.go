package draft

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"breachflow/internal/breach"
	"breachflow/internal/casetable"
	"breachflow/internal/notice"
)

func TestRecipient(t *testing.T) {
	s := &casetable.Subject{UserID: "u1", Name: "N", Email: "e@example.com", Locale: "ko", Jurisdiction: "KR", Categories: []string{"email", "rrn"}}
	want := notice.Recipient{UserID: "u1", Name: "N", Email: "e@example.com", Locale: "ko", Jurisdiction: "KR", Categories: []breach.Category{breach.CategoryEmail, breach.CategoryRRN}}
	if diff := cmp.Diff(want, recipient(s)); diff != "" {
		t.Errorf("unshared (-want +got):\n%s", diff)
	}
	s.HolderJurisdictions, s.HolderCategories = []string{"KR", "SG"}, []string{"credit_information", "email"}
	want.Holders = []string{"KR", "KR", "SG"}
	want.Categories = []breach.Category{breach.CategoryCreditInfo, breach.CategoryEmail, breach.CategoryRRN}
	if diff := cmp.Diff(want, recipient(s)); diff != "" {
		t.Errorf("a shared address's holder (-want +got):\n%s", diff)
	}
}
