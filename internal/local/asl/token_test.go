package asl_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"breachflow/internal/local/asl"
)

const callbackDef = `{"StartAt":"Approve","States":{"Approve":{"Type":"Task",
  "Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken",
  "Parameters":{"FunctionName":"notify","Payload":{"token.$":"$$.Task.Token","case.$":"$.case"}},
  "HeartbeatSeconds":10,"TimeoutSeconds":100,"ResultPath":"$.decision",
  "Catch":[{"ErrorEquals":["States.HeartbeatTimeout"],"ResultPath":"$.err","Next":"Escalate"}],"End":true},
  "Escalate":{"Type":"Pass","Result":"escalated","ResultPath":"$.escalation","End":true}}}`

// tokenSink is a notify function that hands the token to the test.
func tokenSink() (lambda.Handler, <-chan string) {
	ch := make(chan string, 4)
	return lambda.NewHandler(func(in struct {
		Token string `json:"token"`
	}) error {
		ch <- in.Token
		return nil
	}), ch
}

func recvToken(t *testing.T, ch <-chan string) string {
	t.Helper()
	select {
	case tok := <-ch:
		if !asl.ValidTaskToken(tok) {
			t.Fatalf("token %q is not valid", tok)
		}
		return tok
	case <-time.After(5 * time.Second):
		t.Fatal("no token")
	}
	return ""
}

func TestWaitForTaskTokenSuccess(t *testing.T) {
	notify, tokens := tokenSink()
	reg := asl.NewTaskTokens()
	_, done := start(t, callbackDef, `{"case":"c1"}`, asl.Options{Functions: map[string]lambda.Handler{"notify": notify}}, asl.Hooks{Tokens: reg})
	tok := recvToken(t, tokens)
	select {
	case <-done:
		t.Fatal("finished without the token")
	case <-time.After(20 * time.Millisecond):
	}
	if err := reg.Heartbeat(tok); err != nil {
		t.Fatal(err)
	}
	if err := reg.Succeed(tok, `{"approved":true}`); err != nil {
		t.Fatal(err)
	}
	r := finished(t, done)
	if got := mustJSON(r.out); got != `{"case":"c1","decision":{"approved":true}}` {
		t.Fatalf("got %s %v", got, r.err)
	}
	if err := reg.Succeed(tok, `{}`); !errors.Is(err, asl.ErrTokenUnknown) {
		t.Fatalf("second completion: %v, want ErrTokenUnknown", err)
	}
	if err := reg.Succeed("not-a-token", `{}`); !errors.Is(err, asl.ErrTokenInvalid) {
		t.Fatalf("malformed: %v, want ErrTokenInvalid", err)
	}
}

func TestWaitForTaskTokenFailure(t *testing.T) {
	notify, tokens := tokenSink()
	reg := asl.NewTaskTokens()
	_, done := start(t, callbackDef, `{"case":"c1"}`, asl.Options{Functions: map[string]lambda.Handler{"notify": notify}}, asl.Hooks{Tokens: reg})
	if err := reg.Fail(recvToken(t, tokens), "Rejected", "no"); err != nil {
		t.Fatal(err)
	}
	if r := finished(t, done); r.err == nil || r.err.Name != "Rejected" || r.err.Cause != "no" {
		t.Fatalf("got %v", r.err)
	}
}

func TestHeartbeatTimeout(t *testing.T) {
	notify, tokens := tokenSink()
	reg := asl.NewTaskTokens()
	clock, done := start(t, callbackDef, `{"case":"c1"}`, asl.Options{Functions: map[string]lambda.Handler{"notify": notify}}, asl.Hooks{Tokens: reg})
	tok := recvToken(t, tokens)
	if !clock.WaitForTimers(2, 5*time.Second) { // task timeout and heartbeat
		t.Fatal("no timers")
	}
	clock.Advance(8 * time.Second)
	if err := reg.Heartbeat(tok); err != nil {
		t.Fatal(err)
	}
	if !clock.WaitForTimers(3, 5*time.Second) { // a renewed heartbeat timer joins the old one and the task timeout
		t.Fatal("heartbeat timer not renewed")
	}
	clock.Advance(8 * time.Second) // 16 s: 8 s after the heartbeat
	select {
	case r := <-done:
		t.Fatalf("timed out despite the heartbeat: %v", r.err)
	case <-time.After(20 * time.Millisecond):
	}
	clock.Advance(3 * time.Second) // 11 s after the heartbeat
	r := finished(t, done)
	if r.err != nil || mustJSON(r.out) != `{"case":"c1","err":{"Cause":"","Error":"States.HeartbeatTimeout"},"escalation":"escalated"}` {
		t.Fatalf("got %s %v", mustJSON(r.out), r.err)
	}
	if err := reg.Succeed(tok, `{}`); !errors.Is(err, asl.ErrTokenTimedOut) {
		t.Fatalf("late completion: %v, want ErrTokenTimedOut", err)
	}
}

