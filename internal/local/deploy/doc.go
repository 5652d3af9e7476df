// Package deploy is breachflow's local deployment: what `sam deploy` does
// in AWS, done in process. It loads template.yaml, registers every
// AWS::Serverless::Function's handler under the name its ARN carries (built
// by the same internal/functions Build the function's main.go starts in
// Lambda, run through lambda.NewHandler's JSON path), creates every
// AWS::Serverless::StateMachine from its DefinitionUri with its
// DefinitionSubstitutions applied, and serves the Step Functions JSON API on
// 127.0.0.1 so the CLI, the Go SDK and the AWS CLI drive local runs as they
// drive AWS.
//
// Tests keep the local stack and Lambda in step: a function in the template
// with no local handler, or the reverse, fails them; so do settings that the
// local stack fills from Deps differently from what the function reads in
// Lambda from the environment template.yaml sets, and a main.go that starts
// anything but its functions.Function.
package deploy
