// Package asl interprets Amazon States Language definitions (JSONPath query
// language) in process. It is the engine of breachflow's local Step Functions
// service (package stepfunctions) and is used directly by tests.
//
// Parse validates a definition and returns a Machine, or a *DefinitionError
// naming the state at fault and the reason: unknown state types and fields,
// missing or unknown transitions, unreachable states, no terminal state, bad
// JSONPath or Reference Paths, malformed Choice rules, Retry and Catch, bad
// intrinsic calls, and `${...}` DefinitionSubstitutions left unresolved.
// Machine.Run executes it; Lambda functions resolve to in-process
// aws-lambda-go handlers (Options.Functions) called through Handler.Invoke,
// the same JSON path as in Lambda.
//
// # Semantics
//
// Input and output processing follows the specification's order: InputPath,
// Parameters/ItemSelector, the task, ResultSelector, ResultPath (merged into
// the state's raw input), OutputPath; explicit JSON null for InputPath or
// OutputPath gives {}, for ResultPath discards the result. Paths are full
// JSONPath (wildcards, slices, unions, deep scan, filters with comparisons,
// &&, ||, !, =~, in/nin, and length()); indefinite paths yield arrays.
// ResultPath, Catch ResultPath and Choice Variable must be Reference Paths.
//
// Decisions where AWS and the text of the specification differ, or where
// the local engine must choose:
//   - States.NoChoiceMatched, States.ParameterPathFailure and
//     States.IntrinsicFailure are reported as States.Runtime, as AWS does
//     (its developer guide lists them as reserved); Options.SpecErrorNames
//     switches to the specification's names.
//   - States.Runtime and States.DataLimitExceeded are terminal: no Retry or
//     Catch matches them. States.TaskFailed matches every other error except
//     States.Timeout.
//   - A returned error's name is its Go type name without "*", computed as
//     aws-lambda-go does (LambdaErrorType); a panic becomes a task failure
//     named after the panic value's type (e.g. "string"), never a crash.
//     The cause is Lambda's {"errorMessage","errorType"} JSON.
//   - aws-lambda-go's Handler.Invoke returns a pooled buffer that a
//     concurrent call of the same handler may overwrite, so the engine calls
//     the handler the way the Lambda runtime's invoke loop does (inner
//     function, read the response, then close it); see lambdacall.go.
//   - The 256 KiB limit (States.DataLimitExceeded) is checked on state
//     output, on a task's input after Parameters and on Lambda responses,
//     with JSONSize, which counts the encoded bytes without encoding.
//   - A Distributed Map runs its child executions in process, without
//     their own histories (MapRunStarted/Succeeded/Failed are recorded). With
//     no ResultWriter its result is the array of child outputs; a failed
//     child within the tolerated threshold contributes {"Error","Cause"}.
//     ItemReader (S3) fails with States.ItemReaderFailed; ResultWriter is
//     accepted and ignored.
//   - An inline Map without MaxConcurrency runs 40 iterations at a time, as
//     AWS does; a Distributed Map without it runs up to 10,000 children.
//   - Object members are visited in sorted key order by wildcards and deep
//     scans (decoded objects do not keep their order).
//   - Only Lambda resources are supported: lambda:invoke,
//     lambda:invoke.waitForTaskToken and plain function ARNs. Others fail at
//     run time with States.Runtime.
//
// # Values, time and resumption
//
// JSON values stay decoded (map[string]any, []any, string, json.Number,
// bool, nil) from state to state and are never mutated once produced (setPath
// copies along the path), so history events hold them and encode them only
// when read (JSONText). All time comes from Options.Clock; FakeClock drives
// tests of Wait, timeouts, heartbeats and retry back-off without sleeping.
//
// A run is resumable through Hooks.Journal: task results, issued task
// tokens, Wait and retry deadlines and jitter draws are recorded under keys
// made of the path through the definition (state name and visit count,
// Parallel branch and Map item index, retry attempt). Re-running the same
// definition on the same input with the same journal replays recorded
// results instead of invoking again, so an execution resumes exactly where
// it stopped, including inside nested Map and Parallel states.
package asl
