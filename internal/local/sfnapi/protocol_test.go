package sfnapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"breachflow/internal/local/sfnapi"
)

func TestShapesThroughTheSDK(t *testing.T) {
	ctx := context.Background()
	_, c, _ := serveFake(t)
	created, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("case"), Definition: aws.String(`{"StartAt":"A"}`), RoleArn: aws.String("arn:aws:iam::123456789012:role/x")})
	if err != nil {
		t.Fatal(err)
	}
	if !created.CreationDate.Equal(t0) {
		t.Errorf("creationDate = %v, want %v (epoch seconds with milliseconds)", created.CreationDate, t0)
	}
	desc, err := c.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: created.StateMachineArn})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(desc.Name) != "case" || desc.Type != types.StateMachineTypeStandard || desc.Status != types.StateMachineStatusActive || aws.ToString(desc.Definition) != `{"StartAt":"A"}` {
		t.Errorf("DescribeStateMachine = %+v", desc)
	}
	started, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: created.StateMachineArn, Name: aws.String("run-1"), Input: aws.String(`{"caseId":"c1"}`)})
	if err != nil {
		t.Fatal(err)
	}
	ex, err := c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: started.ExecutionArn})
	if err != nil {
		t.Fatal(err)
	}
	if ex.Status != types.ExecutionStatusSucceeded || aws.ToString(ex.Output) != `{"ok":true}` || aws.ToString(ex.Input) != `{"caseId":"c1"}` || !ex.StopDate.Equal(t0.Add(time.Second)) {
		t.Errorf("DescribeExecution = %+v", ex)
	}
	stop, err := c.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: started.ExecutionArn})
	if err != nil || !stop.StopDate.Equal(t0.Add(2*time.Second)) {
		t.Errorf("StopExecution = %v, %v", stop, err)
	}
	list, err := c.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: created.StateMachineArn, StatusFilter: types.ExecutionStatusSucceeded})
	if err != nil || len(list.Executions) != 1 || aws.ToString(list.Executions[0].Name) != "run-1" {
		t.Errorf("ListExecutions = %+v, %v", list, err)
	}
	sms, err := c.ListStateMachines(ctx, &sfn.ListStateMachinesInput{})
	if err != nil || len(sms.StateMachines) != 1 {
		t.Errorf("ListStateMachines = %+v, %v", sms, err)
	}
	if _, err := c.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String("tok-1"), Output: aws.String(`{}`)}); err != nil {
		t.Errorf("SendTaskSuccess: %v", err)
	}
	if _, err := c.SendTaskHeartbeat(ctx, &sfn.SendTaskHeartbeatInput{TaskToken: aws.String("tok-1")}); err != nil {
		t.Errorf("SendTaskHeartbeat: %v", err)
	}
	if _, err := c.DeleteStateMachine(ctx, &sfn.DeleteStateMachineInput{StateMachineArn: created.StateMachineArn}); err != nil {
		t.Errorf("DeleteStateMachine: %v", err)
	}
}

func TestHistoryPagingAndOrder(t *testing.T) {
	ctx := context.Background()
	_, c, _ := serveFake(t)
	sm, _ := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("m"), Definition: aws.String("{}"), RoleArn: aws.String("r")})
	ex, _ := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Name: aws.String("e")})

	for _, reverse := range []bool{false, true} {
		var ids []int64
		p := sfn.NewGetExecutionHistoryPaginator(c, &sfn.GetExecutionHistoryInput{ExecutionArn: ex.ExecutionArn, ReverseOrder: reverse, MaxResults: 100})
		pages := 0
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, ev := range out.Events {
				ids = append(ids, ev.Id)
				if ev.Type != types.HistoryEventTypePassStateEntered || ev.StateEnteredEventDetails == nil || ev.PreviousEventId != ev.Id-1 {
					t.Fatalf("event %+v lost its shape", ev)
				}
			}
		}
		if pages != 3 || len(ids) != 250 {
			t.Fatalf("reverse=%v: %d pages, %d events; want 3 pages of 250 events", reverse, pages, len(ids))
		}
		first, last := int64(1), int64(250)
		if reverse {
			first, last = last, first
		}
		if ids[0] != first || ids[249] != last {
			t.Errorf("reverse=%v: ids run %d..%d, want %d..%d", reverse, ids[0], ids[249], first, last)
		}
	}
	out, err := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: ex.ExecutionArn, MaxResults: 1})
	if err != nil {
		t.Fatal(err)
	}
	if got := out.Events[0]; !got.Timestamp.Equal(t0) || aws.ToString(got.StateEnteredEventDetails.Name) != "S1" {
		t.Errorf("first event = %+v", got)
	}
	var invalid *types.InvalidToken
	if _, err := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: ex.ExecutionArn, NextToken: aws.String("bogus")}); !errors.As(err, &invalid) {
		t.Errorf("a bad nextToken gave %v, want *types.InvalidToken", err)
	}
}

