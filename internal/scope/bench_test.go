package scope

import (
	"testing"

	"breachflow/internal/breach"
	"breachflow/internal/usertable"
)

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
