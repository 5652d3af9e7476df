package sam

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// resolve turns a template value into the string it stands for locally.
func (t *Template) resolve(v any) (string, error) {
	switch v := v.(type) {
	case string:
		return v, nil
	case bool:
		return strconv.FormatBool(v), nil
	case int:
		return strconv.Itoa(v), nil
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), nil
	case nil:
		return "", fmt.Errorf("null value")
	case []any:
		return "", fmt.Errorf("a list where a single value is needed")
	case map[string]any:
		if len(v) != 1 {
			return "", fmt.Errorf("a mapping where a single value is needed")
		}
		for fn, arg := range v {
			return t.resolveFn(fn, arg)
		}
	}
	return "", fmt.Errorf("unsupported value of type %T", v)
}

func (t *Template) resolveFn(fn string, arg any) (string, error) {
	switch fn {
	case "Ref":
		name, ok := arg.(string)
		if !ok {
			return "", fmt.Errorf("Ref takes a name")
		}
		return t.ref(name)
	case "Fn::GetAtt":
		var res, attr string
		switch a := arg.(type) {
		case string:
			res, attr, _ = strings.Cut(a, ".")
		case []any:
			if len(a) == 2 {
				res, _ = a[0].(string)
				attr, _ = a[1].(string)
			}
		}
		if res == "" || attr == "" {
			return "", fmt.Errorf("Fn::GetAtt takes Resource.Attribute or [Resource, Attribute]")
		}
		return t.getAtt(res, attr)
	case "Fn::Sub":
		return t.sub(arg)
	case "Fn::Join":
		a, ok := arg.([]any)
		if !ok || len(a) != 2 {
			return "", fmt.Errorf("Fn::Join takes [delimiter, [values]]")
		}
		delim, _ := a[0].(string)
		items, ok := a[1].([]any)
		if !ok {
			// A reference to a list (a CommaDelimitedList parameter)
			// resolves to its items joined by commas.
			list, err := t.resolve(a[1])
			if err != nil {
				return "", fmt.Errorf("Fn::Join takes [delimiter, [values]] or [delimiter, a list]: %w", err)
			}
			return strings.Join(strings.Split(list, ","), delim), nil
		}
		parts := make([]string, len(items))
		for i, it := range items {
			s, err := t.resolve(it)
			if err != nil {
				return "", fmt.Errorf("Fn::Join item %d: %w", i, err)
			}
			parts[i] = s
		}
		return strings.Join(parts, delim), nil
	case "Fn::Select":
		a, ok := arg.([]any)
		if !ok || len(a) != 2 {
			return "", fmt.Errorf("Fn::Select takes [index, [values]]")
		}
		idxText, err := t.resolve(a[0])
		if err != nil {
			return "", err
		}
		idx, err := strconv.Atoi(idxText)
		items, ok := a[1].([]any)
		if err != nil || !ok || idx < 0 || idx >= len(items) {
			return "", fmt.Errorf("Fn::Select index out of range")
		}
		return t.resolve(items[idx])
	}
	return "", fmt.Errorf("%s cannot be resolved locally", fn)
}

// Pseudo parameters with their local values.
func (t *Template) pseudo(name string) (string, bool) {
	switch name {
	case "AWS::Region":
		return t.Region, true
	case "AWS::AccountId":
		return t.Account, true
	case "AWS::StackName":
		return t.StackName, true
	case "AWS::Partition":
		return "aws", true
	case "AWS::URLSuffix":
		return "amazonaws.com", true
	case "AWS::StackId":
		return fmt.Sprintf("arn:aws:cloudformation:%s:%s:stack/%s/local", t.Region, t.Account, t.StackName), true
	}
	return "", false
}

func (t *Template) ref(name string) (string, error) {
	if v, ok := t.Local[name]; ok {
		return v, nil
	}
	if v, ok := t.pseudo(name); ok {
		return v, nil
	}
	if p, ok := t.Parameters[name]; ok {
		pm, _ := p.(map[string]any)
		def, ok := pm["Default"]
		if !ok {
			return "", fmt.Errorf("parameter %s has no Default", name)
		}
		return t.resolve(def)
	}
	r, ok := t.Resources[name]
	if !ok {
		return "", fmt.Errorf("Ref to %s: no such parameter or resource", name)
	}
	switch r.Type {
	case "AWS::Serverless::Function", "AWS::Lambda::Function":
		// CloudFormation's Ref of a function is its name, and so is ours:
		// `!Sub /aws/lambda/${Fn}` must give a log group name. lambda:invoke
		// accepts a name as FunctionName, and the local engine resolves
		// functions by name as well as by ARN.
		return t.named(name, "FunctionName")
	case "AWS::Serverless::StateMachine", "AWS::StepFunctions::StateMachine":
		return t.stateMachineARN(name)
	case "AWS::DynamoDB::Table", "AWS::Serverless::SimpleTable":
		return t.named(name, "TableName")
	case "AWS::SNS::Topic":
		n, err := t.named(name, "TopicName")
		return fmt.Sprintf("arn:aws:sns:%s:%s:%s", t.Region, t.Account, n), err
	case "AWS::SQS::Queue":
		n, err := t.named(name, "QueueName")
		return fmt.Sprintf("https://sqs.%s.amazonaws.com/%s/%s", t.Region, t.Account, n), err
	case "AWS::S3::Bucket":
		return t.named(name, "BucketName")
	case "AWS::SES::ConfigurationSet", "AWS::SES::Template", "AWS::SESV2::ConfigurationSet":
		return t.named(name, "Name")
	case "AWS::SMSVOICE::ConfigurationSet":
		return t.named(name, "ConfigurationSetName")
	case "AWS::IAM::Role":
		return t.named(name, "RoleName")
	case "AWS::KMS::Key":
		return "local-key-" + strings.ToLower(name), nil
	case "AWS::Logs::LogGroup":
		return t.named(name, "LogGroupName")
	case "AWS::KMS::Alias":
		return t.named(name, "AliasName")
	}
	return "", fmt.Errorf("Ref to %s: resources of type %s are not resolved locally", name, r.Type)
}