// TestServiceErrorsReachTheSDKAsModelledTypes checks the error mapping with
// the fake; the engine-backed test checks that the real service raises them.
func TestServiceErrorsReachTheSDKAsModelledTypes(t *testing.T) {
	ctx := context.Background()
	_, c, _ := serveFake(t)
	sm, _ := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("m"), Definition: aws.String("{}"), RoleArn: aws.String("r")})
	c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Name: aws.String("dup")})
	missing := aws.String("arn:aws:states:us-east-1:123456789012:stateMachine:nope")
	tests := []struct {
		name string
		call func() error
		as   any
	}{
		{"StateMachineDoesNotExist", func() error {
			_, err := c.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: missing})
			return err
		}, new(*types.StateMachineDoesNotExist)},
		{"ExecutionDoesNotExist", func() error {
			_, err := c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String("arn:aws:states:us-east-1:123456789012:execution:m:nope")})
			return err
		}, new(*types.ExecutionDoesNotExist)},
		{"ExecutionAlreadyExists", func() error {
			_, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Name: aws.String("dup")})
			return err
		}, new(*types.ExecutionAlreadyExists)},
		{"InvalidDefinition", func() error {
			_, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("b"), Definition: aws.String("bad"), RoleArn: aws.String("r")})
			return err
		}, new(*types.InvalidDefinition)},
		{"TaskDoesNotExist", func() error {
			_, err := c.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String("used"), Output: aws.String("{}")})
			return err
		}, new(*types.TaskDoesNotExist)},
		{"InvalidToken", func() error {
			_, err := c.SendTaskFailure(ctx, &sfn.SendTaskFailureInput{TaskToken: aws.String("garbage")})
			return err
		}, new(*types.InvalidToken)},
		{"InvalidOutput", func() error {
			_, err := c.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String("tok-1"), Output: aws.String("{not json")})
			return err
		}, new(*types.InvalidOutput)},
		{"ValidationException on statusFilter", func() error {
			_, err := c.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: sm.StateMachineArn, StatusFilter: "DONE"})
			return err
		}, new(*types.ValidationException)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if err == nil || !errors.As(err, tt.as) {
				t.Fatalf("err = %v (%T), want %T", err, err, tt.as)
			}
		})
	}
}

func TestPanicIsInternalFailureNotACrash(t *testing.T) {
	ctx := context.Background()
	f, c, _ := serveFake(t)
	sm, _ := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("m"), Definition: aws.String("{}"), RoleArn: aws.String("r")})
	f.panics = true
	_, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "InternalFailure" || strings.Contains(ae.ErrorMessage(), "engine bug") {
		t.Fatalf("err = %v, want an InternalFailure that hides the panic", err)
	}
	f.panics = false
	if _, err := c.ListStateMachines(ctx, &sfn.ListStateMachinesInput{}); err != nil {
		t.Fatalf("server unusable after a panic: %v", err)
	}
}

