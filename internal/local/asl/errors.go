package asl

import (
	"fmt"
)

// Error names defined by the Amazon States Language.
const (
	ErrAll                    = "States.ALL"
	ErrTimeout                = "States.Timeout"
	ErrHeartbeatTimeout       = "States.HeartbeatTimeout"
	ErrTaskFailed             = "States.TaskFailed"
	ErrPermissions            = "States.Permissions"
	ErrRuntime                = "States.Runtime"
	ErrBranchFailed           = "States.BranchFailed"
	ErrNoChoiceMatched        = "States.NoChoiceMatched"
	ErrIntrinsicFailure       = "States.IntrinsicFailure"
	ErrParameterPathFailure   = "States.ParameterPathFailure"
	ErrResultPathMatchFailure = "States.ResultPathMatchFailure"
	ErrResultWriterFailed     = "States.ResultWriterFailed"
	ErrItemReaderFailed       = "States.ItemReaderFailed"
	ErrExceedToleratedFailure = "States.ExceedToleratedFailureThreshold"
	ErrDataLimitExceeded      = "States.DataLimitExceeded"
	ErrQueryEvaluationError   = "States.QueryEvaluationError"
	// ErrExecutionAborted is what a run returns when it is stopped from
	// outside (StopExecution); it is not an ASL name and never reaches a
	// Catch.
	ErrExecutionAborted = "States.Aborted"
)

// DefinitionError is a definition rejected at load. StateName is empty for
// errors of the top-level machine (no StartAt, no States...).
//
// Errors of the query languages and variables carry AWS's diagnostic Code
// (SCHEMA_VALIDATION_FAILED) and the Location of the field in AWS's form
// (/States/Pass/Assign/states); Error then reads as AWS's message does.
type DefinitionError struct {
	StateName string
	Reason    string
	Code      string
	Location  string
}

// Error names the state and the reason.
func (e *DefinitionError) Error() string {
	switch {
	case e.Code != "":
		return e.Code + ": " + e.Reason + " at " + e.Location
	case e.StateName == "":
		return "invalid definition: " + e.Reason
	}
	return fmt.Sprintf("invalid definition: state %q: %s", e.StateName, e.Reason)
}

// CodeSchemaValidationFailed is AWS's diagnostic code for a definition that
// breaks the language's rules.
const CodeSchemaValidationFailed = "SCHEMA_VALIDATION_FAILED"

// ExecError is a failure inside a running state machine, as ASL names it:
// Name is what Retry and Catch match in ErrorEquals, Cause the text.
type ExecError struct {
	Name  string
	Cause string
	// executionTimeout marks the machine-level TimeoutSeconds firing.
	executionTimeout bool
}

// IsExecutionTimeout reports whether err ended the execution because the
// machine's own TimeoutSeconds passed (status TIMED_OUT, not FAILED).
func IsExecutionTimeout(err *ExecError) bool { return err != nil && err.executionTimeout }

// Error returns "Name: Cause".
func (e *ExecError) Error() string {
	if e.Cause == "" {
		return e.Name
	}
	return e.Name + ": " + e.Cause
}

func execErr(name, format string, args ...any) *ExecError {
	return &ExecError{Name: name, Cause: fmt.Sprintf(format, args...)}
}
