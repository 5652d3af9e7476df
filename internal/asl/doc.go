// Package asl interprets Amazon States Language definitions (JSONPath query
// language) in process. It is the engine of breachflow's local Step Functions
// service (package stepfunctions) and is used directly by tests.
//
// Parse validates a definition and returns a Machine; Machine.Run executes it
// against Lambda handlers registered in Options.Functions. JSON values are
// kept decoded (map[string]any, []any, string, json.Number, bool, nil) from
// state to state and are never mutated after they are produced, so history
// events can hold them and encode them lazily.
package asl
