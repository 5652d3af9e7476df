// Package functions assembles each Lambda function's handler in one place,
// for both places that run it: functions/<name>/main.go in Lambda, and the
// local stack (internal/local/deploy), which runs the same handlers in process.
//
// A Function pairs the function's settings type with two steps: Env reads
// the settings at cold start from the environment template.yaml sets, and
// Build assembles the handler from the settings and the Clients. main.go is
// one call, Function.Start; localrun fills the same settings from its own
// configuration and calls the same Build. So a new dependency is a new
// settings field, which both sides must fill, and localrun's tests compare
// what each side fills for every function in template.yaml.
package functions
