package stepfunctions_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/google/go-cmp/cmp"

	"breachflow/internal/local/asl"
	"breachflow/internal/local/stepfunctions"
)

var ctx = context.Background()

// world holds the in-process functions of the approval workflow.
type world struct {
	intakeCalls, notifyCalls, sendCalls int32
	tokens                              chan string
}

func newWorld() *world { return &world{tokens: make(chan string, 8)} }

func (w *world) functions() map[string]lambda.Handler {
	return map[string]lambda.Handler{
		"intake": lambda.NewHandler(func() (map[string]any, error) {
			atomic.AddInt32(&w.intakeCalls, 1)
			return map[string]any{"shards": []int{0, 1, 2}}, nil
		}),
		"notify": lambda.NewHandler(func(in struct {
			Token string `json:"token"`
		}) error {
			atomic.AddInt32(&w.notifyCalls, 1)
			w.tokens <- in.Token
			return nil
		}),
		"send": lambda.NewHandler(func(in struct {
			Shard int `json:"shard"`
		}) (int, error) {
			atomic.AddInt32(&w.sendCalls, 1)
			return in.Shard * 10, nil
		}),
	}
}

func (w *world) token(t *testing.T) string {
	t.Helper()
	select {
	case tok := <-w.tokens:
		return tok
	case <-time.After(5 * time.Second):
		t.Fatal("no task token")
	}
	return ""
}

