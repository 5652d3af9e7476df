// Package functions assembles each Lambda function's handler in one place,
// for both places that run it: functions/<name>/main.go in Lambda, and the
// local stack (internal/local/deploy), which runs the same handlers in process.
//
// A Function pairs the function's settings type with two steps: Env reads
// the settings at cold start through a lookup over the environment
// template.yaml gives the function, and Build assembles the handler from the
// settings and the Clients. In Lambda the lookup is os.LookupEnv (main.go is
// one call, Function.Start); the local stack resolves the same template
// variables to local values and calls the same Function.New. So a new
// setting is one template line and one settings field, and nothing else
// passes settings around.
//
// The handler's event and result are type parameters of Function, so a Build
// whose handler has another signature does not compile.
package functions
