package stepfunctions_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"

	"breachflow/internal/local/stepfunctions"
)

// flaky counts calls per function and fails the ones told to, until fixed.
type flaky struct {
	mu    sync.Mutex
	calls map[string]int
	fail  map[string]bool
}

// SendingPaused is the error the flaky functions fail with; Lambda reports
// its type name.
type SendingPaused struct{}

func (SendingPaused) Error() string { return "paused" }

func (f *flaky) fn(name string) lambda.Handler {
	return lambda.NewHandler(func(in map[string]any) (map[string]any, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		key := name
		if item, ok := in["item"]; ok {
			key = name + "/" + fmt.Sprint(item)
		}
		f.calls[key]++
		if f.fail[key] {
			return nil, SendingPaused{}
		}
		return map[string]any{"done": key}, nil
	})
}

const redriveDef = `{
  "StartAt": "Prepare",
  "States": {
    "Prepare": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "prepare", "Payload.$": "$"}, "ResultPath": "$.prepared", "Next": "Fan"},
    "Fan": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 1, "ItemSelector": {"item.$": "$$.Map.Item.Value"}, "ResultPath": "$.sent",
      "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Send", "States": {
        "Send": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "send", "Payload.$": "$"}, "OutputPath": "$.Payload", "End": true}}},
      "Next": "Check"},
    "Check": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "check", "Payload": {}},
      "Catch": [{"ErrorEquals": ["Handled"], "Next": "Gave Up"}], "Next": "Close"},
    "Close": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "close", "Payload": {}}, "End": true},
    "Gave Up": {"Type": "Fail", "Error": "GaveUp"}
  }
}`

// TestRedriveRerunsOnlyWhatFailed: an item of a Map fails uncaught; after
// the cause is fixed, RedriveExecution reruns that item alone, then the
// rest of the workflow, with the same input and ARN, and the history shows
// the first attempt once, ExecutionRedriven, then the redrive.
func TestRedriveRerunsOnlyWhatFailed(t *testing.T) {
	f := &flaky{calls: map[string]int{}, fail: map[string]bool{"send/b": true}}
	s := newService(t, stepfunctions.Options{Dir: t.TempDir(), Functions: map[string]lambda.Handler{
		"prepare": f.fn("prepare"), "send": f.fn("send"), "check": f.fn("check"), "close": f.fn("close"),
	}})
	sm, err := s.CreateStateMachine(ctx, stepfunctions.CreateStateMachineInput{Name: "redrive", Definition: redriveDef, RoleArn: "arn:aws:iam::123456789012:role/r"})
	if err != nil {
		t.Fatal(err)
	}
	ex, err := s.StartExecution(ctx, stepfunctions.StartExecutionInput{StateMachineArn: sm.Arn, Name: "case-1", Input: `{"items":["a","b","c"]}`})
	if err != nil {
		t.Fatal(err)
	}
	failed := waitStatus(t, s, ex.Arn, stepfunctions.StatusFailed)
	if failed.Error != "SendingPaused" {
		t.Fatalf("first attempt failed with %q, want SendingPaused", failed.Error)
	}
	// Not redrivable while running or after success; an unknown ARN.
	if _, err := s.RedriveExecution(ctx, ex.Arn+"-nope"); !isCode(err, stepfunctions.CodeExecutionDoesNotExist) {
		t.Errorf("redrive of an unknown execution: %v", err)
	}

	f.mu.Lock()
	f.fail["send/b"] = false // the cause is fixed
	f.mu.Unlock()
	re, err := s.RedriveExecution(ctx, ex.Arn)
	if err != nil {
		t.Fatal(err)
	}
	if re.Arn != ex.Arn || re.RedriveCount != 1 || re.Status != stepfunctions.StatusRunning {
		t.Errorf("redriven execution %+v", re)
	}
	done := waitStatus(t, s, ex.Arn, stepfunctions.StatusSucceeded)
	if done.RedriveDate.IsZero() {
		t.Error("no redrive date")
	}
	f.mu.Lock()
	want := map[string]int{"prepare": 1, "send/a": 1, "send/b": 2, "send/c": 1, "check": 1, "close": 1}
	for k, n := range want {
		if f.calls[k] != n {
			t.Errorf("%s called %d times, want %d", k, f.calls[k], n)
		}
	}
	f.mu.Unlock()
	if _, err := s.RedriveExecution(ctx, ex.Arn); !isCode(err, stepfunctions.CodeExecutionNotRedrivable) {
		t.Errorf("redrive of a SUCCEEDED execution: %v", err)
	}

	h, err := s.GetExecutionHistory(ctx, ex.Arn)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	count := map[string]int{}
	for _, ev := range h {
		types = append(types, ev.Type)
		count[ev.Type]++
	}
	joined := strings.Join(types, " ")
	if !strings.Contains(joined, "ExecutionFailed ExecutionRedriven") || !strings.HasSuffix(joined, "ExecutionSucceeded") {
		t.Errorf("history order: %s", joined)
	}
	// Prepare ran once and shows once; the Map, which failed, is entered
	// again; one item at a time: a succeeded, b failed, c never started,
	// so the redrive runs b and c and shows a's iteration no more.
	if count["TaskStateEntered"] != 1+3+1+1+1 || count["MapStateEntered"] != 2 || count["TaskScheduled"] != 1+3+1+1+1 ||
		count["MapIterationStarted"] != 2+2 || count["MapIterationSucceeded"] != 1+2 {
		t.Errorf("event counts %v\n%s", count, joined)
	}
}