func TestContextObject(t *testing.T) {
	var mu sync.Mutex
	var seen []any
	rec := lambda.NewHandler(func(v any) (any, error) {
		mu.Lock()
		seen = append(seen, v)
		mu.Unlock()
		if len(seen) == 1 {
			return nil, &CustomError{"again"}
		}
		return "done", nil
	})
	def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:rec",
	  "Parameters":{"ctx.$":"$$"},"Retry":[{"ErrorEquals":["CustomError"],"IntervalSeconds":1}],"End":true}}}`
	clock, done := start(t, def, `{"in":1}`, asl.Options{Functions: map[string]lambda.Handler{"rec": rec}}, asl.Hooks{})
	clock.Advance(nextDelay(t, clock))
	if r := finished(t, done); r.err != nil {
		t.Fatal(r.err)
	}
	want := []string{
		`{"ctx":{"Execution":{"Id":"","Input":{"in":1},"Name":"e","RedriveCount":0,"RoleArn":"","StartTime":"2024-05-01T12:00:00.000Z"},"State":{"EnteredTime":"2024-05-01T12:00:00.000Z","Name":"T","RetryCount":0},"StateMachine":{"Id":"","Name":""}}}`,
		`{"ctx":{"Execution":{"Id":"","Input":{"in":1},"Name":"e","RedriveCount":0,"RoleArn":"","StartTime":"2024-05-01T12:00:00.000Z"},"State":{"EnteredTime":"2024-05-01T12:00:00.000Z","Name":"T","RetryCount":1},"StateMachine":{"Id":"","Name":""}}}`,
	}
	for i, w := range want {
		if got := mustJSON(seen[i]); got != w {
			t.Errorf("attempt %d context:\n got %s\nwant %s", i, got, w)
		}
	}
}

func TestHistoryEvents(t *testing.T) {
	def := `{"StartAt":"P","States":{"P":{"Type":"Pass","Next":"M"},
	  "M":{"Type":"Map","ItemProcessor":{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"echo","Payload.$":"$"},"OutputPath":"$.Payload","End":true}}},"Next":"L"},
	  "L":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:echo","End":true}}}`
	var mu sync.Mutex
	var types []string
	emit := func(ev asl.Event, prev int64) int64 {
		mu.Lock()
		defer mu.Unlock()
		types = append(types, ev.Type)
		if _, err := asl.EncodeJSON(ev.Details); err != nil {
			t.Errorf("%s details: %v", ev.Type, err)
		}
		return int64(len(types))
	}
	_, done := start(t, def, `[1]`, asl.Options{Functions: testFunctions()}, asl.Hooks{Emit: emit})
	if r := finished(t, done); r.err != nil {
		t.Fatal(r.err)
	}
	want := []string{"PassStateEntered", "PassStateExited", "MapStateEntered", "MapStateStarted", "MapIterationStarted",
		"TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskStateExited", "MapIterationSucceeded",
		"MapStateSucceeded", "MapStateExited", "TaskStateEntered", "LambdaFunctionScheduled", "LambdaFunctionStarted",
		"LambdaFunctionSucceeded", "TaskStateExited"}
	if mustJSON(types) != mustJSON(want) {
		t.Fatalf("events\n got %v\nwant %v", types, want)
	}
}

func TestParametersOverLimitIsDataLimitExceeded(t *testing.T) {
	def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:echo","Parameters":{"a.$":"$.s","b.$":"$.s"},"End":true}}}`
	in := `{"s":"` + string(make([]byte, 0)) + repeat("y", 140*1024) + `"}`
	_, done := start(t, def, in, asl.Options{Functions: testFunctions()}, asl.Hooks{})
	if r := finished(t, done); r.err == nil || r.err.Name != asl.ErrDataLimitExceeded {
		t.Fatalf("got %v", r.err)
	}
}

func repeat(s string, n int) string {
	b := make([]byte, 0, n*len(s))
	for i := 0; i < n; i++ {
		b = append(b, s...)
	}
	return string(b)
}

func TestHistoryOfCaughtError(t *testing.T) {
	def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:custom-error",
	  "Catch":[{"ErrorEquals":["CustomError"],"Next":"H"}],"End":true},"H":{"Type":"Pass","End":true}}}`
	var types []string
	var mu sync.Mutex
	emit := func(ev asl.Event, _ int64) int64 {
		mu.Lock()
		defer mu.Unlock()
		types = append(types, ev.Type)
		return int64(len(types))
	}
	_, done := start(t, def, `{}`, asl.Options{Functions: testFunctions()}, asl.Hooks{Emit: emit})
	if r := finished(t, done); r.err != nil {
		t.Fatal(r.err)
	}
	want := []string{"TaskStateEntered", "LambdaFunctionScheduled", "LambdaFunctionStarted", "LambdaFunctionFailed", "PassStateEntered", "PassStateExited"}
	if mustJSON(types) != mustJSON(want) {
		t.Fatalf("events\n got %v\nwant %v", types, want)
	}
}
