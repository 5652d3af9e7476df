package sfnapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"breachflow/internal/local/asl/intrinsic"
	"breachflow/internal/local/sfnapi"
	"breachflow/internal/local/stepfunctions"
)

const approvalDefinition = `{
  "Comment": "pause on a task token, as breachflow's approval step does",
  "StartAt": "Prepare",
  "States": {
    "Prepare": {"Type": "Pass", "Parameters": {"caseId.$": "$.caseId", "label.$": "States.Format('case {}', $.caseId)"}, "Next": "Approve"},
    "Approve": {
      "Type": "Task",
      "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
      "Parameters": {"FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:ask-approval", "Payload": {"token.$": "$$.Task.Token", "caseId.$": "$.caseId"}},
      "ResultPath": "$.approval",
      "Next": "Done"
    },
    "Done": {"Type": "Succeed"}
  }
}`

// stack is one "breachflow local up": a Service on a Dir and the API over it
// on a free loopback port.
type stack struct {
	svc    *stepfunctions.Service
	client *sfn.Client
	stop   func()
}

func startStack(t *testing.T, dir string, tokens chan<- string) *stack {
	t.Helper()
	askApproval := func(_ context.Context, in struct {
		Token  string `json:"token"`
		CaseID string `json:"caseId"`
	}) error {
		tokens <- in.Token
		return nil
	}
	svc, err := stepfunctions.New(stepfunctions.Options{
		Dir:       dir,
		Functions: map[string]lambda.Handler{"ask-approval": lambda.NewHandler(askApproval)},
		Intrinsic: intrinsic.Eval,
	})
	if err != nil {
		t.Fatalf("stepfunctions.New: %v", err)
	}
	ln, err := sfnapi.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sfnapi.ServeListener(ctx, ln, sfnapi.NewHandler(svc, nil)) }()
	s := &stack{svc: svc, client: engineClient("http://" + ln.Addr().String())}
	stopped := false
	s.stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("ServeListener: %v", err)
		}
		if err := svc.Close(); err != nil {
			t.Errorf("Service.Close: %v", err)
		}
	}
	t.Cleanup(s.stop)
	return s
}

func waitToken(t *testing.T, tokens <-chan string) string {
	t.Helper()
	select {
	case tok := <-tokens:
		return tok
	case <-time.After(30 * time.Second):
		t.Fatal("the waitForTaskToken task never called its function")
		return ""
	}
}

