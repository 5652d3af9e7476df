package scope

import (
	"encoding/json"
	"testing"

	"breachflow/internal/breach"
	"breachflow/internal/usertable"
)

// BenchmarkCompile is the cost of turning a report's criteria into a plan,
// paid once per segment.
func BenchmarkCompile(b *testing.B) {
	var c Criteria
	if err := json.Unmarshal([]byte(`{"all":[{"attr":"payment_service","op":"=","value":"kakaopay"},{"attr":"overseas_transfer","op":"=","value":true},{"attr":"signup_at","op":"within","to":"2024-05-01T00:00:00Z"},{"not":{"attr":"country","op":"in","value":["US","DE","FR"]}}]}`), &c); err != nil {
		b.Fatal(err)
	}
	m := usertable.DefaultMapping()
	for b.Loop() {
		if _, err := Compile(&c, m); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadPerson is scoping's own work per matched user, before any
// write: mapping, normalising, intersecting categories, hashing the address.
func BenchmarkReadPerson(b *testing.B) {
	m := usertable.DefaultMapping()
	item := usertable.Generate(1, 12345).Item()
	report := []breach.Category{breach.CategoryCreditInfo, breach.CategoryDeviceID, breach.CategoryEmail, breach.CategoryPhone, breach.CategoryTransactions}
	var sum setSum
	for b.Loop() {
		p := read(m, item, report)
		sum.addMember(p.id, AddressHash("case", p.email))
	}
}
