// Package sfnapi serves the AWS Step Functions API over HTTP for the local
// engine (package stepfunctions): the AWS JSON 1.0 protocol that the Go sfn
// client, the AWS CLI and breachflow's own CLI speak, so they drive local
// runs exactly as they drive AWS.
//
// Requests are `POST /` with `Content-Type: application/x-amz-json-1.0` and
// `X-Amz-Target: AWSStepFunctions.<Operation>`; a SigV4 Authorization header
// must be present but is not verified (everything binds 127.0.0.1 only).
// Responses carry AWS's member names and shapes, dates as epoch seconds.
// Errors are HTTP 400 with `{"__type": "<Code>", "message": "..."}`, so the
// SDK returns its modelled error types (*types.ExecutionAlreadyExists,
// *types.TaskDoesNotExist, ...). Protocol-level failures use AWS's codes too:
// UnknownOperationException, SerializationException, ValidationException,
// MissingAuthenticationTokenException; an unexpected failure of the service
// is a 500 InternalFailure whose message carries no request data.
//
// Operations: CreateStateMachine, DescribeStateMachine, ListStateMachines,
// DeleteStateMachine, StartExecution, DescribeExecution, ListExecutions,
// GetExecutionHistory, StopExecution, RedriveExecution, SendTaskSuccess,
// SendTaskFailure, SendTaskHeartbeat and TestState (a state run in
// isolation with a mocked result or error, its variables and context, and
// its data flow at inspectionLevel DEBUG or TRACE). List operations and GetExecutionHistory page with
// maxResults and an opaque nextToken as AWS does.
//
// TestState, like StartSyncExecution, has an endpoint host prefix in AWS's
// API model ("sync-"): the SDKs send it to sync-<endpoint>. A client of a
// local endpoint such as 127.0.0.1 turns that off; with the Go SDK, an
// APIOptions middleware that sets smithyhttp.DisableEndpointHostPrefix on
// the context (jsonata_test.go shows it). Debian's AWS CLI 2.9.19 has no
// test-state command; everything else it sends works unchanged, JSONata and
// variables included.
//
// `breachflow local up` mounts NewHandler on Serve's listener at
// 127.0.0.1:8083 (Listen refuses any non-loopback address), behind
// loopback's Host allow-list: a request naming any host but 127.0.0.1,
// localhost or [::1] with that port gets 403, so a page whose name was
// rebound to 127.0.0.1 cannot drive executions or answer task tokens.
package sfnapi
