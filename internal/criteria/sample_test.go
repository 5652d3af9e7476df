package criteria

import (
	"encoding/json"
	"os"
	"testing"

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

// The sample report's criteria must select from the seeded table: the
// report parser and the seed agree on attribute names and types.
func TestSampleReportCompilesAgainstDefaultMapping(t *testing.T) {
	raw, err := os.ReadFile("../../events/reports/kakaopay-alipay.json")
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Scope *Criteria `json:"scope"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatal(err)
	}
	p, err := Compile(r.Scope, usertable.DefaultMapping())
	if err != nil {
		t.Fatal(err)
	}
	if p.Filter == "" {
		t.Error("sample report selects everyone")
	}
}