func (t *Template) getAtt(res, attr string) (string, error) {
	if v, ok := t.Local[res+"."+attr]; ok {
		return v, nil
	}
	r, ok := t.Resources[res]
	if !ok {
		return "", fmt.Errorf("Fn::GetAtt %s.%s: no such resource", res, attr)
	}
	switch {
	case (r.Type == "AWS::Serverless::Function" || r.Type == "AWS::Lambda::Function") && attr == "Arn":
		return t.functionARN(res)
	case (r.Type == "AWS::Serverless::StateMachine" || r.Type == "AWS::StepFunctions::StateMachine") && attr == "Arn":
		return t.stateMachineARN(res)
	case (r.Type == "AWS::Serverless::StateMachine" || r.Type == "AWS::StepFunctions::StateMachine") && attr == "Name":
		return t.named(res, "Name", "StateMachineName")
	case (r.Type == "AWS::DynamoDB::Table" || r.Type == "AWS::Serverless::SimpleTable") && attr == "Arn":
		n, err := t.named(res, "TableName")
		return fmt.Sprintf("arn:aws:dynamodb:%s:%s:table/%s", t.Region, t.Account, n), err
	case r.Type == "AWS::SNS::Topic" && attr == "TopicArn":
		return t.ref(res)
	case r.Type == "AWS::SQS::Queue" && attr == "Arn":
		n, err := t.named(res, "QueueName")
		return fmt.Sprintf("arn:aws:sqs:%s:%s:%s", t.Region, t.Account, n), err
	case r.Type == "AWS::IAM::Role" && attr == "Arn":
		n, err := t.named(res, "RoleName")
		return fmt.Sprintf("arn:aws:iam::%s:role/%s", t.Account, n), err
	case r.Type == "AWS::Logs::LogGroup" && attr == "Arn":
		n, err := t.named(res, "LogGroupName")
		return fmt.Sprintf("arn:aws:logs:%s:%s:log-group:%s:*", t.Region, t.Account, n), err
	case r.Type == "AWS::KMS::Key" && attr == "Arn":
		return fmt.Sprintf("arn:aws:kms:%s:%s:key/local-key-%s", t.Region, t.Account, strings.ToLower(res)), nil
	}
	return "", fmt.Errorf("Fn::GetAtt %s.%s: attribute %s of %s is not resolved locally", res, attr, attr, r.Type)
}

// named returns the first of the given name properties that is set, or the
// logical id (CloudFormation would generate a name; locally the id will do).
func (t *Template) named(logicalID string, props ...string) (string, error) {
	r := t.Resources[logicalID]
	for _, p := range props {
		if v, ok := r.Properties[p]; ok {
			s, err := t.resolve(v)
			if err != nil {
				return "", fmt.Errorf("%s.%s: %w", logicalID, p, err)
			}
			return s, nil
		}
	}
	return logicalID, nil
}

func (t *Template) functionARN(logicalID string) (string, error) {
	name, err := t.named(logicalID, "FunctionName")
	if err != nil {
		return "", err
	}
	return FunctionARN(t.Region, t.Account, name), nil
}

func (t *Template) stateMachineARN(logicalID string) (string, error) {
	name, err := t.named(logicalID, "Name", "StateMachineName")
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("arn:aws:states:%s:%s:stateMachine:%s", t.Region, t.Account, name), nil
}

// FunctionARN is the ARN of a Lambda function by name.
func FunctionARN(region, account, name string) string {
	return fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", region, account, name)
}

var subVar = regexp.MustCompile(`\$\{([^}]*)\}`)

// sub implements Fn::Sub in both forms: "text" and ["text", {vars}].
// ${!Literal} writes ${Literal}.
func (t *Template) sub(arg any) (string, error) {
	var text string
	vars := map[string]any{}
	switch a := arg.(type) {
	case string:
		text = a
	case []any:
		if len(a) != 2 {
			return "", fmt.Errorf("Fn::Sub takes text or [text, {variables}]")
		}
		text, _ = a[0].(string)
		m, ok := a[1].(map[string]any)
		if !ok {
			return "", fmt.Errorf("Fn::Sub variables must be a mapping")
		}
		vars = m
	default:
		return "", fmt.Errorf("Fn::Sub takes text or [text, {variables}]")
	}
	var firstErr error
	out := subVar.ReplaceAllStringFunc(text, func(m string) string {
		name := m[2 : len(m)-1]
		if strings.HasPrefix(name, "!") {
			return "${" + name[1:] + "}"
		}
		var s string
		var err error
		if v, ok := vars[name]; ok {
			s, err = t.resolve(v)
		} else if res, attr, ok := strings.Cut(name, "."); ok && !strings.HasPrefix(name, "AWS::") {
			s, err = t.getAtt(res, attr)
		} else {
			s, err = t.ref(name)
		}
		if err != nil && firstErr == nil {
			firstErr = fmt.Errorf("Fn::Sub ${%s}: %w", name, err)
		}
		return s
	})
	return out, firstErr
}
