package sfnapi_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/google/go-cmp/cmp"

	"breachflow/internal/local/asl/intrinsic"
	"breachflow/internal/local/sfnapi"
	"breachflow/internal/local/stepfunctions"
)

// quote prices an item at ten per character of its SKU.
func quote(_ context.Context, in struct {
	SKU  string `json:"sku"`
	Case string `json:"case"`
}) (map[string]any, error) {
	return map[string]any{"price": 10 * len(in.SKU), "case": in.Case}, nil
}

// startPricingStack serves a Service with the quote function on a free
// loopback port and returns a Go SDK client for it and its base URL.
func startPricingStack(t *testing.T) (*sfn.Client, string) {
	t.Helper()
	svc, err := stepfunctions.New(stepfunctions.Options{Functions: map[string]lambda.Handler{"quote": lambda.NewHandler(quote)}, Intrinsic: intrinsic.Eval})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := sfnapi.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sfnapi.ServeListener(ctx, ln, sfnapi.NewHandler(svc, nil)) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("ServeListener: %v", err)
		}
		if err := svc.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	url := "http://" + ln.Addr().String()
	return engineClient(url), url
}

func pricingDefinition(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("testdata/pricing-jsonata.asl.json")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The Go SDK creates, runs and inspects a JSONata state machine with
// variables on the local API, unchanged.
func TestJSONataStateMachineThroughTheSDK(t *testing.T) {
	ctx := context.Background()
	c, _ := startPricingStack(t)
	created, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("pricing"),
		Definition: aws.String(pricingDefinition(t)), RoleArn: aws.String("arn:aws:iam::123456789012:role/sfn")})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ input, output string }{
		{`{"caseId":"c-7","items":["abc","defgh"]}`, `{"caseId":"c-7","escalated":false,"total":80}`},
		{`{"caseId":"c-8","items":["abcdefghijkl"]}`, `{"caseId":"c-8","escalated":true,"total":120}`},
	} {
		started, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: created.StateMachineArn, Input: aws.String(tc.input)})
		if err != nil {
			t.Fatal(err)
		}
		d := waitStatus(t, c, started.ExecutionArn)
		if d.Status != types.ExecutionStatusSucceeded || aws.ToString(d.Output) != tc.output {
			t.Fatalf("%s: %s %s %s, want SUCCEEDED %s", tc.input, d.Status, aws.ToString(d.Output), aws.ToString(d.Cause), tc.output)
		}
		h, err := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: started.ExecutionArn, MaxResults: 1000})
		if err != nil {
			t.Fatal(err)
		}
		var assigned map[string]string
		for _, ev := range h.Events {
			if ev.Type == types.HistoryEventTypePassStateExited && aws.ToString(ev.StateExitedEventDetails.Name) == "Remember" {
				assigned = ev.StateExitedEventDetails.AssignedVariables
			}
		}
		want := map[string]string{"caseId": `"` + tc.input[11:14] + `"`, "threshold": "100"}
		if diff := cmp.Diff(want, assigned); diff != "" {
			t.Errorf("Remember's assignedVariables (-want +got):\n%s", diff)
		}
	}
}