// TestRedriveKeepsCaughtErrors: an error a Catch took to a Fail state is
// the run's own decision; a redrive takes the same path and fails again
// without calling the task again, as in AWS.
func TestRedriveKeepsCaughtErrors(t *testing.T) {
	var checks atomic.Int32
	s := newService(t, stepfunctions.Options{Dir: t.TempDir(), Functions: map[string]lambda.Handler{
		"prepare": lambda.NewHandler(func() (int, error) { return 1, nil }),
		"send":    lambda.NewHandler(func() (int, error) { return 1, nil }),
		"check":   lambda.NewHandler(func() (int, error) { checks.Add(1); return 0, Handled{} }),
		"close":   lambda.NewHandler(func() (int, error) { return 1, nil }),
	}})
	sm, err := s.CreateStateMachine(ctx, stepfunctions.CreateStateMachineInput{Name: "caught", Definition: redriveDef, RoleArn: "arn:aws:iam::123456789012:role/r"})
	if err != nil {
		t.Fatal(err)
	}
	ex, err := s.StartExecution(ctx, stepfunctions.StartExecutionInput{StateMachineArn: sm.Arn, Name: "case-2", Input: `{"items":[]}`})
	if err != nil {
		t.Fatal(err)
	}
	waitStatus(t, s, ex.Arn, stepfunctions.StatusFailed)
	if _, err := s.RedriveExecution(ctx, ex.Arn); err != nil {
		t.Fatal(err)
	}
	again := waitStatus(t, s, ex.Arn, stepfunctions.StatusFailed)
	if again.Error != "GaveUp" || checks.Load() != 1 || again.RedriveCount != 1 {
		t.Errorf("after redrive: %s, check called %d times, redrive count %d", again.Error, checks.Load(), again.RedriveCount)
	}
}

// TestRedriveNeedsAJournal: without a state directory nothing was
// journalled, and the engine says so instead of rerunning everything.
func TestRedriveNeedsAJournal(t *testing.T) {
	s := newService(t, stepfunctions.Options{Functions: map[string]lambda.Handler{
		"prepare": lambda.NewHandler(func() (int, error) { return 0, SendingPaused{} }),
	}})
	sm, err := s.CreateStateMachine(ctx, stepfunctions.CreateStateMachineInput{Name: "nodir", Definition: redriveDef, RoleArn: "arn:aws:iam::123456789012:role/r"})
	if err != nil {
		t.Fatal(err)
	}
	ex, err := s.StartExecution(ctx, stepfunctions.StartExecutionInput{StateMachineArn: sm.Arn, Name: "case-3", Input: `{"items":[]}`})
	if err != nil {
		t.Fatal(err)
	}
	waitStatus(t, s, ex.Arn, stepfunctions.StatusFailed)
	if _, err := s.RedriveExecution(ctx, ex.Arn); !isCode(err, stepfunctions.CodeExecutionNotRedrivable) {
		t.Errorf("redrive without a journal: %v", err)
	}
}

// Handled is the error the Catch of the test machine routes.
type Handled struct{}

func (Handled) Error() string { return "handled" }

func isCode(err error, code string) bool {
	var ae *stepfunctions.APIError
	return errors.As(err, &ae) && ae.Code == code
}
