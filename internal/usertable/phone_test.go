package usertable_test

import (
	"errors"
	"testing"

	"breachflow/internal/sms"
	"breachflow/internal/usertable"
)

// TestGeneratedPhonesAreValid: the synthetic population's numbers are real
// mobile numbers in shape, so a refused text in the demo means what it says
// (a country without a sender), never a generator slip. Countries the SMS
// channel does not know (Ireland, the Netherlands) are refused as such.
func TestGeneratedPhonesAreValid(t *testing.T) {
	seen := map[string]bool{}
	for i := range 5000 {
		u := usertable.Generate(7, i)
		if u.Phone == "" {
			continue
		}
		_, err := sms.ParseNumber("phone", u.Phone, u.Country)
		var fe *sms.FieldError
		switch {
		case err == nil:
			seen[u.Country] = true
		case errors.As(err, &fe) && fe.Code == "unknown_country" && (u.Country == "IE" || u.Country == "NL"):
		default:
			t.Fatalf("user %d (%s): %v", i, u.Country, err)
		}
	}
	for _, c := range []string{"KR", "US", "DE", "FR", "JP", "SG"} {
		if !seen[c] {
			t.Errorf("no valid number generated for %s", c)
		}
	}
}