// A failing expression fails the execution with States.QueryEvaluationError
// and records AWS's EvaluationFailed event.
func TestEvaluationFailedThroughTheSDK(t *testing.T) {
	ctx := context.Background()
	c, _ := startPricingStack(t)
	created, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("undefined"), RoleArn: aws.String("arn:aws:iam::123456789012:role/sfn"),
		Definition: aws.String(`{"QueryLanguage":"JSONata","StartAt":"State0","States":{"State0":{"Type":"Pass","Assign":{"result":"{% $doesNotExist %}"},"End":true}}}`)})
	if err != nil {
		t.Fatal(err)
	}
	started, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: created.StateMachineArn})
	if err != nil {
		t.Fatal(err)
	}
	d := waitStatus(t, c, started.ExecutionArn)
	const cause = "An error occurred while executing the state 'State0' (entered at the event id #2). The JSONata expression '$doesNotExist' specified for the field 'Assign/result' returned nothing (undefined)."
	if d.Status != types.ExecutionStatusFailed || aws.ToString(d.Error) != "States.QueryEvaluationError" || aws.ToString(d.Cause) != cause {
		t.Fatalf("got %s %s %q", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
	}
	h, err := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: started.ExecutionArn})
	if err != nil {
		t.Fatal(err)
	}
	var types_ []types.HistoryEventType
	for _, ev := range h.Events {
		types_ = append(types_, ev.Type)
	}
	want := []types.HistoryEventType{types.HistoryEventTypeExecutionStarted, types.HistoryEventTypePassStateEntered, types.HistoryEventTypeEvaluationFailed, types.HistoryEventTypeExecutionFailed}
	if diff := cmp.Diff(want, types_); diff != "" {
		t.Fatalf("events (-want +got):\n%s", diff)
	}
	ef := h.Events[2].EvaluationFailedEventDetails
	if ef == nil || aws.ToString(ef.Location) != "Assign/result" || aws.ToString(ef.State) != "State0" || aws.ToString(ef.Cause) != cause {
		t.Errorf("EvaluationFailed details = %+v", ef)
	}
}

// Bad definitions get AWS's error code and a message naming the state and
// the field.
func TestBadJSONataDefinitionsThroughTheSDK(t *testing.T) {
	ctx := context.Background()
	c, _ := startPricingStack(t)
	for _, tc := range []struct{ definition, message string }{
		{`{"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Pass","Assign":{"states":1},"End":true}}}`,
			"Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: The variable name 'states' is reserved at /States/P/Assign/states'"},
		{`{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"x":"{% $states.input %}"},"End":true}}}`,
			"Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: The JSONata expression '$states.input' is not supported when QueryLanguage is JSONPath"},
		{`{"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Pass","OutputPath":"$.a","End":true}}}`,
			"Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: Field 'OutputPath' is not supported when QueryLanguage is JSONata at /States/P/OutputPath'"},
	} {
		_, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("bad"), Definition: aws.String(tc.definition), RoleArn: aws.String("arn:aws:iam::123456789012:role/sfn")})
		var inv *types.InvalidDefinition
		if !errors.As(err, &inv) || !strings.HasPrefix(inv.ErrorMessage(), tc.message) {
			t.Errorf("CreateStateMachine error = %v, want InvalidDefinition %q", err, tc.message)
		}
	}
}

// withoutHostPrefix turns off the "sync-" host prefix that the SDKs put
// before the endpoint of TestState (and StartSyncExecution): against a
// local endpoint such as 127.0.0.1 the prefixed name does not resolve. This
// is the one client option a program needs to call TestState locally.
func withoutHostPrefix(o *sfn.Options) {
	o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
		return s.Initialize.Add(middleware.InitializeMiddlewareFunc("LocalNoHostPrefix",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				return next.HandleInitialize(smithyhttp.DisableEndpointHostPrefix(ctx, true), in)
			}), middleware.Before)
	})
}

