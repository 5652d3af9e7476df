// Package deploy is breachflow's local deployment: what `sam deploy` does
// in AWS, done in process. It loads template.yaml, resolves every
// AWS::Serverless::Function's environment as Lambda would get it (Globals
// merged, parameters and references given local values, the overrides of
// `sam local invoke --env-vars` applied: see internal/local/sam), builds its
// handler with the same functions.Function New that the function's main.go
// runs at cold start in Lambda, with a lookup over that environment instead
// of os.LookupEnv, and registers it under the name its ARN carries, run
// through lambda.NewHandler's JSON path. It creates every
// AWS::Serverless::StateMachine from its DefinitionUri with its
// DefinitionSubstitutions applied, and serves the Step Functions JSON API on
// 127.0.0.1 so the CLI, the Go SDK and the AWS CLI drive local runs as they
// drive AWS.
//
// Each function's environment also holds the SDK's endpoint variables of the
// local stack, and its clients take their endpoints from there and nowhere
// else: every client of every function goes to 127.0.0.1, including those
// of services the stack does not emulate (they reach its own API, which
// refuses them). Locally there is no Secrets Manager: a function whose
// template names the approval key's secret gets the key itself.
//
// Tests keep the local stack and Lambda in step: a function in the template
// that functions.All does not list, or the reverse, fails them, and so does
// a main.go that starts anything but its functions.Function. There is no
// local copy of any function's settings to drift.
package deploy
