package intrinsic_test

import (
	"testing"

	"breachflow/internal/local/asl/intrinsic"
)

func BenchmarkEvalFormat(b *testing.B) {
	resolve := func(string) (any, error) { return "case-123", nil }
	for b.Loop() {
		if _, err := intrinsic.Eval(`States.Format('CASE#{}#S#{}', $.caseId, States.MathAdd(1, 2))`, resolve); err != nil {
			b.Fatal(err)
		}
	}
}
