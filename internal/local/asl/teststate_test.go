package asl_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"breachflow/internal/local/asl"
)

func intp(n int) *int { return &n }

func TestTestState(t *testing.T) {
	const lambdaTask = `{"QueryLanguage": "JSONata", "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
	  "Arguments": {"FunctionName": "GetPrice", "Payload": {"product": "{% $states.input.product %}", "region": "{% $region %}"}},
	  "Assign": {"currentPrice": "{% $states.result.Payload.price %}"},
	  "Output": "{% $states.result.Payload %}",
	  "Retry": [{"ErrorEquals": ["Lambda.ServiceException"], "IntervalSeconds": 2, "BackoffRate": 3, "MaxAttempts": 2}],
	  "Catch": [{"ErrorEquals": ["States.ALL"], "Output": {"failed": "{% $states.errorOutput.Error %}"}, "Next": "HandleError"}],
	  "Next": "CheckPrice"}`
	tests := []struct {
		name string
		in   asl.TestStateInput
		want asl.TestStateResult
	}{{
		name: "JSONata Task with a mocked result, variables in and out (DEBUG)",
		in: asl.TestStateInput{Definition: []byte(lambdaTask), Input: map[string]any{"product": "hat"}, InspectionLevel: asl.InspectionDebug,
			Variables: map[string]any{"region": "eu"},
			Mock:      &asl.TestMock{Result: `{"StatusCode": 200, "Payload": {"price": 12}}`}},
		want: asl.TestStateResult{Status: asl.TestSucceeded, Output: `{"price":12}`, NextState: "CheckPrice", Inspection: &asl.Inspection{
			Input: `{"product":"hat"}`, AfterArguments: `{"FunctionName":"GetPrice","Payload":{"product":"hat","region":"eu"}}`,
			Result: `{"Payload":{"price":12},"StatusCode":200}`, Variables: `{"currentPrice":12,"region":"eu"}`}},
	}, {
		name: "a mocked error that a retrier takes is RETRIABLE, with its back-off",
		in: asl.TestStateInput{Definition: []byte(lambdaTask), Input: map[string]any{"product": "hat"}, InspectionLevel: asl.InspectionDebug,
			Variables: map[string]any{"region": "eu"}, RetrierRetryCount: 1,
			Mock: &asl.TestMock{IsError: true, Error: "Lambda.ServiceException", Cause: "busy"}},
		want: asl.TestStateResult{Status: asl.TestRetriable, Error: "Lambda.ServiceException", Cause: "busy", Inspection: &asl.Inspection{
			Input: `{"product":"hat"}`, AfterArguments: `{"FunctionName":"GetPrice","Payload":{"product":"hat","region":"eu"}}`,
			Variables: `{"region":"eu"}`, RetryIndex: intp(0), RetryBackoffIntervalSeconds: intp(6)}},
	}, {
		name: "once the retries are spent the Catch takes it: CAUGHT_ERROR",
		in: asl.TestStateInput{Definition: []byte(lambdaTask), Input: map[string]any{"product": "hat"}, RetrierRetryCount: 2,
			Variables: map[string]any{"region": "eu"},
			Mock:      &asl.TestMock{IsError: true, Error: "Lambda.ServiceException", Cause: "busy"}},
		want: asl.TestStateResult{Status: asl.TestCaughtError, Output: `{"failed":"Lambda.ServiceException"}`, NextState: "HandleError"},
	}, {
		name: "an error nothing handles is FAILED",
		in: asl.TestStateInput{Definition: []byte(`{"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "f"}, "End": true}`),
			Mock: &asl.TestMock{IsError: true, Error: "Boom", Cause: "why"}},
		want: asl.TestStateResult{Status: asl.TestFailed, Error: "Boom", Cause: "why"},
	}, {
		name: "JSONPath Pass at DEBUG shows each step of the data flow",
		in: asl.TestStateInput{Definition: []byte(`{"Type": "Pass", "InputPath": "$.order", "Parameters": {"id.$": "$.id", "who.$": "$customer"}, "ResultPath": "$.shaped", "Next": "Send"}`),
			Input: map[string]any{"order": map[string]any{"id": "o-1"}}, InspectionLevel: asl.InspectionDebug, Variables: map[string]any{"customer": "María"}},
		want: asl.TestStateResult{Status: asl.TestSucceeded, Output: `{"order":{"id":"o-1"},"shaped":{"id":"o-1","who":"María"}}`, NextState: "Send", Inspection: &asl.Inspection{
			Input: `{"order":{"id":"o-1"}}`, AfterInputPath: `{"id":"o-1"}`, AfterParameters: `{"id":"o-1","who":"María"}`,
			AfterResultPath: `{"order":{"id":"o-1"},"shaped":{"id":"o-1","who":"María"}}`, Variables: `{"customer":"María"}`}},
	}, {
		name: "INFO has no inspection data; a Choice names the next state",
		in: asl.TestStateInput{Definition: []byte(`{"QueryLanguage": "JSONata", "Type": "Choice", "Choices": [{"Condition": "{% $states.input.n > 1 %}", "Next": "Big"}], "Default": "Small"}`),
			Input: map[string]any{"n": json.Number("2")}, InspectionLevel: asl.InspectionInfo},
		want: asl.TestStateResult{Status: asl.TestSucceeded, Output: `{"n":2}`, NextState: "Big"},
	}, {
		name: "a Map with a mock: ItemSelector and MaxConcurrency are shown, the mock is the result",
		in: asl.TestStateInput{Definition: []byte(`{"QueryLanguage": "JSONata", "Type": "Map", "Items": "{% $states.input.items %}", "MaxConcurrency": 2,
			"ItemSelector": {"value": "{% $states.context.Map.Item.Value %}"},
			"ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}, "End": true}`),
			Input: map[string]any{"items": []any{json.Number("1"), json.Number("2")}}, InspectionLevel: asl.InspectionDebug, Mock: &asl.TestMock{Result: `[10,20]`}},
		want: asl.TestStateResult{Status: asl.TestSucceeded, Output: `[10,20]`, Inspection: &asl.Inspection{Input: `{"items":[1,2]}`,
			AfterItemSelector: `[{"value":1},{"value":2}]`, Result: `[10,20]`, MaxConcurrency: intp(2)}},
	}, {
		name: "a state of a whole state machine, named, with a context",
		in: asl.TestStateInput{Definition: []byte(`{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Approve"},
			"Approve": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken", "Parameters": {"FunctionName": "ask", "Payload": {"token.$": "$$.Task.Token"}}, "End": true}}}`),
			StateName: "Approve", Context: map[string]any{"Task": map[string]any{"Token": "test-token-123"}},
			Mock: &asl.TestMock{Result: `{"approved": true}`}, InspectionLevel: asl.InspectionDebug},
		want: asl.TestStateResult{Status: asl.TestSucceeded, Output: `{"approved":true}`, Inspection: &asl.Inspection{Input: `{}`, AfterInputPath: `{}`,
			AfterParameters: `{"FunctionName":"ask","Payload":{"token":"test-token-123"}}`, Result: `{"approved":true}`, AfterResultPath: `{"approved":true}`}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := asl.TestState(context.Background(), tt.in, asl.Options{Functions: testFunctions()})
			if err != nil {
				t.Fatalf("TestState: %v", err)
			}
			if diff := cmp.Diff(&tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestTestStateRefusesBadRequests(t *testing.T) {
	tests := []struct {
		name string
		in   asl.TestStateInput
		def  bool // a *DefinitionError
	}{
		{"a mock for a Pass state", asl.TestStateInput{Definition: []byte(`{"Type": "Pass", "End": true}`), Mock: &asl.TestMock{Result: `{}`}}, false},
		{"a context without a mock", asl.TestStateInput{Definition: []byte(`{"Type": "Pass", "End": true}`), Context: map[string]any{}}, false},
		{"a mocked result that is not JSON", asl.TestStateInput{Definition: []byte(`{"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true}`), Mock: &asl.TestMock{Result: `{`}}, false},
		{"a state machine without stateName", asl.TestStateInput{Definition: []byte(`{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}`)}, false},
		{"a JSONPath field in a JSONata state", asl.TestStateInput{Definition: []byte(`{"QueryLanguage": "JSONata", "Type": "Pass", "InputPath": "$", "End": true}`)}, true},
		{"the reserved variable name", asl.TestStateInput{Definition: []byte(`{"Type": "Pass", "End": true}`), Variables: map[string]any{"states": 1}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := asl.TestState(context.Background(), tt.in, asl.Options{})
			var de *asl.DefinitionError
			if err == nil || errors.As(err, &de) != tt.def {
				t.Fatalf("err = %v, want an error (definition error: %v)", err, tt.def)
			}
		})
	}
}
