package asl_test

import (
	"context"
	"fmt"

	"github.com/aws/aws-lambda-go/lambda"

	"breachflow/internal/local/asl"
)

// Run a definition against an in-process Lambda handler.
func Example() {
	def := `{"StartAt":"Count","States":{
	  "Count":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
	    "Parameters":{"FunctionName":"count","Payload":{"ids.$":"$.ids"}},
	    "ResultSelector":{"n.$":"$.Payload"},"ResultPath":"$.count","Next":"Big?"},
	  "Big?":{"Type":"Choice","Choices":[{"Variable":"$.count.n","NumericGreaterThan":2,"Next":"Notify"}],"Default":"Done"},
	  "Notify":{"Type":"Pass","Result":"notify","ResultPath":"$.action","End":true},
	  "Done":{"Type":"Succeed"}}}`
	m, err := asl.Parse([]byte(def))
	if err != nil {
		fmt.Println(err)
		return
	}
	count := lambda.NewHandler(func(in struct{ IDs []string }) (int, error) { return len(in.IDs), nil })
	input, _ := asl.DecodeJSON([]byte(`{"ids":["a","b","c"]}`))
	out, xerr := m.Run(context.Background(), asl.Options{Functions: map[string]lambda.Handler{"count": count}}, asl.ExecutionInfo{}, input, asl.Hooks{})
	if xerr != nil {
		fmt.Println(xerr)
		return
	}
	b, _ := asl.EncodeJSON(out)
	fmt.Println(string(b))
	// Output: {"action":"notify","count":{"n":3},"ids":["a","b","c"]}
}

// Parse names the state at fault.
func ExampleParse() {
	_, err := asl.Parse([]byte(`{"StartAt":"Send","States":{"Send":{"Type":"Task","Resource":"${SendFunctionArn}","End":true}}}`))
	fmt.Println(err)
	// Output: invalid definition: state "Send": unresolved substitution ${SendFunctionArn}
}

// A JSONata state machine with a variable, as AWS's console writes them.
func Example_jsonata() {
	def := `{"QueryLanguage": "JSONata", "StartAt": "Total", "States": {
	  "Total": {"Type": "Pass", "Assign": {"total": "{% $sum($states.input.items.price) %}"}, "Next": "Big?"},
	  "Big?": {"Type": "Choice", "Choices": [{"Condition": "{% $total > 100 %}", "Next": "Escalate"}], "Default": "Done"},
	  "Escalate": {"Type": "Pass", "Output": {"total": "{% $total %}", "escalated": true}, "End": true},
	  "Done": {"Type": "Pass", "Output": {"total": "{% $total %}", "escalated": false}, "End": true}}}`
	m, err := asl.Parse([]byte(def))
	if err != nil {
		fmt.Println(err)
		return
	}
	input, _ := asl.DecodeJSON([]byte(`{"items": [{"price": 80}, {"price": 45.5}]}`))
	out, xerr := m.Run(context.Background(), asl.Options{}, asl.ExecutionInfo{}, input, asl.Hooks{})
	if xerr != nil {
		fmt.Println(xerr)
		return
	}
	b, _ := asl.EncodeJSON(out)
	fmt.Println(string(b))
	// Output: {"escalated":true,"total":125.5}
}

// Test one state with a mocked result and a variable, as AWS's TestState
// API does.
func ExampleTestState() {
	res, err := asl.TestState(context.Background(), asl.TestStateInput{
		Definition: []byte(`{"QueryLanguage": "JSONata", "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
		  "Arguments": {"FunctionName": "price", "Payload": {"sku": "{% $states.input.sku %}"}},
		  "Output": {"price": "{% $states.result.Payload.price * (1 + $vat) %}"}, "Next": "Notify"}`),
		Input:           map[string]any{"sku": "hat"},
		Variables:       map[string]any{"vat": 0.25},
		Mock:            &asl.TestMock{Result: `{"StatusCode": 200, "Payload": {"price": 20}}`},
		InspectionLevel: asl.InspectionDebug,
	}, asl.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Status, res.NextState, res.Output)
	fmt.Println(res.Inspection.AfterArguments)
	// Output:
	// SUCCEEDED Notify {"price":25}
	// {"FunctionName":"price","Payload":{"sku":"hat"}}
}
