// Package sam reads breachflow's AWS SAM template (template.yaml) the way the
// local stack needs it: every AWS::Serverless::StateMachine with its ASL
// definition after DefinitionSubstitutions, and every function's name, code
// location and handler for the engine's in-process function registry.
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
// Resolution is local: functions become
// arn:aws:lambda:us-east-1:123456789012:function:<FunctionName or logical id>,
// tables their TableName (or logical id), parameters their Default, pseudo
// parameters fixed local values (see Template). `!Ref Function` resolves to
// the function's ARN rather than the bare name CloudFormation returns: both
// are accepted by lambda:invoke's FunctionName, and the ARN is also a valid
// plain Task Resource, so the local engine can register functions by ARN
// alone. A value that cannot be resolved locally is an error naming the
// substitution key; a `${...}` left in a definition after substitution is an
// error naming the placeholder.
package sam
