package sfnapi

import (
	"context"

	"breachflow/internal/local/asl"
	"breachflow/internal/local/stepfunctions"
)

// testStateRequest is TestState's input, with AWS's member names.
type testStateRequest struct {
	Definition      string `json:"definition"`
	RoleArn         string `json:"roleArn"`
	Input           string `json:"input"`
	InspectionLevel string `json:"inspectionLevel"`
	RevealSecrets   bool   `json:"revealSecrets"`
	Variables       string `json:"variables"`
	StateName       string `json:"stateName"`
	Context         string `json:"context"`
	Mock            *struct {
		Result      *string `json:"result"`
		ErrorOutput *struct {
			Error string `json:"error"`
			Cause string `json:"cause"`
		} `json:"errorOutput"`
		FieldValidationMode string `json:"fieldValidationMode"`
	} `json:"mock"`
	StateConfiguration *struct {
		RetrierRetryCount int `json:"retrierRetryCount"`
	} `json:"stateConfiguration"`
}

type inspectionErrorDetails struct {
	CatchIndex                  *int `json:"catchIndex,omitempty"`
	RetryIndex                  *int `json:"retryIndex,omitempty"`
	RetryBackoffIntervalSeconds *int `json:"retryBackoffIntervalSeconds,omitempty"`
}

type inspectionData struct {
	Input               string                  `json:"input,omitempty"`
	AfterInputPath      string                  `json:"afterInputPath,omitempty"`
	AfterParameters     string                  `json:"afterParameters,omitempty"`
	Result              string                  `json:"result,omitempty"`
	AfterResultSelector string                  `json:"afterResultSelector,omitempty"`
	AfterResultPath     string                  `json:"afterResultPath,omitempty"`
	AfterArguments      string                  `json:"afterArguments,omitempty"`
	AfterItemSelector   string                  `json:"afterItemSelector,omitempty"`
	Variables           string                  `json:"variables,omitempty"`
	MaxConcurrency      *int                    `json:"maxConcurrency,omitempty"`
	ErrorDetails        *inspectionErrorDetails `json:"errorDetails,omitempty"`
}

type testStateResponse struct {
	Output         string          `json:"output,omitempty"`
	Error          string          `json:"error,omitempty"`
	Cause          string          `json:"cause,omitempty"`
	InspectionData *inspectionData `json:"inspectionData,omitempty"`
	NextState      string          `json:"nextState,omitempty"`
	Status         string          `json:"status"`
}

func testState(ctx context.Context, svc Service, body []byte) (any, error) {
	var in testStateRequest
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := required("definition", in.Definition); err != nil {
		return nil, err
	}
	switch in.InspectionLevel {
	case "", asl.InspectionInfo, asl.InspectionDebug, asl.InspectionTrace:
	default:
		return nil, errorf(CodeValidation, "1 validation error detected: Value '%s' at 'inspectionLevel' failed to satisfy constraint: Member must satisfy enum value set: [INFO, DEBUG, TRACE]", in.InspectionLevel)
	}
	req := stepfunctions.TestStateInput{Definition: in.Definition, StateName: in.StateName, Input: in.Input, Context: in.Context,
		Variables: in.Variables, InspectionLevel: in.InspectionLevel}
	if in.StateConfiguration != nil {
		req.RetrierRetryCount = in.StateConfiguration.RetrierRetryCount
	}
	if m := in.Mock; m != nil {
		switch {
		case m.Result != nil && m.ErrorOutput != nil, m.Result == nil && m.ErrorOutput == nil:
			return nil, errorf(CodeValidation, "A mock must have either a result or an errorOutput")
		case m.Result != nil:
			req.Mock = &asl.TestMock{Result: *m.Result, FieldValidationMode: m.FieldValidationMode}
		default:
			req.Mock = &asl.TestMock{IsError: true, Error: m.ErrorOutput.Error, Cause: m.ErrorOutput.Cause, FieldValidationMode: m.FieldValidationMode}
		}
	}
	res, err := svc.TestState(ctx, req)
	if err != nil {
		return nil, err
	}
	out := testStateResponse{Output: res.Output, Error: res.Error, Cause: res.Cause, NextState: res.NextState, Status: res.Status}
	if ins := res.Inspection; ins != nil {
		out.InspectionData = &inspectionData{Input: ins.Input, AfterInputPath: ins.AfterInputPath, AfterParameters: ins.AfterParameters,
			Result: ins.Result, AfterResultSelector: ins.AfterResultSelector, AfterResultPath: ins.AfterResultPath,
			AfterArguments: ins.AfterArguments, AfterItemSelector: ins.AfterItemSelector, Variables: ins.Variables, MaxConcurrency: ins.MaxConcurrency}
		if ins.CatchIndex != nil || ins.RetryIndex != nil {
			out.InspectionData.ErrorDetails = &inspectionErrorDetails{CatchIndex: ins.CatchIndex, RetryIndex: ins.RetryIndex, RetryBackoffIntervalSeconds: ins.RetryBackoffIntervalSeconds}
		}
	}
	return out, nil
}
