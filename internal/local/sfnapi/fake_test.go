package sfnapi_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"breachflow/internal/local/asl"
	"breachflow/internal/local/sfnapi"
	"breachflow/internal/local/stepfunctions"
)

// fakeService is a tiny in-memory stand-in for *stepfunctions.Service, used
// to pin the HTTP shapes, paging and error mapping independently of the
// engine. It knows one token, "tok-1".
type fakeService struct {
	mu     sync.Mutex
	sms    map[string]stepfunctions.StateMachine
	execs  map[string]stepfunctions.Execution
	events []stepfunctions.HistoryEvent
	tokens map[string]bool
	panics bool
}

var t0 = time.Date(2026, 11, 23, 12, 0, 0, 123_000_000, time.UTC)

func newFake() *fakeService {
	f := &fakeService{sms: map[string]stepfunctions.StateMachine{}, execs: map[string]stepfunctions.Execution{}, tokens: map[string]bool{"tok-1": true}}
	for i := range 250 {
		f.events = append(f.events, stepfunctions.HistoryEvent{
			ID: int64(i + 1), PreviousEventID: int64(i), Timestamp: t0.Add(time.Duration(i) * time.Millisecond),
			Type: "PassStateEntered", DetailsField: "stateEnteredEventDetails",
			Details: map[string]any{"name": fmt.Sprintf("S%d", i+1), "input": "{}"},
		})
	}
	return f
}

func notFound(code, arn string) error {
	return &stepfunctions.APIError{Code: code, Message: "does not exist: " + arn}
}

func (f *fakeService) CreateStateMachine(_ context.Context, in stepfunctions.CreateStateMachineInput) (stepfunctions.StateMachine, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if in.Definition == "bad" {
		return stepfunctions.StateMachine{}, &stepfunctions.APIError{Code: stepfunctions.CodeInvalidDefinition, Message: "state \"A\": missing Next"}
	}
	arn := "arn:aws:states:us-east-1:123456789012:stateMachine:" + in.Name
	sm := stepfunctions.StateMachine{Arn: arn, Name: in.Name, Definition: in.Definition, RoleArn: in.RoleArn, Type: "STANDARD", Status: "ACTIVE", CreationDate: t0}
	f.sms[arn] = sm
	return sm, nil
}

func (f *fakeService) DescribeStateMachine(_ context.Context, arn string) (stepfunctions.StateMachine, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	sm, ok := f.sms[arn]
	if !ok {
		return sm, notFound(stepfunctions.CodeStateMachineDoesNotExist, arn)
	}
	return sm, nil
}