// TestState runs through the Go SDK's sfn client: a mocked Task with
// variables at DEBUG, a retriable error, a Choice on variables.
func TestTestStateThroughTheSDK(t *testing.T) {
	ctx := context.Background()
	_, url := startPricingStack(t)
	c := sfn.New(engineClient(url).Options(), withoutHostPrefix)
	def := pricingDefinition(t)
	got, err := c.TestState(ctx, &sfn.TestStateInput{Definition: aws.String(def), StateName: aws.String("Quote"),
		Input: aws.String(`{"sku":"abc","case":"c-1"}`), InspectionLevel: types.InspectionLevelDebug,
		Mock: &types.MockInput{Result: aws.String(`{"StatusCode":200,"Payload":{"price":7}}`)}})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != types.TestExecutionStatusSucceeded || aws.ToString(got.Output) != `{"price":7}` ||
		aws.ToString(got.InspectionData.AfterArguments) != `{"FunctionName":"quote","Payload":{"case":"c-1","sku":"abc"}}` {
		t.Errorf("mocked Quote: %s %s %+v", got.Status, aws.ToString(got.Output), got.InspectionData)
	}
	// Without a mock, TestState calls the function itself.
	got, err = c.TestState(ctx, &sfn.TestStateInput{Definition: aws.String(def), StateName: aws.String("Quote"), Input: aws.String(`{"sku":"abcd","case":"c-1"}`)})
	if err != nil || aws.ToString(got.Output) != `{"case":"c-1","price":40}` || got.InspectionData != nil {
		t.Errorf("Quote for real: %v %+v", err, got)
	}
	got, err = c.TestState(ctx, &sfn.TestStateInput{Definition: aws.String(def), StateName: aws.String("Big?"),
		Variables: aws.String(`{"total":120,"threshold":100}`), InspectionLevel: types.InspectionLevelTrace})
	if err != nil || aws.ToString(got.NextState) != "Escalate" || aws.ToString(got.InspectionData.Variables) != `{"threshold":100,"total":120}` {
		t.Errorf("Big? on variables: %v %+v", err, got)
	}
	got, err = c.TestState(ctx, &sfn.TestStateInput{InspectionLevel: types.InspectionLevelDebug,
		Definition:         aws.String(`{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"quote"},"Retry":[{"ErrorEquals":["States.ALL"],"IntervalSeconds":3}],"End":true}`),
		Mock:               &types.MockInput{ErrorOutput: &types.MockErrorOutput{Error: aws.String("Lambda.ServiceException"), Cause: aws.String("busy")}},
		StateConfiguration: &types.TestStateConfiguration{RetrierRetryCount: aws.Int32(1)}})
	if err != nil || got.Status != types.TestExecutionStatusRetriable || aws.ToString(got.Error) != "Lambda.ServiceException" ||
		aws.ToInt32(got.InspectionData.ErrorDetails.RetryBackoffIntervalSeconds) != 6 {
		t.Errorf("retriable: %v %+v", err, got)
	}
	_, err = c.TestState(ctx, &sfn.TestStateInput{Definition: aws.String(`{"QueryLanguage":"JSONata","Type":"Pass","InputPath":"$","End":true}`)})
	var inv *types.InvalidDefinition
	if !errors.As(err, &inv) {
		t.Errorf("a JSONPath field in a JSONata state: %v, want InvalidDefinition", err)
	}
	_, err = c.TestState(ctx, &sfn.TestStateInput{Definition: aws.String(`{"Type":"Pass","End":true}`), Mock: &types.MockInput{Result: aws.String(`{}`)}})
	var ve *types.ValidationException
	if !errors.As(err, &ve) {
		t.Errorf("a mock for a Pass state: %v, want ValidationException", err)
	}
}

// TestState's members cross the wire with AWS's names (the fake echoes the
// request into the response).
func TestTestStateShapes(t *testing.T) {
	_, _, url := serveFake(t)
	c := sfn.New(engineClient(url).Options(), withoutHostPrefix)
	got, err := c.TestState(context.Background(), &sfn.TestStateInput{Definition: aws.String(`{"Type":"Pass","End":true}`),
		StateName: aws.String("Next1"), Input: aws.String(`{"a":1}`), Variables: aws.String(`{"v":2}`), InspectionLevel: types.InspectionLevelDebug})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != types.TestExecutionStatusRetriable || aws.ToString(got.Output) != `{"a":1}` || aws.ToString(got.NextState) != "Next1" ||
		aws.ToString(got.Error) != "E" || aws.ToString(got.Cause) != "C" || aws.ToString(got.InspectionData.Input) != `{"a":1}` ||
		aws.ToString(got.InspectionData.Variables) != `{"v":2}` || aws.ToInt32(got.InspectionData.ErrorDetails.RetryIndex) != 1 {
		t.Errorf("TestState = %+v %+v", got, got.InspectionData)
	}
	_, err = c.TestState(context.Background(), &sfn.TestStateInput{Definition: aws.String(`{}`), InspectionLevel: "LOUD"})
	var ve *types.ValidationException
	if !errors.As(err, &ve) {
		t.Errorf("inspectionLevel LOUD: %v, want ValidationException", err)
	}
}
