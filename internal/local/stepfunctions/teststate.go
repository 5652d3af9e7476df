package stepfunctions

import (
	"context"
	"errors"

	"breachflow/internal/local/asl"
)

// TestStateInput is the input of TestState: one state (or a whole machine
// and StateName) run in isolation, as AWS's TestState API does.
type TestStateInput struct {
	Definition string
	StateName  string
	// Input, Context and Variables are JSON text; "" means none.
	Input, Context, Variables string
	// InspectionLevel is INFO (default), DEBUG or TRACE.
	InspectionLevel string
	Mock            *asl.TestMock
	// RetrierRetryCount is StateConfiguration.RetrierRetryCount.
	RetrierRetryCount int
}

// TestState runs one state with the service's Lambda functions (unless
// mocked) and reports its status, output, next state and, at DEBUG or
// TRACE, its data flow. A bad definition is InvalidDefinition; any other
// bad request is ValidationException.
func (s *Service) TestState(ctx context.Context, in TestStateInput) (*asl.TestStateResult, error) {
	var req asl.TestStateInput
	req.Definition, req.StateName, req.InspectionLevel, req.Mock = []byte(in.Definition), in.StateName, in.InspectionLevel, in.Mock
	req.RetrierRetryCount = in.RetrierRetryCount
	for _, f := range []struct {
		name, text string
		dst        func(any) bool
	}{
		{"input", in.Input, func(v any) bool { req.Input = v; return true }},
		{"context", in.Context, func(v any) bool { m, ok := v.(map[string]any); req.Context = m; return ok }},
		{"variables", in.Variables, func(v any) bool { m, ok := v.(map[string]any); req.Variables = m; return ok }},
	} {
		if f.text == "" {
			continue
		}
		v, err := asl.DecodeJSON([]byte(f.text))
		if err != nil || !f.dst(v) {
			return nil, apiErr(CodeValidationException, "1 validation error detected: Value at '%s' failed to satisfy constraint: Member must be a JSON %s", f.name, map[bool]string{true: "value", false: "object"}[f.name == "input"])
		}
	}
	res, err := asl.TestState(ctx, req, asl.Options{Clock: s.clock, Functions: s.opts.Functions, Intrinsic: s.opts.Intrinsic,
		Region: s.opts.Region, Account: s.opts.Account})
	if err != nil {
		var de *asl.DefinitionError
		if errors.As(err, &de) {
			return nil, apiErr(CodeInvalidDefinition, "Invalid State Machine Definition: '%v'", err)
		}
		return nil, apiErr(CodeValidationException, "%v", err)
	}
	return res, nil
}