func (f *fakeService) ListStateMachines(context.Context) ([]stepfunctions.StateMachine, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []stepfunctions.StateMachine
	for _, sm := range f.sms {
		out = append(out, sm)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func (f *fakeService) DeleteStateMachine(_ context.Context, arn string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.sms, arn)
	return nil
}

func (f *fakeService) StartExecution(_ context.Context, in stepfunctions.StartExecutionInput) (stepfunctions.Execution, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.panics {
		panic("engine bug")
	}
	if _, ok := f.sms[in.StateMachineArn]; !ok {
		return stepfunctions.Execution{}, notFound(stepfunctions.CodeStateMachineDoesNotExist, in.StateMachineArn)
	}
	arn := "arn:aws:states:us-east-1:123456789012:execution:x:" + in.Name
	if _, ok := f.execs[arn]; ok {
		return stepfunctions.Execution{}, &stepfunctions.APIError{Code: stepfunctions.CodeExecutionAlreadyExists, Message: "Execution Already Exists: '" + arn + "'"}
	}
	ex := stepfunctions.Execution{Arn: arn, StateMachineArn: in.StateMachineArn, Name: in.Name, Status: "SUCCEEDED", StartDate: t0, StopDate: t0.Add(time.Second), Input: in.Input, Output: `{"ok":true}`}
	f.execs[arn] = ex
	return ex, nil
}

func (f *fakeService) DescribeExecution(_ context.Context, arn string) (stepfunctions.Execution, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	ex, ok := f.execs[arn]
	if !ok {
		return ex, notFound(stepfunctions.CodeExecutionDoesNotExist, arn)
	}
	return ex, nil
}

func (f *fakeService) ListExecutions(_ context.Context, smArn, status string) ([]stepfunctions.Execution, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []stepfunctions.Execution
	for _, ex := range f.execs {
		if ex.StateMachineArn == smArn && (status == "" || ex.Status == status) {
			out = append(out, ex)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func (f *fakeService) GetExecutionHistory(_ context.Context, arn string) ([]stepfunctions.HistoryEvent, error) {
	if _, err := f.DescribeExecution(context.Background(), arn); err != nil {
		return nil, err
	}
	return f.events, nil
}

func (f *fakeService) StopExecution(_ context.Context, arn, _, _ string) (time.Time, error) {
	if _, err := f.DescribeExecution(context.Background(), arn); err != nil {
		return time.Time{}, err
	}
	return t0.Add(2 * time.Second), nil
}

func (f *fakeService) RedriveExecution(_ context.Context, arn string) (stepfunctions.Execution, error) {
	ex, err := f.DescribeExecution(context.Background(), arn)
	if err != nil {
		return stepfunctions.Execution{}, err
	}
	ex.RedriveCount, ex.RedriveDate = ex.RedriveCount+1, t0.Add(3*time.Second)
	return ex, nil
}

func (f *fakeService) token(tok string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case tok == "garbage":
		return &stepfunctions.APIError{Code: stepfunctions.CodeInvalidToken, Message: "Invalid Token"}
	case !f.tokens[tok]:
		return &stepfunctions.APIError{Code: stepfunctions.CodeTaskDoesNotExist, Message: "Task Does Not Exist"}
	}
	return nil
}

func (f *fakeService) SendTaskSuccess(_ context.Context, tok, _ string) error { return f.token(tok) }
func (f *fakeService) SendTaskFailure(_ context.Context, tok, _, _ string) error {
	return f.token(tok)
}
func (f *fakeService) SendTaskHeartbeat(_ context.Context, tok string) error { return f.token(tok) }

// client returns an sfn client for the API at url, with static credentials
// and no retries (a retried 500 would hide what the server answered).
func client(url string) *sfn.Client {
	return sfn.New(sfn.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(url),
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDLOCAL", "secret", ""),
		RetryMaxAttempts: 1,
	})
}

// engineClient is the client of tests against the real engine and the
// fake: the SDK's standard retries, as a real caller has them. The Go
// transport can close a keep-alive connection under a response it is
// still reading (the SDK then reports "use of closed network connection"
// with status 200, and retries it: aws/aws-sdk-go-v2#2737, #2949); with
// one attempt such a read failed a test in loaded full runs (an engine
// test once, TestHistoryPagingAndOrder on the fake once).
func engineClient(url string) *sfn.Client {
	c := client(url)
	return sfn.New(c.Options(), func(o *sfn.Options) { o.RetryMaxAttempts = 3 })
}

func serveFake(t *testing.T) (*fakeService, *sfn.Client, string) {
	t.Helper()
	f := newFake()
	srv := httptest.NewServer(sfnapi.NewHandler(f, nil))
	t.Cleanup(srv.Close)
	return f, engineClient(srv.URL), srv.URL
}

// TestState echoes the request's input and variables back as the tested
// state's output and inspection data, so that protocol tests see every
// member cross the wire.
func (f *fakeService) TestState(_ context.Context, in stepfunctions.TestStateInput) (*asl.TestStateResult, error) {
	one := 1
	return &asl.TestStateResult{Status: asl.TestRetriable, Output: in.Input, NextState: in.StateName, Error: "E", Cause: "C",
		Inspection: &asl.Inspection{Input: in.Input, Variables: in.Variables, RetryIndex: &one, RetryBackoffIntervalSeconds: &one}}, nil
}