// TestProtocolErrors sends raw requests that the SDK would never send.
func TestProtocolErrors(t *testing.T) {
	_, _, url := serveFake(t)
	const sig = "AWS4-HMAC-SHA256 Credential=AKID/20261123/us-east-1/states/aws4_request, SignedHeaders=host, Signature=00"
	tests := []struct {
		name, method, target, ctype, auth, body string
		status                                  int
		code                                    string
	}{
		{"unknown operation", "POST", "AWSStepFunctions.CreateActivity", "application/x-amz-json-1.0", sig, "{}", 400, "UnknownOperationException"},
		{"no target", "POST", "", "application/x-amz-json-1.0", sig, "{}", 400, "UnknownOperationException"},
		{"other service", "POST", "DynamoDB_20120810.ListTables", "application/x-amz-json-1.0", sig, "{}", 400, "UnknownOperationException"},
		{"malformed json", "POST", "AWSStepFunctions.DescribeExecution", "application/x-amz-json-1.0", sig, "{", 400, "SerializationException"},
		{"wrong member type", "POST", "AWSStepFunctions.DescribeExecution", "application/x-amz-json-1.0", sig, `{"executionArn":5}`, 400, "SerializationException"},
		{"missing member", "POST", "AWSStepFunctions.DescribeExecution", "application/x-amz-json-1.0", sig, `{}`, 400, "ValidationException"},
		{"max results too big", "POST", "AWSStepFunctions.ListStateMachines", "application/x-amz-json-1.0", sig, `{"maxResults":1001}`, 400, "ValidationException"},
		{"wrong content type", "POST", "AWSStepFunctions.ListStateMachines", "application/json", sig, "{}", 400, "SerializationException"},
		{"no signature", "POST", "AWSStepFunctions.ListStateMachines", "application/x-amz-json-1.0", "", "{}", 400, "MissingAuthenticationTokenException"},
		{"GET", "GET", "AWSStepFunctions.ListStateMachines", "application/x-amz-json-1.0", sig, "", 404, "UnknownOperationException"},
		{"empty body ok", "POST", "AWSStepFunctions.ListStateMachines", "application/x-amz-json-1.0", sig, "", 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, url+"/", strings.NewReader(tt.body))
			if tt.target != "" {
				req.Header.Set("X-Amz-Target", tt.target)
			}
			req.Header.Set("Content-Type", tt.ctype)
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			raw, _ := io.ReadAll(resp.Body)
			var got struct {
				Type    string `json:"__type"`
				Message string `json:"message"`
			}
			if err := json.Unmarshal(raw, &got); err != nil {
				t.Fatalf("response %q is not JSON", raw)
			}
			if diff := cmp.Diff([2]any{tt.status, tt.code}, [2]any{resp.StatusCode, got.Type}); diff != "" {
				t.Errorf("status/code (-want +got):\n%s\nbody %s", diff, raw)
			}
			if tt.code != "" && (got.Message == "" || resp.Header.Get("Content-Type") != "application/x-amz-json-1.0") {
				t.Errorf("error without message or content type: %s", raw)
			}
		})
	}
}

func TestListenRefusesNonLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "10.1.2.3:8083", "example.com:80"} {
		if ln, err := sfnapi.Listen(addr); err == nil {
			ln.Close()
			t.Errorf("Listen(%q) accepted a non-loopback address", addr)
		}
	}
	for _, addr := range []string{"127.0.0.1:0", "localhost:0"} {
		ln, err := sfnapi.Listen(addr)
		if err != nil {
			t.Errorf("Listen(%q): %v", addr, err)
			continue
		}
		if !strings.HasPrefix(ln.Addr().String(), "127.0.0.1:") {
			t.Errorf("Listen(%q) bound %s", addr, ln.Addr())
		}
		ln.Close()
	}
}

func TestServeListenerStopsWithContext(t *testing.T) {
	ln, err := sfnapi.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sfnapi.ServeListener(ctx, ln, sfnapi.NewHandler(newFake(), nil)) }()
	c := client("http://" + ln.Addr().String())
	if _, err := c.ListStateMachines(context.Background(), &sfn.ListStateMachinesInput{}); err != nil {
		t.Fatalf("ListStateMachines over Serve: %v", err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("ServeListener: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("ServeListener did not return after cancel")
	}
}
