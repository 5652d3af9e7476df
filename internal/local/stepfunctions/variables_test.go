package stepfunctions_test

import (
	"encoding/json"
	"sync/atomic"
	"testing"
	"time"

	"breachflow/internal/local/asl"
	"breachflow/internal/local/stepfunctions"
)

// A JSONata execution with variables resumes after a restart: the variables
// come back with the replayed states, a $uuid() drawn before the restart is
// the same after it, and StateExited events carry assignedVariables.
func TestRestartKeepsVariables(t *testing.T) {
	dir := t.TempDir()
	w := newWorld()
	clock := asl.NewFakeClock(time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC))
	s1, err := stepfunctions.New(stepfunctions.Options{Dir: dir, Functions: w.functions(), Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	sm, err := s1.CreateStateMachine(ctx, stepfunctions.CreateStateMachineInput{Name: "breach-jsonata", Definition: definition(t, "approval-jsonata.asl.json")})
	if err != nil {
		t.Fatal(err)
	}
	ex, err := s1.StartExecution(ctx, stepfunctions.StartExecutionInput{StateMachineArn: sm.Arn, Name: "vars", Input: `{"case":"a"}`})
	if err != nil {
		t.Fatal(err)
	}
	tok := w.token(t)
	waitEvent(t, s1, ex.Arn, "TaskSubmitted", 1)
	hist, err := s1.GetExecutionHistory(ctx, ex.Arn)
	if err != nil {
		t.Fatal(err)
	}
	var assigned map[string]string
	for _, ev := range hist {
		if ev.Type == "TaskStateExited" {
			assigned = ev.Details.(*asl.StateExitedDetails).AssignedVariables
		}
	}
	if assigned["shards"] != "[0,1,2]" || len(assigned["requestId"]) != 38 {
		t.Fatalf("Intake's assignedVariables = %v", assigned)
	}
	if err := s1.Close(); err != nil {
		t.Fatal(err)
	}

	s2 := newService(t, stepfunctions.Options{Dir: dir, Functions: w.functions(), Clock: asl.NewFakeClock(clock.Now().Add(time.Minute))})
	if err := s2.SendTaskSuccess(ctx, tok, `{"approved":true}`); err != nil {
		t.Fatal(err)
	}
	got := waitStatus(t, s2, ex.Arn, stepfunctions.StatusSucceeded)
	var out struct {
		Case      string          `json:"case"`
		Shards    []int           `json:"shards"`
		Decision  json.RawMessage `json:"decision"`
		RequestID string          `json:"requestId"`
	}
	if err := json.Unmarshal([]byte(got.Output), &out); err != nil {
		t.Fatal(err)
	}
	if out.Case != "a" || len(out.Shards) != 3 || string(out.Decision) != `{"approved":true}` || `"`+out.RequestID+`"` != assigned["requestId"] {
		t.Fatalf("output %s; requestId before the restart %s", got.Output, assigned["requestId"])
	}
	if n := atomic.LoadInt32(&w.intakeCalls); n != 1 {
		t.Fatalf("intake ran %d times", n)
	}
}
