// Command console serves the approval console from Lambda behind a function
// URL (InvokeMode RESPONSE_STREAM) through aws-lambda-go's lambdaurl. With a
// public URL leave CONSOLE_BROWSE unset: only approval links are served, and
// the link is the credential.
//
// Start reads the settings from the environment template.yaml sets and
// starts the handler functions.Console.Build assembles: the same Build the
// local stack (internal/local/deploy) runs.
package main

import "breachflow/internal/functions"

func main() { functions.Console.Start() }
