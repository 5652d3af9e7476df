package asl

import (
	"fmt"
	"strconv"
	"strings"
)

// jsonataFields are the fields of each state type in the JSONata query
// language: Arguments and Output replace the five JSONPath fields.
var jsonataFields = map[string][]string{
	"Pass":     {"Next", "End", "Output", "Assign", "Result"},
	"Task":     {"Next", "End", "Resource", "Arguments", "Output", "Assign", "TimeoutSeconds", "HeartbeatSeconds", "Retry", "Catch", "Credentials"},
	"Choice":   {"Choices", "Default", "Output", "Assign"},
	"Wait":     {"Next", "End", "Seconds", "Timestamp", "Output", "Assign"},
	"Succeed":  {"Output"},
	"Fail":     {"Error", "Cause"},
	"Parallel": {"Next", "End", "Branches", "Arguments", "Output", "Assign", "Retry", "Catch"},
	"Map": {"Next", "End", "ItemProcessor", "Iterator", "Items", "ItemSelector", "MaxConcurrency", "ItemReader", "ItemBatcher", "ResultWriter",
		"ToleratedFailurePercentage", "ToleratedFailureCount", "Label", "Output", "Assign", "Retry", "Catch"},
}

type assignedName struct{ name, field string }

// assignedNames lists the variables a state assigns in its own scope: its
// Assign, its Choice rules' and its Catchers'.
func assignedNames(sm map[string]any) []assignedName {
	var out []assignedName
	add := func(v any, field string) {
		m, _ := v.(map[string]any)
		for _, k := range sortedKeys(m) {
			out = append(out, assignedName{strings.TrimSuffix(k, ".$"), field + "/" + k})
		}
	}
	add(sm["Assign"], "Assign")
	for _, list := range []string{"Choices", "Catch"} {
		items, _ := sm[list].([]any)
		for i, x := range items {
			if r, ok := x.(map[string]any); ok {
				add(r["Assign"], list+"/"+strconv.Itoa(i)+"/Assign")
			}
		}
	}
	return out
}

// refuseExpressions rejects a "{% %}" string anywhere in a JSONPath state:
// JSONata expressions are evaluated only in JSONata states, and a JSONPath
// state would pass the text on unevaluated.
func refuseExpressions(v any, where, typ string) error {
	switch x := v.(type) {
	case string:
		if src, ok := jsonataSource(x); ok {
			return &fieldError{field: strings.TrimPrefix(where, "/"),
				msg: fmt.Sprintf("The JSONata expression '%s' is not supported when QueryLanguage is JSONPath; set \"QueryLanguage\": \"JSONata\" on the state or the state machine", src)}
		}
	case map[string]any:
		for _, k := range sortedKeys(x) {
			if where == "" && (k == "Comment" || k == "Branches" || k == "ItemProcessor" || k == "Iterator") {
				continue // nested machines are checked state by state
			}
			if err := refuseExpressions(x[k], where+"/"+k, typ); err != nil {
				return err
			}
		}
	case []any:
		for i, e := range x {
			if err := refuseExpressions(e, where+"/"+strconv.Itoa(i), typ); err != nil {
				return err
			}
		}
	}
	return nil
}

// compileJSONataRule compiles a JSONata Choice rule: a Condition
// expression, Next, and optionally Assign and Output.
func compileJSONataRule(raw any, where string) (*choiceRule, error) {
	m, ok := raw.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("a choice rule must be an object")
	}
	r := &choiceRule{}
	for _, k := range sortedKeys(m) {
		switch k {
		case "Condition", "Next", "Assign", "Output", "Comment":
		default:
			if _, isOp := comparisonOps[strings.TrimSuffix(k, "Path")]; isOp || k == "Variable" || k == "And" || k == "Or" || k == "Not" {
				return nil, &fieldError{field: where + "/" + k, msg: fmt.Sprintf("Field '%s' is not supported when QueryLanguage is JSONata", k)}
			}
			return nil, fmt.Errorf("unknown field %s in a choice rule", k)
		}
	}
	n, ok := m["Next"].(string)
	if !ok || n == "" {
		return nil, fmt.Errorf("a top-level choice rule needs Next")
	}
	r.next = n
	c, has := m["Condition"]
	if !has {
		return nil, &fieldError{field: where, msg: "These fields are required: [Condition]"}
	}
	var err error
	if b, isBool := c.(bool); isBool {
		r.condition = &jtemplate{static: true, lit: b}
	} else if s, isStr := c.(string); !isStr || !strings.HasPrefix(s, "{%") {
		return nil, &fieldError{field: where + "/Condition", msg: "The field 'Condition' must be a boolean or a JSONata expression"}
	} else if r.condition, err = compileJ(s, where+"/Condition"); err != nil {
		return nil, err
	}
	if a, has := m["Assign"]; has {
		if r.assign, err = compileAssign(a, true, where+"/Assign"); err != nil {
			return nil, err
		}
	}
	if o, has := m["Output"]; has {
		if r.output, err = compileJ(o, where+"/Output"); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// parseJSONataFields reads the fields of a JSONata state that JSONPath
// states do not have, or have in another form.
func parseJSONataFields(st *State, p *fieldParser) error {
	p.jsonata = true
	var err error
	if v, has := p.m["Output"]; has {
		if st.output, err = compileJ(v, "Output"); err != nil {
			return err
		}
	}
	if v, has := p.m["Arguments"]; has {
		if st.arguments, err = compileJ(v, "Arguments"); err != nil {
			return err
		}
	}
	if v, has := p.m["Items"]; has {
		_, isArr := v.([]any)
		s, isStr := v.(string)
		if _, isExpr := jsonataSource(s); !isArr && !(isStr && isExpr) {
			return &fieldError{field: "Items", msg: "The field 'Items' must be an array or a JSONata expression"}
		}
		if st.items, err = compileJ(v, "Items"); err != nil {
			return err
		}
	}
	if v, has := p.m["ItemSelector"]; has && st.Type == "Map" {
		if st.itemSelectorJ, err = compileJ(v, "ItemSelector"); err != nil {
			return err
		}
	}
	return nil
}

// compileAssign compiles an Assign object: in JSONata, a template of
// expressions; in JSONPath, a payload template whose ".$" members are paths
// or intrinsic functions. Names are checked against AWS's rules.
func compileAssign(v any, jsonata bool, where string) (*assignment, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, &fieldError{field: where, msg: "The field 'Assign' must be an object"}
	}
	for _, k := range sortedKeys(m) {
		name := k
		if !jsonata {
			name = strings.TrimSuffix(k, ".$")
		}
		if why := checkVarName(name); why != "" {
			return nil, &fieldError{field: where + "/" + k, msg: why}
		}
	}
	a := &assignment{}
	var err error
	if jsonata {
		a.jsonata, err = compileJ(m, where)
		return a, err
	}
	if a.path, err = compileTemplate(m); err != nil {
		return nil, &fieldError{field: where, msg: err.Error()}
	}
	return a, nil
}