// waitStatus polls DescribeExecution until the execution leaves RUNNING.
func waitStatus(t *testing.T, c *sfn.Client, arn *string) *sfn.DescribeExecutionOutput {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, err := c.DescribeExecution(context.Background(), &sfn.DescribeExecutionInput{ExecutionArn: arn})
		if err != nil {
			t.Fatal(err)
		}
		if out.Status != types.ExecutionStatusRunning || time.Now().After(deadline) {
			return out
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestEngineOverHTTPWithTheSDK(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	tokens := make(chan string, 10)
	s := startStack(t, dir, tokens)
	c := s.client

	created, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name: aws.String("case"), Definition: aws.String(approvalDefinition),
		RoleArn: aws.String("arn:aws:iam::123456789012:role/breachflow"),
	})
	if err != nil {
		t.Fatal(err)
	}
	input := aws.String(`{"caseId":"c-1"}`)
	started, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: created.StateMachineArn, Name: aws.String("run-1"), Input: input})
	if err != nil {
		t.Fatal(err)
	}
	tok := waitToken(t, tokens)

	t.Run("paused on the token", func(t *testing.T) {
		d, err := c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: started.ExecutionArn})
		if err != nil || d.Status != types.ExecutionStatusRunning {
			t.Fatalf("DescribeExecution = %v, %v; want RUNNING", d, err)
		}
		again, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: created.StateMachineArn, Name: aws.String("run-1"), Input: input})
		if err != nil || aws.ToString(again.ExecutionArn) != aws.ToString(started.ExecutionArn) {
			t.Errorf("restarting run-1 with the same input = %v, %v; want the running execution", again, err)
		}
		var exists *types.ExecutionAlreadyExists
		if _, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: created.StateMachineArn, Name: aws.String("run-1"), Input: aws.String(`{"caseId":"other"}`)}); !errors.As(err, &exists) {
			t.Errorf("run-1 with another input: err = %v, want *types.ExecutionAlreadyExists", err)
		}
		running, err := c.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: created.StateMachineArn, StatusFilter: types.ExecutionStatusRunning})
		if err != nil || len(running.Executions) != 1 {
			t.Errorf("ListExecutions RUNNING = %v, %v", running, err)
		}
	})

	if _, err := c.SendTaskHeartbeat(ctx, &sfn.SendTaskHeartbeatInput{TaskToken: aws.String(tok)}); err != nil {
		t.Errorf("SendTaskHeartbeat: %v", err)
	}
	if _, err := c.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(tok), Output: aws.String(`{"approved":true}`)}); err != nil {
		t.Fatalf("SendTaskSuccess: %v", err)
	}
	d := waitStatus(t, c, started.ExecutionArn)
	if d.Status != types.ExecutionStatusSucceeded {
		t.Fatalf("status %s (%s: %s), want SUCCEEDED", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
	}
	var out map[string]any
	if err := json.Unmarshal([]byte(aws.ToString(d.Output)), &out); err != nil || out["approval"].(map[string]any)["approved"] != true || out["label"] != "case c-1" {
		t.Errorf("output = %s", aws.ToString(d.Output))
	}

	t.Run("history", func(t *testing.T) {
		var evs []types.HistoryEvent
		p := sfn.NewGetExecutionHistoryPaginator(c, &sfn.GetExecutionHistoryInput{ExecutionArn: started.ExecutionArn, MaxResults: 3})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			evs = append(evs, page.Events...)
		}
		var got []types.HistoryEventType
		for i, ev := range evs {
			got = append(got, ev.Type)
			if ev.Id != int64(i+1) || ev.Timestamp == nil {
				t.Errorf("event %d: id %d, timestamp %v", i, ev.Id, ev.Timestamp)
			}
		}
		if len(got) == 0 || got[0] != types.HistoryEventTypeExecutionStarted || got[len(got)-1] != types.HistoryEventTypeExecutionSucceeded {
			t.Fatalf("history %v must run from ExecutionStarted to ExecutionSucceeded", got)
		}
		for _, want := range []types.HistoryEventType{
			types.HistoryEventTypePassStateEntered, types.HistoryEventTypeTaskStateEntered,
			types.HistoryEventTypeTaskScheduled, types.HistoryEventTypeTaskSucceeded,
			types.HistoryEventTypeSucceedStateEntered,
		} {
			if !slices.Contains(got, want) {
				t.Errorf("history %v lacks %s", got, want)
			}
		}
		if evs[0].ExecutionStartedEventDetails == nil || aws.ToString(evs[0].ExecutionStartedEventDetails.Input) != `{"caseId":"c-1"}` {
			t.Errorf("ExecutionStarted details = %+v", evs[0].ExecutionStartedEventDetails)
		}
		rev, err := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: started.ExecutionArn, ReverseOrder: true, MaxResults: 1})
		if err != nil || rev.Events[0].Type != types.HistoryEventTypeExecutionSucceeded || rev.NextToken == nil {
			t.Errorf("reverse order first page = %+v, %v", rev, err)
		}
	})

	t.Run("service errors", func(t *testing.T) {
		missingSM := aws.String("arn:aws:states:us-east-1:123456789012:stateMachine:nope")
		tests := []struct {
			name string
			call func() error
			as   any
		}{
			{"used token", func() error {
				_, err := c.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(tok), Output: aws.String(`{}`)})
				return err
			}, new(*types.TaskDoesNotExist)},
			{"malformed token", func() error {
				_, err := c.SendTaskFailure(ctx, &sfn.SendTaskFailureInput{TaskToken: aws.String("not-a-token")})
				return err
			}, new(*types.InvalidToken)},
			{"output not JSON", func() error {
				_, err := c.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(tok), Output: aws.String(`{`)})
				return err
			}, new(*types.InvalidOutput)},
			{"finished name reused", func() error {
				_, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: created.StateMachineArn, Name: aws.String("run-1"), Input: input})
				return err
			}, new(*types.ExecutionAlreadyExists)},
			{"no such state machine", func() error {
				_, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: missingSM})
				return err
			}, new(*types.StateMachineDoesNotExist)},
			{"no such execution", func() error {
				_, err := c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String("arn:aws:states:us-east-1:123456789012:execution:case:nope")})
				return err
			}, new(*types.ExecutionDoesNotExist)},
			{"bad definition", func() error {
				_, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("bad"), RoleArn: aws.String("r"),
					Definition: aws.String(`{"StartAt":"A","States":{"A":{"Type":"Pass"}}}`)})
				return err
			}, new(*types.InvalidDefinition)},
			{"name taken by another definition", func() error {
				_, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("case"), RoleArn: aws.String("arn:aws:iam::123456789012:role/breachflow"),
					Definition: aws.String(`{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}`)})
				return err
			}, new(*types.StateMachineAlreadyExists)},
			{"bad arn", func() error {
				_, err := c.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String("not-an-arn")})
				return err
			}, new(*types.InvalidArn)},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if err := tt.call(); err == nil || !errors.As(err, tt.as) {
					t.Fatalf("err = %v (%T), want %T", err, err, tt.as)
				}
			})
		}
	})

	t.Run("restart survival", func(t *testing.T) {
		second, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: created.StateMachineArn, Name: aws.String("run-2"), Input: aws.String(`{"caseId":"c-2"}`)})
		if err != nil {
			t.Fatal(err)
		}
		tok2 := waitToken(t, tokens)
		s.stop() // `breachflow local up` exits while run-2 waits for approval

		s2 := startStack(t, dir, tokens)
		d, err := s2.client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: second.ExecutionArn})
		if err != nil || d.Status != types.ExecutionStatusRunning {
			t.Fatalf("after restart run-2 = %v, %v; want RUNNING", d, err)
		}
		if _, err := s2.client.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(tok2), Output: aws.String(`{"approved":false}`)}); err != nil {
			t.Fatalf("SendTaskSuccess with the token from before the restart: %v", err)
		}
		d = waitStatus(t, s2.client, second.ExecutionArn)
		if d.Status != types.ExecutionStatusSucceeded || !json.Valid([]byte(aws.ToString(d.Output))) {
			t.Fatalf("run-2 after restart: %s (%s: %s) output %s", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause), aws.ToString(d.Output))
		}
		first, err := s2.client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: started.ExecutionArn})
		if err != nil || first.Status != types.ExecutionStatusSucceeded {
			t.Errorf("run-1 after restart = %v, %v; want it kept as SUCCEEDED", first, err)
		}
	})
}
