// Package asl interprets Amazon States Language definitions in process, in
// both query languages, JSONPath and JSONata, with workflow variables. It is
// the engine of breachflow's local Step Functions service (package
// stepfunctions) and is used directly by tests.
//
// Parse validates a definition and returns a Machine, or a *DefinitionError
// naming the state at fault and the reason: unknown state types and fields,
// missing or unknown transitions, unreachable states, no terminal state, bad
// JSONPath or Reference Paths, malformed Choice rules, Retry and Catch, bad
// intrinsic calls, `${...}` DefinitionSubstitutions left unresolved, and the
// rules of the query languages and variables. Errors of the last kind carry
// AWS's diagnostic code and location, so the API reports them as AWS does:
// "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: Field
// 'Parameters' is not supported when QueryLanguage is JSONata at
// /States/Shape/Parameters'". Machine.Run executes a definition; Lambda
// functions resolve to in-process aws-lambda-go handlers (Options.Functions)
// called through Handler.Invoke, the same JSON path as in Lambda. TestState
// runs one state in isolation, as AWS's TestState API does.
//
// # JSONPath semantics
//
// Input and output processing follows the specification's order: InputPath,
// Parameters/ItemSelector, the task, ResultSelector, ResultPath (merged into
// the state's raw input), OutputPath; explicit JSON null for InputPath or
// OutputPath gives {}, for ResultPath discards the result. Paths are full
// JSONPath (wildcards, slices, unions, deep scan, filters with comparisons,
// &&, ||, !, =~, in/nin, and length()); indefinite paths yield arrays.
// ResultPath, Catch ResultPath and Choice Variable must be Reference Paths.
// A path that starts with $name reads the workflow variable name ("$x",
// "$order.items[0]"), in every path field, in Parameters and the other
// payload templates, and in intrinsic functions; ResultPath cannot.
//
// Decisions where AWS and the text of the specification differ, or where
// the local engine must choose:
//   - A Choice state that matches no rule and has no Default fails with
//     States.NoChoiceMatched (cause "No Matches!"), as AWS reports it.
//     States.ParameterPathFailure and States.IntrinsicFailure are reported
//     as States.Runtime, as AWS does (its developer guide lists them as
//     reserved); Options.SpecErrorNames switches to the specification's names.
//   - String comparisons (StringLessThan and the others, and < > in JSONPath
//     filters) order by UTF-16 code units, as Java's String.compareTo and
//     so AWS do: "\U0001F600" sorts before "\uFF01", the reverse of Go's
//     byte order.
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
//     output, on a task's input after Parameters or Arguments, on Lambda
//     responses and on the values of Assign (each, and together), with
//     JSONSize, which counts the encoded bytes without encoding.
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
// # JSONata
//
// "QueryLanguage": "JSONata" at the top applies to every state, nested ones
// included; a state may opt into JSONata in a JSONPath machine, never out of
// it. A JSONata state has Arguments (Task, Parallel) and Output instead of
// InputPath, Parameters, ResultSelector, ResultPath and OutputPath; Choice
// rules have a Condition; Map has Items (an array, or an expression giving
// one) and an ItemSelector; TimeoutSeconds, HeartbeatSeconds, Seconds,
// Timestamp, MaxConcurrency, ToleratedFailure*, ItemBatcher's limits and
// Fail's Error and Cause may be expressions. A string that is exactly
// "{% expression %}", at any depth of those fields, is evaluated; every
// other value is literal. Expressions read $states.input (the state's raw
// input), $states.result (the Task, Parallel or Map result, in Output and
// Assign), $states.errorOutput (a Catcher's {"Error","Cause"}, in its Output
// and Assign), $states.context (the context object, Map.Item.Index and
// .Value in ItemSelector) and the workflow variables. Without Output, a
// Task, Parallel or Map outputs its result and every other state its input;
// a Catcher outputs the error output. A Choice rule that matches uses its
// own Assign and Output; the state's apply when the Default is taken.
//
// Expressions are evaluated by package jsonata (library choice, AWS's added
// functions, and what differs from AWS are written there). A failing
// expression fails the state with States.QueryEvaluationError, which Retry
// and Catch match, with AWS's cause ("An error occurred while executing the
// state 'S' (entered at the event id #2). The JSONata expression '$x'
// specified for the field 'Output/total' returned nothing (undefined).") and
// AWS's EvaluationFailed history event. As in AWS, an unknown function
// (including $eval) is accepted at creation and fails when called (T1006).
// An expression that does not parse is refused at creation, naming the
// state and the field.
//
// # Variables
//
// Assign (Pass, Task, Choice and its rules, Wait, Parallel, Map, Catchers)
// sets workflow variables in both query languages. The rules, from the
// developer guide:
//   - Every expression and path of a state reads the values the variables
//     had when the state was entered; the state's assignments take effect
//     when it ends (so {"x": "{% $y %}", "y": "{% $x %}"} swaps). A Task,
//     Parallel or Map assigns only when it succeeds (after its retries); a
//     Catcher's Assign applies when it catches.
//   - In a JSONPath state, Assign is a payload template whose "$" is the
//     state's result: the Task, Parallel or Map result after ResultSelector,
//     a Pass state's Result or Parameters output, otherwise the effective
//     input; a Catcher's "$" is the error output.
//   - The top-level states share one scope. Each Parallel branch and each Map
//     iteration has a scope of its own that reads the scopes around it;
//     branches and iterations do not see each other's variables, and theirs
//     end with them (a Map or Parallel hands data out through its output).
//     A Distributed Map's children read no outer variables. A Catcher of a
//     Parallel or Map assigns in the scope of that state.
//   - An inner scope may not assign a variable an enclosing scope assigns:
//     Parse refuses it, naming the inner state. "states" is reserved; names
//     start with a letter or "_", hold letters, digits and "_", and are at
//     most 80 characters; a name cannot be a path ("x.y").
//   - StateExited events carry assignedVariables (each value's JSON text).
//
// # TestState
//
// TestState runs one state (a state definition, or a named state of a
// machine at any depth) on an input, with variables and a context object
// given, its work replaced by a mock (a Task's call, a Map's iterations, a
// Parallel's branches) or done for real (Lambda functions in process). It
// reports SUCCEEDED, FAILED, CAUGHT_ERROR (with the Catcher's next state)
// or RETRIABLE (a retrier would retry: its index and back-off, given
// RetrierRetryCount retries already made), the output and next state, and at
// DEBUG and TRACE the data flow: input, afterInputPath, afterParameters,
// result, afterResultSelector, afterResultPath, afterArguments,
// afterItemSelector, maxConcurrency and the variables after the state. A
// Wait state does not wait.
//
// # Deviations that remain
//
// Where the engine knowingly differs from AWS:
//   - JSONata is JSONata 1.5 with later additions, not 2.0.6 (package
//     jsonata lists what that means, measured on the 2.0.6 test suite).
//   - The wording of definition errors for the query languages and
//     variables is AWS's where AWS's text is on record ("'QueryLanguage' can
//     not be 'JSONPath' if set to 'JSONata' for whole state machine", the
//     SCHEMA_VALIDATION_FAILED envelope and /States/... locations, the
//     runtime causes above) and this engine's own otherwise.
//   - The 10 MiB limit on all variables of an execution is not enforced.
//   - JSONPath filter expressions cannot read variables ([?(@.n > $limit)]).
//   - $states.context.Map.Item has Index and Value, not Key or Source.
//   - A caught error records no StateExited event (as AWS), so a Catcher's
//     assignments do not appear in the history.
//   - TestState: a mock's fieldValidationMode is accepted but only the
//     mock's JSON validity is checked (AWS checks it against the service's
//     response shape); TRACE reports what DEBUG does (there are no HTTP
//     Tasks locally); a Map or Parallel without a mock runs for real where
//     AWS requires one; revealSecrets and stateConfiguration's
//     errorCausedByState, mapIterationFailureCount and mapItemReaderData are
//     ignored; causes name event id #0 (a test has no history).
//   - Numbers in JSONPath states keep the text they arrived with (1.0 stays
//     1.0); numbers computed by JSONata are written as JavaScript writes
//     them.
//
// # breach.asl.json
//
// Decision: the breach workflow reads better in JSONata with variables,
// and should be converted as a whole (top-level QueryLanguage, not state by
// state). PlanScope, PlanSend and PlanReconcile exist only to build index
// ranges with nested intrinsics (States.ArrayRange(0, States.MathAdd(...,
// -1), 1)) into $.plan, $.send_plan and $.reconcile_plan; in JSONata each
// folds into its Map's Items ("{% [0..$shards - 1] %}") and three states
// and three ResultPath slots go away. The eight ResultSelector+ResultPath
// pairs that keep a task's id, count or hash for later states become
// Assign (caseId, shards, draftHash...), read where needed instead of being
// threaded through every payload, and the Fail states' ErrorPath/CausePath
// become Error/Cause expressions over $states.input. Payloads and variables
// alike carry only ids, counts and hashes, so the history rule of DESIGN.md
// holds. It is not converted in this change: other work is changing the
// file concurrently, and the conversion should come with asl-validator's
// JSONata schema in `make validate-asl` and a local run of the whole demo.
//
// # Values, time and resumption
//
// JSON values stay decoded (map[string]any, []any, string, json.Number,
// bool, nil) from state to state and are never mutated once produced (setPath
// copies along the path), so history events hold them and encode them only
// when read (JSONText). All time comes from Options.Clock (JSONata's $now()
// and $millis() too); FakeClock drives tests of Wait, timeouts, heartbeats
// and retry back-off without sleeping.
//
// A run is resumable through Hooks.Journal: task results, issued task
// tokens, Wait and retry deadlines, jitter draws and the values of JSONata
// expressions that call $uuid, $random, $now or $millis are recorded under
// keys made of the path through the definition (state name and visit count,
// Parallel branch and Map item index, retry attempt). Re-running the same
// definition on the same input with the same journal replays recorded
// results instead of invoking again, so an execution resumes exactly where
// it stopped, including inside nested Map and Parallel states; variables
// come back as the states that assigned them are replayed.
package asl
