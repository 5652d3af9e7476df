package asl_test

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

// CustomError is routed on by name, as breachflow's handlers' errors are.
type CustomError struct{ msg string }

func (e *CustomError) Error() string { return e.msg }

// ValueError is a non-pointer error type.
type ValueError struct{}

func (ValueError) Error() string { return "value error" }

// testFunctions are the Lambda handlers the conformance definitions call.
func testFunctions() map[string]lambda.Handler {
	return map[string]lambda.Handler{
		"HelloFunction": lambda.NewHandler(func(in struct{ Who string }) (string, error) {
			return "Hello, " + in.Who + "!", nil
		}),
		"emr": lambda.NewHandler(func() (map[string]any, error) {
			return map[string]any{"resourceType": "elasticmapreduce", "resource": "createCluster.sync", "output": map[string]any{
				"SdkHttpMetadata": map[string]any{"HttpStatusCode": 200}, "SdkResponseMetadata": map[string]any{"RequestId": "1234"},
				"ClusterId": "AKIAIOSFODNN7EXAMPLE"}}, nil
		}),
		"custom-error": lambda.NewHandler(func() error { return &CustomError{"This is a custom error!"} }),
		"other-error":  lambda.NewHandler(func() error { return errors.New("plain") }),
		"value-error":  lambda.NewHandler(func() error { return ValueError{} }),
		"wrapped":      lambda.NewHandler(func() error { return fmt.Errorf("op: %w", &CustomError{"x"}) }),
		"panics":       lambda.NewHandler(func() error { panic("boom") }),
		"huge":         lambda.NewHandler(func() (string, error) { return strings.Repeat("x", 300*1024), nil }),
		"echo":         lambda.NewHandler(func(v any) (any, error) { return v, nil }),
		"lambda-ctx": lambda.NewHandler(func(ctx context.Context) (map[string]any, error) {
			lc, ok := lambdacontext.FromContext(ctx)
			_, hasDeadline := ctx.Deadline()
			return map[string]any{"ok": ok && lc.AwsRequestID != "", "arn": lc.InvokedFunctionArn, "deadline": hasDeadline}, nil
		}),
	}
}
