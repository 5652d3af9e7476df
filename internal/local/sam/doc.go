// Package sam reads breachflow's AWS SAM template (template.yaml) the way the
// local stack needs it: every AWS::Serverless::StateMachine with its ASL
// definition after DefinitionSubstitutions, every function's name, code
// location and handler for the engine's in-process function registry, and
// every function's environment (Environments), resolved as in AWS with
// Globals merged and overridden as `sam local invoke --env-vars` does
// (Overrides): the one source of every function's settings, locally as in
// Lambda.
//
// The template is parsed with yaml.v3 and the CloudFormation short forms
// (!Ref, !GetAtt, !Sub, !Join, ...) are turned into their long forms
// ({"Ref": ...}, {"Fn::GetAtt": ...}) before anything is resolved, so JSON
// and YAML templates, short and long forms, read the same. goformation was
// tried first: it types DefinitionSubstitutions as map[string]string, has no
// local answer for !GetAtt, and goformation.Open fails on this package's
// fixture ("cannot unmarshal number into ... DefinitionSubstitutions of type
// string") once it has resolved a !Ref to a Number parameter.
//
// Resolution is local and follows CloudFormation's return values: a
// function's Fn::GetAtt Arn is
// arn:aws:lambda:us-east-1:123456789012:function:<FunctionName or logical id>
// and its Ref is that name (lambda:invoke takes either, and the engine
// registers functions under both); tables give their TableName (or logical
// id), parameters their Default, pseudo parameters fixed local values (see
// Template); Template.Local puts the local stack's own values (a table's
// name, the console's URL) over any of these. A value that cannot be
// resolved locally is an error naming the substitution key or the variable;
// a `${...}` left in a definition after substitution is an error naming the
// placeholder.
package sam
