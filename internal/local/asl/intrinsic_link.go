package asl

import "breachflow/internal/local/asl/intrinsic"

// The intrinsic functions live in their own package; the engine uses them
// unless Options.Intrinsic overrides the evaluator.
func init() { defaultIntrinsic = intrinsic.Eval }

func checkIntrinsic(expr string) error {
	_, err := intrinsic.Parse(expr)
	return err
}
