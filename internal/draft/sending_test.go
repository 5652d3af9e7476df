package draft

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"breachflow/internal/breach"
	"breachflow/internal/casetable"
	"breachflow/internal/delivery"
	"breachflow/internal/notice"
)

func TestFilingAddresses(t *testing.T) {
	d := Draft{ID: "filing-kr-pipa", ObligationIDs: []string{"kr-pipa-34-regulator", "kr-ciupa-39-4-regulator"}, Recipient: "PIPC / KISA"}
	for _, tc := range []struct {
		name, json, want string
	}{
		{"obligation id first", `{"kr-ciupa-39-4-regulator":"fss@example.org","PIPC / KISA":"pipc@example.org","*":"x@example.org"}`, "fss@example.org"},
		{"then regulator name", `{"PIPC / KISA":"pipc@example.org","*":"x@example.org"}`, "pipc@example.org"},
		{"then the fallback with the id", `{"*":"filings+{id}@regulators.example.org"}`, "filings+filing-kr-pipa@regulators.example.org"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := ParseFilingAddresses(tc.json)
			if err != nil {
				t.Fatal(err)
			}
			got, err := f.For(d)
			if err != nil || got != tc.want {
				t.Errorf("For = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
	_, err := FilingAddresses{}.For(d)
	var bad *delivery.SendConfigInvalid
	if !errors.As(err, &bad) {
		t.Errorf("no address configured: got %v, want SendConfigInvalid so the filing is not dropped", err)
	}
	if _, err := ParseFilingAddresses("[1]"); err == nil {
		t.Error("accepted a JSON array")
	}
}

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