func definition(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func newService(t *testing.T, opts stepfunctions.Options) *stepfunctions.Service {
	t.Helper()
	s, err := stepfunctions.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var ae *stepfunctions.APIError
	if !errors.As(err, &ae) || ae.Code != code {
		t.Fatalf("error %v, want %s", err, code)
	}
}

// waitStatus polls until the execution leaves RUNNING (or has status want).
func waitStatus(t *testing.T, s *stepfunctions.Service, arn, want string) stepfunctions.Execution {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		ex, err := s.DescribeExecution(ctx, arn)
		if err != nil {
			t.Fatal(err)
		}
		if ex.Status == want {
			return ex
		}
		if time.Now().After(deadline) {
			t.Fatalf("status %s (%s %s), want %s", ex.Status, ex.Error, ex.Cause, want)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestStateMachineLifecycle(t *testing.T) {
	s := newService(t, stepfunctions.Options{})
	def := `{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`
	sm, err := s.CreateStateMachine(ctx, stepfunctions.CreateStateMachineInput{Name: "breach", Definition: def, RoleArn: "arn:aws:iam::123456789012:role/r"})
	if err != nil {
		t.Fatal(err)
	}
	if sm.Arn != "arn:aws:states:us-east-1:123456789012:stateMachine:breach" || sm.Type != "STANDARD" || sm.Status != "ACTIVE" {
		t.Fatalf("created %+v", sm)
	}
	again, err := s.CreateStateMachine(ctx, stepfunctions.CreateStateMachineInput{Name: "breach", Definition: def, RoleArn: "arn:aws:iam::123456789012:role/r"})
	if err != nil || again.Arn != sm.Arn {
		t.Fatalf("identical create: %v", err)
	}
	_, err = s.CreateStateMachine(ctx, stepfunctions.CreateStateMachineInput{Name: "breach", Definition: `{"StartAt":"Q","States":{"Q":{"Type":"Succeed"}}}`})
	wantCode(t, err, stepfunctions.CodeStateMachineAlreadyExists)
	_, err = s.CreateStateMachine(ctx, stepfunctions.CreateStateMachineInput{Name: "bad name", Definition: def})
	wantCode(t, err, stepfunctions.CodeInvalidName)
	_, err = s.CreateStateMachine(ctx, stepfunctions.CreateStateMachineInput{Name: "x", Definition: `{"StartAt":"A","States":{"A":{"Type":"Pass"}}}`})
	wantCode(t, err, stepfunctions.CodeInvalidDefinition)
	got, err := s.DescribeStateMachine(ctx, sm.Arn)
	if err != nil || got.Definition != def {
		t.Fatalf("describe: %v", err)
	}
	list, _ := s.ListStateMachines(ctx)
	if len(list) != 1 {
		t.Fatalf("list %d", len(list))
	}
	_, err = s.DescribeStateMachine(ctx, "not-an-arn")
	wantCode(t, err, stepfunctions.CodeInvalidArn)
	if err := s.DeleteStateMachine(ctx, sm.Arn); err != nil {
		t.Fatal(err)
	}
	_, err = s.DescribeStateMachine(ctx, sm.Arn)
	wantCode(t, err, stepfunctions.CodeStateMachineDoesNotExist)
}

func TestStartExecutionIdempotency(t *testing.T) {
	s := newService(t, stepfunctions.Options{})
	sm, err := s.CreateStateMachine(ctx, stepfunctions.CreateStateMachineInput{Name: "w",
		Definition: `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":3600,"End":true}}}`})
	if err != nil {
		t.Fatal(err)
	}
	first, err := s.StartExecution(ctx, stepfunctions.StartExecutionInput{StateMachineArn: sm.Arn, Name: "case-1", Input: `{"a":1}`})
	if err != nil {
		t.Fatal(err)
	}
	same, err := s.StartExecution(ctx, stepfunctions.StartExecutionInput{StateMachineArn: sm.Arn, Name: "case-1", Input: `{"a":1}`})
	if err != nil || same.Arn != first.Arn || !same.StartDate.Equal(first.StartDate) {
		t.Fatalf("same name and input: %+v %v", same, err)
	}
	_, err = s.StartExecution(ctx, stepfunctions.StartExecutionInput{StateMachineArn: sm.Arn, Name: "case-1", Input: `{"a":2}`})
	wantCode(t, err, stepfunctions.CodeExecutionAlreadyExists)
	waitEvent(t, s, first.Arn, "WaitStateEntered", 1)
	if _, err := s.StopExecution(ctx, first.Arn, "Cancelled", "test"); err != nil {
		t.Fatal(err)
	}
	_, err = s.StartExecution(ctx, stepfunctions.StartExecutionInput{StateMachineArn: sm.Arn, Name: "case-1", Input: `{"a":1}`})
	wantCode(t, err, stepfunctions.CodeExecutionAlreadyExists)
	_, err = s.StartExecution(ctx, stepfunctions.StartExecutionInput{StateMachineArn: sm.Arn, Input: `{`})
	wantCode(t, err, stepfunctions.CodeInvalidExecutionInput)
	_, err = s.StartExecution(ctx, stepfunctions.StartExecutionInput{StateMachineArn: sm.Arn, Name: "a/b"})
	wantCode(t, err, stepfunctions.CodeInvalidName)
	_, err = s.StartExecution(ctx, stepfunctions.StartExecutionInput{StateMachineArn: sm.Arn + "x"})
	wantCode(t, err, stepfunctions.CodeStateMachineDoesNotExist)
	ex := waitStatus(t, s, first.Arn, stepfunctions.StatusAborted)
	if ex.Error != "Cancelled" || ex.StopDate.IsZero() {
		t.Fatalf("aborted %+v", ex)
	}
	aborted, _ := s.ListExecutions(ctx, sm.Arn, stepfunctions.StatusAborted)
	running, _ := s.ListExecutions(ctx, sm.Arn, stepfunctions.StatusRunning)
	if len(aborted) != 1 || len(running) != 0 {
		t.Fatalf("list: %d aborted, %d running", len(aborted), len(running))
	}
	hist, _ := s.GetExecutionHistory(ctx, first.Arn)
	if last := hist[len(hist)-1]; last.Type != "ExecutionAborted" || last.DetailsField != "executionAbortedEventDetails" {
		t.Fatalf("last event %+v", last)
	}
	if prev := hist[len(hist)-2]; prev.Type != "WaitStateAborted" {
		t.Fatalf("event before ExecutionAborted is %s, want WaitStateAborted", prev.Type)
	}
}

func TestApprovalWorkflowWithTokens(t *testing.T) {
	w := newWorld()
	clock := asl.NewFakeClock(time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC))
	s := newService(t, stepfunctions.Options{Functions: w.functions(), Clock: clock})
	sm, err := s.CreateStateMachine(ctx, stepfunctions.CreateStateMachineInput{Name: "breach", Definition: definition(t, "approval.asl.json")})
	if err != nil {
		t.Fatal(err)
	}
	ex, err := s.StartExecution(ctx, stepfunctions.StartExecutionInput{StateMachineArn: sm.Arn, Name: "case-7", Input: `{"case":"c7","wait":60}`})
	if err != nil {
		t.Fatal(err)
	}
	if !clock.WaitForTimers(1, 5*time.Second) {
		t.Fatal("no Wait")
	}
	clock.Advance(60 * time.Second)
	tok := w.token(t)
	wantCode(t, s.SendTaskSuccess(ctx, tok, `{`), stepfunctions.CodeInvalidOutput)
	wantCode(t, s.SendTaskSuccess(ctx, "garbage", `{}`), stepfunctions.CodeInvalidToken)
	wantCode(t, s.SendTaskSuccess(ctx, asl.NewTaskToken(), `{}`), stepfunctions.CodeTaskDoesNotExist)
	if err := s.SendTaskHeartbeat(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if err := s.SendTaskSuccess(ctx, tok, `{"approved":true}`); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.SendTaskSuccess(ctx, tok, `{"approved":true}`), stepfunctions.CodeTaskDoesNotExist)
	done := waitStatus(t, s, ex.Arn, stepfunctions.StatusSucceeded)
	if done.Output != `{"case":"c7","decision":{"approved":true},"intake":{"shards":[0,1,2]},"sent":[0,10,20],"wait":60}` {
		t.Fatalf("output %s", done.Output)
	}
	hist, err := s.GetExecutionHistory(ctx, ex.Arn)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for i, ev := range hist {
		if ev.ID != int64(i+1) || ev.PreviousEventID >= ev.ID {
			t.Fatalf("event %d has id %d previous %d", i, ev.ID, ev.PreviousEventID)
		}
		types = append(types, ev.Type)
	}
	want := []string{"ExecutionStarted", "TaskStateEntered", "LambdaFunctionScheduled", "LambdaFunctionStarted", "LambdaFunctionSucceeded", "TaskStateExited",
		"WaitStateEntered", "WaitStateExited", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded", "TaskStateExited",
		"ChoiceStateEntered", "ChoiceStateExited", "MapStateEntered", "MapRunStarted", "MapRunSucceeded", "MapStateExited", "ExecutionSucceeded"}
	if diff := cmp.Diff(want, types); diff != "" {
		t.Fatalf("history (-want +got):\n%s", diff)
	}
}

func TestRejectedFails(t *testing.T) {
	w := newWorld()
	s := newService(t, stepfunctions.Options{Functions: w.functions()})
	sm, _ := s.CreateStateMachine(ctx, stepfunctions.CreateStateMachineInput{Name: "breach", Definition: definition(t, "approval.asl.json")})
	ex, err := s.StartExecution(ctx, stepfunctions.StartExecutionInput{StateMachineArn: sm.Arn, Input: `{"case":"c","wait":0}`})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SendTaskSuccess(ctx, w.token(t), `{"approved":false}`); err != nil {
		t.Fatal(err)
	}
	got := waitStatus(t, s, ex.Arn, stepfunctions.StatusFailed)
	if got.Error != "Rejected" || got.Cause != "the approvers rejected the drafts" {
		t.Fatalf("%+v", got)
	}
}

func TestExecutionTimedOut(t *testing.T) {
	clock := asl.NewFakeClock(time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC))
	s := newService(t, stepfunctions.Options{Clock: clock})
	sm, _ := s.CreateStateMachine(ctx, stepfunctions.CreateStateMachineInput{Name: "slow",
		Definition: `{"TimeoutSeconds":10,"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":100,"End":true}}}`})
	ex, _ := s.StartExecution(ctx, stepfunctions.StartExecutionInput{StateMachineArn: sm.Arn})
	clock.WaitForTimers(2, 5*time.Second)
	clock.Advance(10 * time.Second)
	if got := waitStatus(t, s, ex.Arn, stepfunctions.StatusTimedOut); got.Error != "States.Timeout" {
		t.Fatalf("%+v", got)
	}
}

// TestRestartSurvival closes the service while an execution waits for a task
// token and then while another sits in a Wait state, reopens it on the same
// directory, and finishes both without re-running completed tasks.
func TestRestartSurvival(t *testing.T) {
	dir := t.TempDir()
	w := newWorld()
	clock := asl.NewFakeClock(time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC))
	s1, err := stepfunctions.New(stepfunctions.Options{Dir: dir, Functions: w.functions(), Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	sm, err := s1.CreateStateMachine(ctx, stepfunctions.CreateStateMachineInput{Name: "breach", Definition: definition(t, "approval.asl.json")})
	if err != nil {
		t.Fatal(err)
	}
	atToken, err := s1.StartExecution(ctx, stepfunctions.StartExecutionInput{StateMachineArn: sm.Arn, Name: "at-token", Input: `{"case":"a","wait":0}`})
	if err != nil {
		t.Fatal(err)
	}
	tok := w.token(t)
	waitEvent(t, s1, atToken.Arn, "TaskSubmitted", 1)
	atWait, err := s1.StartExecution(ctx, stepfunctions.StartExecutionInput{StateMachineArn: sm.Arn, Name: "at-wait", Input: `{"case":"b","wait":3600}`})
	if err != nil {
		t.Fatal(err)
	}
	if !clock.WaitForTimers(1, 5*time.Second) {
		t.Fatal("no Wait")
	}
	if err := s1.Close(); err != nil {
		t.Fatal(err)
	}
	if got := atomic.LoadInt32(&w.intakeCalls); got != 2 {
		t.Fatalf("intake ran %d times before the restart", got)
	}

	clock2 := asl.NewFakeClock(clock.Now().Add(10 * time.Minute))
	s2 := newService(t, stepfunctions.Options{Dir: dir, Functions: w.functions(), Clock: clock2})
	if _, err := s2.DescribeStateMachine(ctx, sm.Arn); err != nil {
		t.Fatal(err)
	}
	if err := s2.SendTaskSuccess(ctx, tok, `{"approved":true}`); err != nil {
		t.Fatalf("old token after restart: %v", err)
	}
	got := waitStatus(t, s2, atToken.Arn, stepfunctions.StatusSucceeded)
	if got.Output != `{"case":"a","decision":{"approved":true},"intake":{"shards":[0,1,2]},"sent":[0,10,20],"wait":0}` {
		t.Fatalf("output %s", got.Output)
	}
	// the Wait resumes with its original deadline: 50 minutes are left.
	if !clock2.WaitForTimers(1, 5*time.Second) {
		t.Fatal("Wait not resumed")
	}
	if d, _ := clock2.NextDeadline(); d.Sub(clock2.Now()) != 50*time.Minute {
		t.Fatalf("resumed Wait has %v left, want 50m", d.Sub(clock2.Now()))
	}
	clock2.Advance(50 * time.Minute)
	if err := s2.SendTaskSuccess(ctx, w.token(t), `{"approved":true}`); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, s2, atWait.Arn, stepfunctions.StatusSucceeded)
	if i, n := atomic.LoadInt32(&w.intakeCalls), atomic.LoadInt32(&w.notifyCalls); i != 2 || n != 2 {
		t.Fatalf("after restart: intake ran %d times, notify %d times; want 2 and 2 (no re-runs)", i, n)
	}
	// a closed execution's history survives a further restart
	_ = s2.Close()
	s3 := newService(t, stepfunctions.Options{Dir: dir, Functions: w.functions()})
	hist, err := s3.GetExecutionHistory(ctx, atToken.Arn)
	if err != nil || hist[len(hist)-1].Type != "ExecutionSucceeded" {
		t.Fatalf("history after restart: %v %v", len(hist), err)
	}
}

// TestRestartInsideMapAndParallel resumes task tokens issued inside Map
// iterations nested in a Parallel branch.
func TestRestartInsideMapAndParallel(t *testing.T) {
	dir := t.TempDir()
	w := newWorld()
	def := `{"StartAt":"Par","States":{"Par":{"Type":"Parallel","End":true,"Branches":[
	  {"StartAt":"Quick","States":{"Quick":{"Type":"Pass","Result":"quick","End":true}}},
	  {"StartAt":"Each","States":{"Each":{"Type":"Map","ItemsPath":"$.cases","End":true,
	    "ItemProcessor":{"StartAt":"Ask","States":{"Ask":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken",
	      "Parameters":{"FunctionName":"notify","Payload":{"token.$":"$$.Task.Token"}},"End":true}}}}}}]}}}`
	s1, err := stepfunctions.New(stepfunctions.Options{Dir: dir, Functions: w.functions()})
	if err != nil {
		t.Fatal(err)
	}
	sm, _ := s1.CreateStateMachine(ctx, stepfunctions.CreateStateMachineInput{Name: "nested", Definition: def})
	ex, err := s1.StartExecution(ctx, stepfunctions.StartExecutionInput{StateMachineArn: sm.Arn, Input: `{"cases":[1,2,3]}`})
	if err != nil {
		t.Fatal(err)
	}
	toks := []string{w.token(t), w.token(t), w.token(t)}
	if err := s1.SendTaskSuccess(ctx, toks[0], `"first"`); err != nil {
		t.Fatal(err)
	}
	// the first result is journaled once the history shows it
	waitEvent(t, s1, ex.Arn, "MapIterationSucceeded", 1)
	waitEvent(t, s1, ex.Arn, "TaskSubmitted", 3)
	if err := s1.Close(); err != nil {
		t.Fatal(err)
	}
	s2 := newService(t, stepfunctions.Options{Dir: dir, Functions: w.functions()})
	for _, tok := range toks[1:] {
		if err := s2.SendTaskSuccess(ctx, tok, `"later"`); err != nil {
			t.Fatal(err)
		}
	}
	if err := s2.SendTaskSuccess(ctx, toks[0], `"again"`); err == nil {
		t.Fatal("a token completed before the restart was accepted again")
	}
	got := waitStatus(t, s2, ex.Arn, stepfunctions.StatusSucceeded)
	if n := atomic.LoadInt32(&w.notifyCalls); n != 3 {
		t.Fatalf("notify ran %d times, want 3 (no re-invocation on resume)", n)
	}
	// tokens reach the test in any order, so only the multiset is known
	if strings.Count(got.Output, `"first"`) != 1 || strings.Count(got.Output, `"later"`) != 2 || !strings.HasPrefix(got.Output, `["quick",[`) {
		t.Fatalf("output %s", got.Output)
	}
}

func waitBriefly() { time.Sleep(200 * time.Microsecond) }

func TestStopExecutionReleasesTaskToken(t *testing.T) {
	w := newWorld()
	s := newService(t, stepfunctions.Options{Functions: w.functions()})
	sm, _ := s.CreateStateMachine(ctx, stepfunctions.CreateStateMachineInput{Name: "breach", Definition: definition(t, "approval.asl.json")})
	ex, _ := s.StartExecution(ctx, stepfunctions.StartExecutionInput{StateMachineArn: sm.Arn, Input: `{"case":"c","wait":0}`})
	tok := w.token(t)
	if _, err := s.StopExecution(ctx, ex.Arn, "", ""); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.SendTaskSuccess(ctx, tok, `{}`), stepfunctions.CodeTaskDoesNotExist)
	_, err := s.StopExecution(ctx, "arn:aws:states:us-east-1:123456789012:execution:breach:nope", "", "")
	wantCode(t, err, stepfunctions.CodeExecutionDoesNotExist)
}

