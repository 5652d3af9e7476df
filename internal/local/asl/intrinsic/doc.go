// Package intrinsic evaluates the intrinsic functions of the Amazon States
// Language (JSONPath query language): States.Format, States.StringToJson,
// States.JsonToString, States.Array and the other Array functions, Base64,
// States.Hash, States.JsonMerge, States.MathRandom, States.MathAdd,
// States.StringSplit and States.UUID.
//
// The ASL interpreter (internal/local/asl) calls Eval for every `.$` value that
// starts with "States." in Parameters, ItemSelector and ResultSelector, and
// Parse at load time so that a malformed call is rejected with the
// definition, not at run time. Paths inside a call (`$.a`, `$$.Execution.Id`)
// are resolved through the caller's resolve function, so this package knows
// nothing about the input or the context object.
//
// Semantics follow the AWS Step Functions developer guide ("Intrinsic
// functions for JSONPath states"). Where the guide is silent, the decisions
// are written next to the function that makes them; the main ones:
//   - non-integer numbers where an integer is required (ArrayPartition,
//     ArrayRange, MathRandom, MathAdd) are rounded to the nearest integer,
//     halves up, as the guide says AWS does;
//   - States.StringSplit treats its second argument as a set of delimiter
//     characters and drops empty tokens (the guide's ".+,=" example);
//   - States.MathRandom with a seed is deterministic: the same seed gives the
//     same number (java.util.Random's generator, which is what AWS is built on);
//   - States.Format renders strings raw, numbers, booleans and null as JSON
//     does, and objects and arrays as compact JSON text.
//
// Values are JSON values as encoding/json decodes them with UseNumber
// (numbers are json.Number), the interpreter's representation; numeric
// arguments of any Go number type are accepted.
//
// Every failure is an *Error, which the interpreter reports as
// States.IntrinsicFailure; an error returned by resolve is passed through
// wrapped (errors.As still finds it) so a missing path can be reported as
// the interpreter reports missing paths elsewhere.
package intrinsic
