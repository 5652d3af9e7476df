package sfnapi

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"breachflow/internal/local/stepfunctions"
)

// epoch renders a time as AWS JSON 1.0 does: epoch seconds, milliseconds as
// the fraction. The zero time is omitted (nil).
func epoch(t time.Time) *json.Number {
	if t.IsZero() {
		return nil
	}
	n := json.Number(strconv.FormatFloat(float64(t.UnixMilli())/1000, 'f', -1, 64))
	return &n
}

type stateMachineItem struct {
	StateMachineArn string       `json:"stateMachineArn"`
	Name            string       `json:"name"`
	Type            string       `json:"type"`
	CreationDate    *json.Number `json:"creationDate,omitempty"`
}

type loggingConfiguration struct {
	Level                string `json:"level"`
	IncludeExecutionData bool   `json:"includeExecutionData"`
}

type describeStateMachineOutput struct {
	stateMachineItem
	Status               string               `json:"status,omitempty"`
	Definition           string               `json:"definition"`
	RoleArn              string               `json:"roleArn"`
	LoggingConfiguration loggingConfiguration `json:"loggingConfiguration"`
}

func createStateMachine(ctx context.Context, svc Service, body []byte) (any, error) {
	var in struct {
		Name       string `json:"name"`
		Definition string `json:"definition"`
		RoleArn    string `json:"roleArn"`
		Type       string `json:"type"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := required("name", in.Name, "definition", in.Definition, "roleArn", in.RoleArn); err != nil {
		return nil, err
	}
	if in.Type != "" && in.Type != stepfunctions.TypeStandard && in.Type != stepfunctions.TypeExpress {
		return nil, errorf(CodeValidation, "1 validation error detected: Value '%s' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, EXPRESS]", in.Type)
	}
	sm, err := svc.CreateStateMachine(ctx, stepfunctions.CreateStateMachineInput{Name: in.Name, Definition: in.Definition, RoleArn: in.RoleArn, Type: in.Type})
	if err != nil {
		return nil, err
	}
	return struct {
		StateMachineArn string       `json:"stateMachineArn"`
		CreationDate    *json.Number `json:"creationDate"`
	}{sm.Arn, epoch(sm.CreationDate)}, nil
}

type stateMachineArnInput struct {
	StateMachineArn string `json:"stateMachineArn"`
}

func describeStateMachine(ctx context.Context, svc Service, body []byte) (any, error) {
	var in stateMachineArnInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := required("stateMachineArn", in.StateMachineArn); err != nil {
		return nil, err
	}
	sm, err := svc.DescribeStateMachine(ctx, in.StateMachineArn)
	if err != nil {
		return nil, err
	}
	return describeStateMachineOutput{
		stateMachineItem:     stateMachineItem{sm.Arn, sm.Name, sm.Type, epoch(sm.CreationDate)},
		Status:               sm.Status,
		Definition:           sm.Definition,
		RoleArn:              sm.RoleArn,
		LoggingConfiguration: loggingConfiguration{Level: "OFF"},
	}, nil
}

func deleteStateMachine(ctx context.Context, svc Service, body []byte) (any, error) {
	var in stateMachineArnInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := required("stateMachineArn", in.StateMachineArn); err != nil {
		return nil, err
	}
	if err := svc.DeleteStateMachine(ctx, in.StateMachineArn); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

type pageInput struct {
	MaxResults int    `json:"maxResults"`
	NextToken  string `json:"nextToken"`
}

// page returns the slice [from, to) of n items that maxResults and nextToken
// select, and the token of the next page ("" on the last). scope ties a
// token to the list it came from.
func (p pageInput) page(n int, scope string) (from, to int, next string, err error) {
	limit := p.MaxResults
	if limit < 0 || limit > 1000 {
		return 0, 0, "", errorf(CodeValidation, "1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000", limit)
	}
	if limit == 0 {
		limit = 100
	}
	if p.NextToken != "" {
		raw, derr := base64.RawURLEncoding.DecodeString(p.NextToken)
		off, s, ok := strings.Cut(string(raw), ":")
		from, perr := strconv.Atoi(off)
		if derr != nil || !ok || perr != nil || s != scope || from < 0 || from > n {
			return 0, 0, "", errorf(stepfunctions.CodeInvalidToken, "Invalid Token: the nextToken does not belong to this request")
		}
		to = min(from+limit, n)
		return from, to, nextToken(to, n, scope), nil
	}
	to = min(limit, n)
	return 0, to, nextToken(to, n, scope), nil
}

func nextToken(to, n int, scope string) string {
	if to >= n {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf("%d:%s", to, scope)))
}

func listStateMachines(ctx context.Context, svc Service, body []byte) (any, error) {
	var in pageInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	sms, err := svc.ListStateMachines(ctx)
	if err != nil {
		return nil, err
	}
	from, to, next, err := in.page(len(sms), "sm")
	if err != nil {
		return nil, err
	}
	items := make([]stateMachineItem, 0, to-from)
	for _, sm := range sms[from:to] {
		items = append(items, stateMachineItem{sm.Arn, sm.Name, sm.Type, epoch(sm.CreationDate)})
	}
	return struct {
		StateMachines []stateMachineItem `json:"stateMachines"`
		NextToken     string             `json:"nextToken,omitempty"`
	}{items, next}, nil
}

func startExecution(ctx context.Context, svc Service, body []byte) (any, error) {
	var in struct {
		StateMachineArn string  `json:"stateMachineArn"`
		Name            string  `json:"name"`
		Input           *string `json:"input"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := required("stateMachineArn", in.StateMachineArn); err != nil {
		return nil, err
	}
	input := ""
	if in.Input != nil {
		input = *in.Input
	}
	ex, err := svc.StartExecution(ctx, stepfunctions.StartExecutionInput{StateMachineArn: in.StateMachineArn, Name: in.Name, Input: input})
	if err != nil {
		return nil, err
	}
	return struct {
		ExecutionArn string       `json:"executionArn"`
		StartDate    *json.Number `json:"startDate"`
	}{ex.Arn, epoch(ex.StartDate)}, nil
}

type executionArnInput struct {
	ExecutionArn string `json:"executionArn"`
}

type dataDetails struct {
	Included bool `json:"included"`
}

type executionItem struct {
	ExecutionArn    string       `json:"executionArn"`
	StateMachineArn string       `json:"stateMachineArn"`
	Name            string       `json:"name"`
	Status          string       `json:"status"`
	StartDate       *json.Number `json:"startDate"`
	StopDate        *json.Number `json:"stopDate,omitempty"`
}

func describeExecution(ctx context.Context, svc Service, body []byte) (any, error) {
	var in executionArnInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := required("executionArn", in.ExecutionArn); err != nil {
		return nil, err
	}
	ex, err := svc.DescribeExecution(ctx, in.ExecutionArn)
	if err != nil {
		return nil, err
	}
	out := struct {
		executionItem
		Input         string       `json:"input"`
		InputDetails  dataDetails  `json:"inputDetails"`
		Output        *string      `json:"output,omitempty"`
		OutputDetails *dataDetails `json:"outputDetails,omitempty"`
		Error         string       `json:"error,omitempty"`
		Cause         string       `json:"cause,omitempty"`
		RedriveCount  int          `json:"redriveCount"`
		RedriveDate   *json.Number `json:"redriveDate,omitempty"`
		RedriveStatus string       `json:"redriveStatus"`
	}{
		executionItem: executionItem{ex.Arn, ex.StateMachineArn, ex.Name, ex.Status, epoch(ex.StartDate), epoch(ex.StopDate)},
		Input:         ex.Input,
		InputDetails:  dataDetails{Included: true},
		Error:         ex.Error,
		Cause:         ex.Cause,
		RedriveCount:  ex.RedriveCount,
		RedriveDate:   epoch(ex.RedriveDate),
		RedriveStatus: redriveStatus(ex.Status),
	}
	if ex.Status == stepfunctions.StatusSucceeded {
		out.Output = &ex.Output
		out.OutputDetails = &dataDetails{Included: true}
	}
	return out, nil
}

// redriveStatus is DescribeExecution's redriveStatus: whether the
// execution could be redriven now.
func redriveStatus(status string) string {
	switch status {
	case stepfunctions.StatusFailed, stepfunctions.StatusTimedOut, stepfunctions.StatusAborted:
		return "REDRIVABLE"
	}
	return "NOT_REDRIVABLE"
}

var executionStatuses = []string{"RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE"}

func listExecutions(ctx context.Context, svc Service, body []byte) (any, error) {
	var in struct {
		pageInput
		StateMachineArn string `json:"stateMachineArn"`
		StatusFilter    string `json:"statusFilter"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := required("stateMachineArn", in.StateMachineArn); err != nil {
		return nil, err
	}
	if in.StatusFilter != "" && !slices.Contains(executionStatuses, in.StatusFilter) {
		return nil, errorf(CodeValidation, "1 validation error detected: Value '%s' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [%s]", in.StatusFilter, strings.Join(executionStatuses, ", "))
	}
	exs, err := svc.ListExecutions(ctx, in.StateMachineArn, in.StatusFilter)
	if err != nil {
		return nil, err
	}
	from, to, next, err := in.page(len(exs), in.StateMachineArn+"|"+in.StatusFilter)
	if err != nil {
		return nil, err
	}
	items := make([]executionItem, 0, to-from)
	for _, ex := range exs[from:to] {
		items = append(items, executionItem{ex.Arn, ex.StateMachineArn, ex.Name, ex.Status, epoch(ex.StartDate), epoch(ex.StopDate)})
	}
	return struct {
		Executions []executionItem `json:"executions"`
		NextToken  string          `json:"nextToken,omitempty"`
	}{items, next}, nil
}

func getExecutionHistory(ctx context.Context, svc Service, body []byte) (any, error) {
	var in struct {
		pageInput
		ExecutionArn string `json:"executionArn"`
		ReverseOrder bool   `json:"reverseOrder"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := required("executionArn", in.ExecutionArn); err != nil {
		return nil, err
	}
	events, err := svc.GetExecutionHistory(ctx, in.ExecutionArn)
	if err != nil {
		return nil, err
	}
	if in.ReverseOrder {
		events = slices.Clone(events)
		slices.Reverse(events)
	}
	from, to, next, err := in.page(len(events), in.ExecutionArn+"|"+strconv.FormatBool(in.ReverseOrder))
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, 0, to-from)
	for _, ev := range events[from:to] {
		m := map[string]any{
			"timestamp":       epoch(ev.Timestamp),
			"type":            ev.Type,
			"id":              ev.ID,
			"previousEventId": ev.PreviousEventID,
		}
		if ev.DetailsField != "" && ev.Details != nil {
			m[ev.DetailsField] = ev.Details
		}
		out = append(out, m)
	}
	return struct {
		Events    []map[string]any `json:"events"`
		NextToken string           `json:"nextToken,omitempty"`
	}{out, next}, nil
}

func stopExecution(ctx context.Context, svc Service, body []byte) (any, error) {
	var in struct {
		ExecutionArn string `json:"executionArn"`
		Error        string `json:"error"`
		Cause        string `json:"cause"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := required("executionArn", in.ExecutionArn); err != nil {
		return nil, err
	}
	stop, err := svc.StopExecution(ctx, in.ExecutionArn, in.Error, in.Cause)
	if err != nil {
		return nil, err
	}
	return struct {
		StopDate *json.Number `json:"stopDate"`
	}{epoch(stop)}, nil
}

func redriveExecution(ctx context.Context, svc Service, body []byte) (any, error) {
	var in struct {
		ExecutionArn string `json:"executionArn"`
		ClientToken  string `json:"clientToken"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := required("executionArn", in.ExecutionArn); err != nil {
		return nil, err
	}
	ex, err := svc.RedriveExecution(ctx, in.ExecutionArn)
	if err != nil {
		return nil, err
	}
	return struct {
		RedriveDate *json.Number `json:"redriveDate"`
	}{epoch(ex.RedriveDate)}, nil
}

func sendTaskSuccess(ctx context.Context, svc Service, body []byte) (any, error) {
	var in struct {
		TaskToken string `json:"taskToken"`
		Output    string `json:"output"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := required("taskToken", in.TaskToken, "output", in.Output); err != nil {
		return nil, err
	}
	if !json.Valid([]byte(in.Output)) {
		return nil, errorf(stepfunctions.CodeInvalidOutput, "Invalid State Machine Output: the output is not valid JSON")
	}
	if err := svc.SendTaskSuccess(ctx, in.TaskToken, in.Output); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func sendTaskFailure(ctx context.Context, svc Service, body []byte) (any, error) {
	var in struct {
		TaskToken string `json:"taskToken"`
		Error     string `json:"error"`
		Cause     string `json:"cause"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := required("taskToken", in.TaskToken); err != nil {
		return nil, err
	}
	if err := svc.SendTaskFailure(ctx, in.TaskToken, in.Error, in.Cause); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func sendTaskHeartbeat(ctx context.Context, svc Service, body []byte) (any, error) {
	var in struct {
		TaskToken string `json:"taskToken"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := required("taskToken", in.TaskToken); err != nil {
		return nil, err
	}
	if err := svc.SendTaskHeartbeat(ctx, in.TaskToken); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}