func TestExpressExecutionsAndDeleteWhileRunning(t *testing.T) {
	w := newWorld()
	s := newService(t, stepfunctions.Options{Functions: w.functions()})
	ex, err := s.CreateStateMachine(ctx, stepfunctions.CreateStateMachineInput{Name: "quick", Type: stepfunctions.TypeExpress,
		Definition: `{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`})
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.StartExecution(ctx, stepfunctions.StartExecutionInput{StateMachineArn: ex.Arn, Name: "same", Input: `{"n":1}`})
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.StartExecution(ctx, stepfunctions.StartExecutionInput{StateMachineArn: ex.Arn, Name: "same", Input: `{"n":1}`})
	if err != nil || a.Arn == b.Arn || !strings.Contains(a.Arn, ":express:quick:same:") {
		t.Fatalf("express executions %s and %s (%v): each start is a new execution", a.Arn, b.Arn, err)
	}
	if got := waitStatus(t, s, a.Arn, stepfunctions.StatusSucceeded); got.Output != `{"n":1}` {
		t.Fatalf("output %s", got.Output)
	}

	std, _ := s.CreateStateMachine(ctx, stepfunctions.CreateStateMachineInput{Name: "breach", Definition: definition(t, "approval.asl.json")})
	run, _ := s.StartExecution(ctx, stepfunctions.StartExecutionInput{StateMachineArn: std.Arn, Input: `{"case":"c","wait":0}`})
	tok := w.token(t)
	if err := s.DeleteStateMachine(ctx, std.Arn); err != nil {
		t.Fatal(err)
	}
	if err := s.SendTaskSuccess(ctx, tok, `{"approved":false}`); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, s, run.Arn, stepfunctions.StatusFailed)
}

// waitEvent waits until the history holds n events of type typ.
func waitEvent(t *testing.T, s *stepfunctions.Service, arn, typ string, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		h, err := s.GetExecutionHistory(ctx, arn)
		if err != nil {
			t.Fatal(err)
		}
		got := 0
		for _, e := range h {
			if e.Type == typ {
				got++
			}
		}
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d %s events, want %d", got, typ, n)
		}
		time.Sleep(time.Millisecond)
	}
}
