// Package stepfunctions is breachflow's local AWS Step Functions service: it
// stores state machines, runs their executions in process with package asl,
// records AWS-shaped execution histories, hands out task tokens and, with a
// persistence directory, resumes waiting executions after a restart.
//
// The HTTP layer (package sfnapi) maps the AWS JSON 1.0 protocol onto the
// Service methods; errors are *APIError with AWS's error codes.
//
// Definitions may use either query language, JSONPath or JSONata, and
// workflow variables (package asl). TestState runs one state in isolation
// with the service's Lambda functions, or a mocked result or error, as
// AWS's TestState API does; a bad definition is InvalidDefinition with
// AWS's "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: ...
// at /States/...'" message, any other bad request ValidationException.
//
// # Persistence
//
// With Options.Dir the service keeps, per state machine, a JSON file, and per
// execution a JSON file (its description and definition, plus its history
// once it has ended) and an append-only journal of asl.Record lines. An
// execution still RUNNING when the service closes is re-run by New from its
// input with its journal: completed tasks return their recorded results,
// Wait states keep their recorded deadlines, and a task waiting on a task
// token waits again on the same token (the old token keeps working, and a
// completion that arrives before the execution gets there again is kept).
// Nothing that completed is invoked twice; a task that was in flight when
// the service stopped is invoked again, as Lambda's at-least-once delivery
// allows. The history of a resumed execution is rebuilt by the replay,
// so replayed events carry the time of the replay (and, inside concurrent
// Map iterations, may be numbered in a different order than before).
//
// # Semantics
//
// StartExecution is idempotent for STANDARD machines: the same name and input
// while the first execution runs returns it; any other reuse of a name is
// ExecutionAlreadyExists. Names follow AWS's rules (1-80 characters, no
// whitespace, brackets, wildcards or the characters " # % \ ^ | ~ ` $ & , ; : /).
// Task tokens are opaque, under 2048 characters; a malformed one is
// InvalidToken, an unknown or already used one TaskDoesNotExist, one whose
// task timed out TaskTimedOut.
package stepfunctions
