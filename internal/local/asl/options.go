package asl

import "github.com/aws/aws-lambda-go/lambda"

// IntrinsicEvaluator evaluates an intrinsic function call such as
// `States.Format('x{}', $.a)`. resolve looks up a JSONPath ($... or $$...)
// argument. Values are JSON values as decoded by encoding/json with
// UseNumber: map[string]any, []any, string, json.Number, bool, nil.
type IntrinsicEvaluator func(expr string, resolve func(path string) (any, error)) (any, error)

// Options configure how machines run.
type Options struct {
	// Clock is the time source; nil means RealClock.
	Clock Clock
	// Functions resolves Lambda functions by name (the last segment of an
	// ARN; "name:alias" and full ARNs resolve to the same entry).
	Functions map[string]lambda.Handler
	// Intrinsic evaluates States.* calls in Parameters; nil uses the default.
	Intrinsic IntrinsicEvaluator
	// Region and Account fill ARNs the engine makes up (Lambda responses,
	// Map Run ARNs); defaults us-east-1 and 123456789012.
	Region, Account string
	// Rand draws jitter for Retry JitterStrategy FULL; nil uses math/rand.
	Rand func() float64
	// SpecErrorNames reports States.ParameterPathFailure and
	// States.IntrinsicFailure by those names, as the ASL specification
	// describes. By default they are reported as States.Runtime, as AWS does
	// today (the developer guide lists them as reserved). A Choice state
	// that matches nothing fails with States.NoChoiceMatched either way, as
	// in AWS.
	SpecErrorNames bool
}
