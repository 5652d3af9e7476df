package draft

import (
	"errors"
	"testing"

	"breachflow/internal/delivery"
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
