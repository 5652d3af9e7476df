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
