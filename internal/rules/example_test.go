package rules_test

import (
	"fmt"
	"os"
	"time"

	"breachflow/internal/report"
	"breachflow/internal/rules"
)

// Assess the Kakao Pay sample as its responders would have on the morning
// after they became aware: both Korean laws apply and merge to 72 hours.
func ExampleAssess() {
	data, _ := os.ReadFile("../../events/reports/kakaopay-alipay.json")
	now := time.Date(2024, 8, 14, 0, 0, 0, 0, time.UTC)
	r, err := report.ParseAt(data, now)
	if err != nil {
		fmt.Println(err)
		return
	}
	a, err := rules.Assess(r, nil, now)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, o := range a.Obligations {
		if o.Required && !o.DueAt.IsZero() {
			fmt.Println(o.DueAt.Format(time.RFC3339), o.ID, o.Verification)
		}
	}
	// Output:
	// 2024-08-16T09:00:00+09:00 kr-ciupa-39-4-individuals S
	// 2024-08-16T09:00:00+09:00 kr-ciupa-39-4-regulator V
	// 2024-08-16T09:00:00+09:00 kr-pipa-34-individuals S
	// 2024-08-16T09:00:00+09:00 kr-pipa-34-regulator S
}
