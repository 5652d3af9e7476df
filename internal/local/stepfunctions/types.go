package stepfunctions

import (
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"breachflow/internal/local/asl"
)

// Options configure a Service.
type Options struct {
	// Clock drives Wait states, timeouts and retries; nil means the wall clock.
	Clock asl.Clock
	// Dir persists state machines and executions; "" keeps everything in memory.
	// With a Dir, executions waiting on a task token or a Wait state resume
	// after New is called again with the same Dir.
	Dir string
	// Functions maps a Lambda function name to its in-process handler. Task
	// states resolve a function by its name, its full ARN or name:alias.
	Functions map[string]lambda.Handler
	// Region and Account build ARNs; defaults us-east-1 and 123456789012.
	Region, Account string
	// Intrinsic evaluates States.* intrinsic functions; nil means the
	// built-in evaluator of package asl (if one is linked).
	Intrinsic asl.IntrinsicEvaluator
}

// State machine types.
const (
	TypeStandard = "STANDARD"
	TypeExpress  = "EXPRESS"
)

// Execution statuses.
const (
	StatusRunning   = "RUNNING"
	StatusSucceeded = "SUCCEEDED"
	StatusFailed    = "FAILED"
	StatusTimedOut  = "TIMED_OUT"
	StatusAborted   = "ABORTED"
)

// CreateStateMachineInput is the input of CreateStateMachine.
type CreateStateMachineInput struct {
	Name       string
	Definition string
	RoleArn    string
	// Type is STANDARD (default) or EXPRESS.
	Type string
}

// StateMachine describes a state machine as DescribeStateMachine returns it.
type StateMachine struct {
	Arn          string
	Name         string
	Definition   string
	RoleArn      string
	Type         string
	Status       string // ACTIVE or DELETING
	CreationDate time.Time
}

// StartExecutionInput is the input of StartExecution.
type StartExecutionInput struct {
	StateMachineArn string
	// Name is optional; a UUID is generated when empty.
	Name string
	// Input is the execution input as JSON text; "" means "{}".
	Input string
}

// Execution describes an execution as DescribeExecution returns it.
type Execution struct {
	Arn             string
	StateMachineArn string
	Name            string
	Status          string
	StartDate       time.Time
	StopDate        time.Time // zero while RUNNING
	Input           string
	Output          string // set when SUCCEEDED
	Error           string
	Cause           string
	// RedriveCount counts RedriveExecution calls; RedriveDate is the last.
	RedriveCount int
	RedriveDate  time.Time
}

// HistoryEvent is one event of GetExecutionHistory.
type HistoryEvent struct {
	ID              int64
	PreviousEventID int64
	Timestamp       time.Time
	// Type is AWS's event type, e.g. "TaskStateEntered".
	Type string
	// DetailsField is AWS's member name for Details, e.g.
	// "stateEnteredEventDetails"; "" when the event has no details.
	DetailsField string
	// Details marshals to AWS's detail object.
	Details any
}

// APIError is an error of the Step Functions API; Code is AWS's error code
// (e.g. "ExecutionDoesNotExist"), which the HTTP layer returns as __type.
type APIError struct {
	Code    string
	Message string
}

func (e *APIError) Error() string { return e.Code + ": " + e.Message }

// AWS error codes returned in APIError.Code.
const (
	CodeStateMachineDoesNotExist  = "StateMachineDoesNotExist"
	CodeStateMachineAlreadyExists = "StateMachineAlreadyExists"
	CodeInvalidDefinition         = "InvalidDefinition"
	CodeInvalidName               = "InvalidName"
	CodeInvalidArn                = "InvalidArn"
	CodeExecutionDoesNotExist     = "ExecutionDoesNotExist"
	CodeExecutionAlreadyExists    = "ExecutionAlreadyExists"
	CodeInvalidExecutionInput     = "InvalidExecutionInput"
	CodeInvalidOutput             = "InvalidOutput"
	CodeTaskDoesNotExist          = "TaskDoesNotExist"
	CodeInvalidToken              = "InvalidToken"
	CodeTaskTimedOut              = "TaskTimedOut"
	CodeValidationException       = "ValidationException"
	CodeExecutionNotRedrivable    = "ExecutionNotRedrivable"
)
