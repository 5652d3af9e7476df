package asl

import (
	"encoding/json"
	"sync"
)

// Event is one history event produced by the engine. The service adds ids,
// previous ids and timestamps. Details is one of the *...Details types below;
// its JSON is the AWS detail object named DetailsField.
type Event struct {
	Type         string
	DetailsField string
	Details      any
}

// Emitter records history events. previous is the id of the event that led
// to this one (0 for none); Emit returns the new event's id.
type Emitter func(ev Event, previous int64) int64

// JSONText is a JSON value that marshals as a string holding its compact
// JSON text, the way AWS puts input and output into history details. The
// value is encoded only when the history is read.
type JSONText struct {
	V    any
	once sync.Once
	s    string
}

// String returns the JSON text.
func (j *JSONText) String() string {
	j.once.Do(func() { j.s = mustEncode(j.V) })
	return j.s
}

// MarshalJSON encodes the JSON text as a JSON string.
func (j *JSONText) MarshalJSON() ([]byte, error) { return json.Marshal(j.String()) }

func text(v any) *JSONText { return &JSONText{V: v} }

// PayloadDetails says whether a payload was truncated (never, locally).
type PayloadDetails struct {
	Truncated bool `json:"truncated"`
}

// StateEnteredDetails is stateEnteredEventDetails.
type StateEnteredDetails struct {
	Name         string         `json:"name"`
	Input        *JSONText      `json:"input"`
	InputDetails PayloadDetails `json:"inputDetails"`
}

// StateExitedDetails is stateExitedEventDetails. AssignedVariables holds
// the variables the state assigned, each as its JSON text.
type StateExitedDetails struct {
	Name                     string            `json:"name"`
	Output                   *JSONText         `json:"output"`
	OutputDetails            PayloadDetails    `json:"outputDetails"`
	AssignedVariables        map[string]string `json:"assignedVariables,omitempty"`
	AssignedVariablesDetails *PayloadDetails   `json:"assignedVariablesDetails,omitempty"`
}

// EvaluationFailedDetails is evaluationFailedEventDetails: a JSONata
// expression failed (States.QueryEvaluationError). Location is the field,
// such as "Assign/result".
type EvaluationFailedDetails struct {
	Error    string `json:"error"`
	Cause    string `json:"cause"`
	Location string `json:"location"`
	State    string `json:"state"`
}

// TaskScheduledDetails is taskScheduledEventDetails.
type TaskScheduledDetails struct {
	ResourceType       string    `json:"resourceType"`
	Resource           string    `json:"resource"`
	Region             string    `json:"region"`
	Parameters         *JSONText `json:"parameters"`
	TimeoutInSeconds   int64     `json:"timeoutInSeconds,omitempty"`
	HeartbeatInSeconds int64     `json:"heartbeatInSeconds,omitempty"`
}

// TaskStartedDetails is taskStartedEventDetails.
type TaskStartedDetails struct {
	ResourceType string `json:"resourceType"`
	Resource     string `json:"resource"`
}

// TaskOutputDetails is taskSubmittedEventDetails or taskSucceededEventDetails.
type TaskOutputDetails struct {
	ResourceType  string         `json:"resourceType"`
	Resource      string         `json:"resource"`
	Output        *JSONText      `json:"output"`
	OutputDetails PayloadDetails `json:"outputDetails"`
}

// TaskErrorDetails is taskFailedEventDetails or taskTimedOutEventDetails.
type TaskErrorDetails struct {
	ResourceType string `json:"resourceType"`
	Resource     string `json:"resource"`
	Error        string `json:"error"`
	Cause        string `json:"cause"`
}

// LambdaScheduledDetails is lambdaFunctionScheduledEventDetails.
type LambdaScheduledDetails struct {
	Resource         string         `json:"resource"`
	Input            *JSONText      `json:"input"`
	InputDetails     PayloadDetails `json:"inputDetails"`
	TimeoutInSeconds int64          `json:"timeoutInSeconds,omitempty"`
}

// LambdaSucceededDetails is lambdaFunctionSucceededEventDetails.
type LambdaSucceededDetails struct {
	Output        *JSONText      `json:"output"`
	OutputDetails PayloadDetails `json:"outputDetails"`
}

// ErrorDetails is the {error, cause} detail object of the *Failed,
// *TimedOut and *Aborted events.
type ErrorDetails struct {
	Error string `json:"error"`
	Cause string `json:"cause"`
}

// MapStateStartedDetails is mapStateStartedEventDetails.
type MapStateStartedDetails struct {
	Length int `json:"length"`
}

// MapIterationDetails is mapIteration{Started,Succeeded,Failed,Aborted}EventDetails.
type MapIterationDetails struct {
	Name  string `json:"name"`
	Index int    `json:"index"`
}

// MapRunStartedDetails is mapRunStartedEventDetails.
type MapRunStartedDetails struct {
	MapRunArn string `json:"mapRunArn"`
}

// ExecutionStartedDetails is executionStartedEventDetails.
type ExecutionStartedDetails struct {
	Input        *JSONText      `json:"input"`
	InputDetails PayloadDetails `json:"inputDetails"`
	RoleArn      string         `json:"roleArn"`
}

// ExecutionSucceededDetails is executionSucceededEventDetails.
type ExecutionSucceededDetails struct {
	Output        *JSONText      `json:"output"`
	OutputDetails PayloadDetails `json:"outputDetails"`
}

// NewJSONText wraps a value for a history detail.
func NewJSONText(v any) *JSONText { return text(v) }
