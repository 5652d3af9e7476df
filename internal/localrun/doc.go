// Package localrun is breachflow's local deployment: what `sam deploy` does
// in AWS, done in process. It loads template.yaml, registers every
// AWS::Serverless::Function's handler under the name its ARN carries (the
// same handler the function's main.go starts in Lambda, run through
// lambda.NewHandler's JSON path), creates every AWS::Serverless::StateMachine
// from its DefinitionUri with its DefinitionSubstitutions applied, and serves
// the Step Functions JSON API on 127.0.0.1 so the CLI, the Go SDK and the AWS
// CLI drive local runs as they drive AWS.
//
// A test keeps the handler table and the template in step: a function in the
// template with no local handler, or the reverse, fails it.
package localrun
