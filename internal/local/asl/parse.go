package asl

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

var commonFields = []string{"Type", "Comment", "QueryLanguage"}

// jsonPathFields are the fields of each state type in the JSONPath query
// language.
var jsonPathFields = map[string][]string{
	"Pass":     {"Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "Result", "Assign"},
	"Task":     {"Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector", "Resource", "TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds", "HeartbeatSecondsPath", "Retry", "Catch", "Credentials", "Assign"},
	"Choice":   {"InputPath", "OutputPath", "Choices", "Default", "Assign"},
	"Wait":     {"Next", "End", "InputPath", "OutputPath", "Seconds", "Timestamp", "SecondsPath", "TimestampPath", "Assign"},
	"Succeed":  {"InputPath", "OutputPath"},
	"Fail":     {"Error", "Cause", "ErrorPath", "CausePath"},
	"Parallel": {"Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector", "Branches", "Retry", "Catch", "Assign"},
	"Map": {"Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "ItemSelector", "ResultSelector", "ItemsPath", "MaxConcurrency", "MaxConcurrencyPath",
		"Iterator", "ItemProcessor", "ItemReader", "ResultWriter", "ItemBatcher", "ToleratedFailurePercentage", "ToleratedFailurePercentagePath",
		"ToleratedFailureCount", "ToleratedFailureCountPath", "Label", "Retry", "Catch", "Assign"},
}

// jsonPathOnly and jsonataOnly are fields that belong to one query language.
var (
	jsonPathOnly = map[string]bool{"InputPath": true, "OutputPath": true, "Parameters": true, "ResultSelector": true, "ResultPath": true,
		"ItemsPath": true, "SecondsPath": true, "TimestampPath": true, "TimeoutSecondsPath": true, "HeartbeatSecondsPath": true,
		"MaxConcurrencyPath": true, "ToleratedFailurePercentagePath": true, "ToleratedFailureCountPath": true, "ErrorPath": true, "CausePath": true}
	jsonataOnly = map[string]bool{"Arguments": true, "Output": true, "Items": true, "Condition": true}
)

// Query languages.
const (
	QueryJSONPath = "JSONPath"
	QueryJSONata  = "JSONata"
)

var substitution = regexp.MustCompile(`\$\{[^}]*\}`)

// parseCtx is what parsing a (sub-)machine knows of its surroundings.
type parseCtx struct {
	loc       string          // AWS location of the machine: "" or /States/P/Branches/0
	jsonata   bool            // the state machine's QueryLanguage is JSONata
	outerVars map[string]bool // variables assigned in enclosing scopes
}

func schemaErr(state, loc, format string, args ...any) *DefinitionError {
	return &DefinitionError{StateName: state, Code: CodeSchemaValidationFailed, Location: loc, Reason: fmt.Sprintf(format, args...)}
}

// Parse decodes and validates a definition. Errors are *DefinitionError
// naming the state at fault and the reason.
func Parse(definition []byte) (*Machine, error) {
	raw, err := DecodeJSON(definition)
	if err != nil {
		return nil, &DefinitionError{Reason: "definition is not valid JSON: " + err.Error()}
	}
	m, ok := raw.(map[string]any)
	if !ok {
		return nil, &DefinitionError{Reason: "definition must be a JSON object"}
	}
	pc := parseCtx{}
	if ql, ok := m["QueryLanguage"]; ok {
		switch ql {
		case QueryJSONPath:
		case QueryJSONata:
			pc.jsonata = true
		default:
			return nil, schemaErr("", "/QueryLanguage", "The field 'QueryLanguage' should have one of these values: [JSONPath, JSONata]")
		}
	}
	return parseMachine(m, "", pc)
}

func parseMachine(m map[string]any, owner string, pc parseCtx) (*Machine, error) {
	mc := &Machine{Raw: m, States: map[string]*State{}}
	start, ok := m["StartAt"].(string)
	if !ok || start == "" {
		return nil, &DefinitionError{StateName: owner, Reason: "StartAt is missing"}
	}
	mc.StartAt = start
	states, ok := m["States"].(map[string]any)
	if !ok || len(states) == 0 {
		return nil, &DefinitionError{StateName: owner, Reason: "States is missing or empty"}
	}
	if ts, has := m["TimeoutSeconds"]; has {
		n, ok := toInt(ts)
		if !ok || n <= 0 {
			return nil, &DefinitionError{StateName: owner, Reason: "TimeoutSeconds must be a positive integer"}
		}
		mc.TimeoutSeconds = n
	}
	names := sortedKeys(states)
	// Variables are checked per scope: this machine's states may not
	// assign what an enclosing scope assigns, and its inner scopes may not
	// assign what it assigns.
	inner := parseCtx{loc: pc.loc, jsonata: pc.jsonata, outerVars: map[string]bool{}}
	for k := range pc.outerVars {
		inner.outerVars[k] = true
	}
	for _, name := range names {
		sm, _ := states[name].(map[string]any)
		for _, a := range assignedNames(sm) {
			if pc.outerVars[a.name] {
				return nil, schemaErr(name, pc.loc+"/States/"+name+"/"+a.field,
					"The variable '%s' is assigned in an outer scope; a Parallel branch or Map iteration cannot assign it", a.name)
			}
			inner.outerVars[a.name] = true
		}
	}
	for _, name := range names {
		sm, ok := states[name].(map[string]any)
		if !ok {
			return nil, &DefinitionError{StateName: name, Reason: "state must be an object"}
		}
		if len(name) > 80 {
			return nil, &DefinitionError{StateName: name, Reason: "state name longer than 80 characters"}
		}
		enc := mustEncode(sm)
		if loc := substitution.FindString(enc); loc != "" {
			return nil, &DefinitionError{StateName: name, Reason: fmt.Sprintf("unresolved substitution %s", loc)}
		}
		st, err := parseState(name, sm, inner)
		if err != nil {
			switch e := err.(type) {
			case *DefinitionError:
				return nil, e
			case *fieldError:
				return nil, schemaErr(name, inner.loc+"/States/"+name+"/"+e.field, "%s", e.msg)
			}
			return nil, &DefinitionError{StateName: name, Reason: err.Error()}
		}
		st.usesContext = strings.Contains(enc, "$$") || st.jsonata && strings.Contains(enc, "$states")
		mc.States[name] = st
	}
	if _, ok := mc.States[start]; !ok {
		return nil, &DefinitionError{StateName: owner, Reason: fmt.Sprintf("StartAt %q is not a state", start)}
	}
	// transitions point at states of this machine
	terminal := false
	for _, name := range names {
		st := mc.States[name]
		for _, n := range st.targets() {
			if _, ok := mc.States[n]; !ok {
				return nil, &DefinitionError{StateName: name, Reason: fmt.Sprintf("transition to unknown state %q", n)}
			}
		}
		if st.End || st.Type == "Succeed" || st.Type == "Fail" {
			terminal = true
		}
	}
	if !terminal {
		return nil, &DefinitionError{StateName: owner, Reason: "no terminal state (End, Succeed or Fail)"}
	}
	// every state is reachable from StartAt
	seen := map[string]bool{start: true}
	queue := []string{start}
	for len(queue) > 0 {
		st := mc.States[queue[0]]
		queue = queue[1:]
		for _, n := range st.targets() {
			if !seen[n] {
				seen[n] = true
				queue = append(queue, n)
			}
		}
	}
	for _, name := range names {
		if !seen[name] {
			return nil, &DefinitionError{StateName: name, Reason: "state is not reachable from StartAt"}
		}
	}
	return mc, nil
}

func (st *State) targets() []string {
	var out []string
	if st.Next != "" {
		out = append(out, st.Next)
	}
	for _, c := range st.choices {
		out = append(out, c.next)
	}
	if st.defaultNext != "" {
		out = append(out, st.defaultNext)
	}
	for _, c := range st.catch {
		out = append(out, c.next)
	}
	return out
}

func parseState(name string, m map[string]any, pc parseCtx) (*State, error) {
	st := &State{Name: name}
	loc := pc.loc + "/States/" + name
	typ, ok := m["Type"].(string)
	if !ok {
		return nil, fmt.Errorf("Type is missing")
	}
	if _, ok := jsonPathFields[typ]; !ok {
		return nil, schemaErr(name, loc+"/Type", "The field 'Type' should have one of these values: [Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map]")
	}
	st.Type = typ
	st.jsonata = pc.jsonata
	if ql, has := m["QueryLanguage"]; has {
		switch ql {
		case QueryJSONata:
			st.jsonata = true
		case QueryJSONPath:
			if pc.jsonata {
				return nil, schemaErr(name, loc, "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine")
			}
			st.jsonata = false
		default:
			return nil, schemaErr(name, loc+"/QueryLanguage", "The field 'QueryLanguage' should have one of these values: [JSONPath, JSONata]")
		}
	}
	lang, allowed := QueryJSONPath, jsonPathFields[typ]
	if st.jsonata {
		lang, allowed = QueryJSONata, jsonataFields[typ]
	}
	okField := map[string]bool{}
	for _, f := range append(allowed, commonFields...) {
		okField[f] = true
	}
	var unknown []string
	for k := range m {
		if !okField[k] {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		if st.jsonata && jsonPathOnly[k] || !st.jsonata && jsonataOnly[k] {
			return nil, schemaErr(name, loc+"/"+k, "Field '%s' is not supported when QueryLanguage is %s", k, lang)
		}
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("field(s) %s not allowed in a %s state", strings.Join(unknown, ", "), typ)
	}
	if !st.jsonata {
		if err := refuseExpressions(m, "", typ); err != nil {
			return nil, err
		}
	}
	p := fieldParser{m: m}
	if next, has := m["Next"]; has {
		s, ok := next.(string)
		if !ok || s == "" {
			return nil, fmt.Errorf("Next must be a state name")
		}
		st.Next = s
	}
	if end, has := m["End"]; has {
		b, ok := end.(bool)
		if !ok {
			return nil, fmt.Errorf("End must be a boolean")
		}
		st.End = b
	}
	switch typ {
	case "Pass", "Task", "Wait", "Parallel", "Map":
		if st.End && st.Next != "" {
			return nil, fmt.Errorf("both Next and End are set")
		}
		if !st.End && st.Next == "" {
			return nil, fmt.Errorf("missing Next (or End: true)")
		}
	}
	if a, has := m["Assign"]; has {
		asg, err := compileAssign(a, st.jsonata, "Assign")
		if err != nil {
			return nil, err
		}
		st.assign = asg
	}
	if st.jsonata {
		if err := parseJSONataFields(st, &p); err != nil {
			return nil, err
		}
	} else {
		st.inputPath, st.inputNull = p.optPath("InputPath", false)
		st.outputPath, st.outputNull = p.optPath("OutputPath", false)
		st.resultPath, st.resultNull = p.optPath("ResultPath", true)
		if t := p.template("Parameters"); t != nil {
			st.parameters = t
		}
		st.resultSelector = p.template("ResultSelector")
	}
	if p.err != nil {
		return nil, p.err
	}
	var err error
	switch typ {
	case "Pass":
		st.result, st.hasResult = m["Result"]
	case "Task":
		err = parseTask(st, &p)
	case "Choice":
		err = parseChoice(st, m)
	case "Wait":
		err = parseWait(st, &p)
	case "Fail":
		err = parseFail(st, &p)
	case "Parallel":
		err = parseParallel(st, m, pc, loc)
	case "Map":
		err = parseMap(st, &p, pc, loc)
	}
	if err != nil {
		return nil, err
	}
	if p.err != nil {
		return nil, p.err
	}
	if typ == "Task" || typ == "Parallel" || typ == "Map" {
		if err := parseRetryCatch(st, m); err != nil {
			return nil, err
		}
	}
	return st, nil
}

// fieldParser reads optional fields, remembering the first error. In a
// JSONata state (jsonata), a numeric or timestamp field may instead hold an
// expression: it is compiled into exprs under the field's name.
type fieldParser struct {
	m       map[string]any
	err     error
	jsonata bool
	exprs   map[string]*jtemplate
}

// expr compiles field as an expression if it holds one in a JSONata state.
func (p *fieldParser) expr(field string) bool {
	if !p.jsonata {
		return false
	}
	s, ok := p.m[field].(string)
	if !ok {
		return false
	}
	if _, isExpr := jsonataSource(s); !isExpr {
		return false
	}
	t, err := compileJ(s, field)
	if err != nil {
		if p.err == nil {
			p.err = err
		}
		return true
	}
	if p.exprs == nil {
		p.exprs = map[string]*jtemplate{}
	}
	p.exprs[field] = t
	return true
}

func (p *fieldParser) fail(format string, args ...any) {
	if p.err == nil {
		p.err = fmt.Errorf(format, args...)
	}
}

func (p *fieldParser) optPath(field string, reference bool) (path *Path, isNull bool) {
	v, has := p.m[field]
	if !has {
		return nil, false
	}
	if v == nil {
		return nil, true
	}
	s, ok := v.(string)
	if !ok {
		p.fail("%s must be a string", field)
		return nil, false
	}
	var err error
	if reference {
		path, err = CompileReferencePath(s)
		if err == nil && path.context {
			err = fmt.Errorf("%q cannot refer to the context object", s)
		}
		if err == nil && path.variable != "" {
			err = fmt.Errorf("%q cannot refer to a variable", s)
		}
	} else {
		path, err = CompilePath(s)
	}
	if err != nil {
		p.fail("%s: %v", field, err)
	}
	return path, false
}

// dynamic reads a field that holds a path or an intrinsic function call
// (ErrorPath, CausePath).
func (p *fieldParser) dynamic(field string) *dynamic {
	v, has := p.m[field]
	if !has {
		return nil
	}
	s, ok := v.(string)
	if !ok {
		p.fail("%s must be a path or an intrinsic function", field)
		return nil
	}
	if strings.HasPrefix(s, "States.") {
		if err := checkIntrinsic(s); err != nil {
			p.fail("%s: %v", field, err)
		}
		return &dynamic{src: s, intrinsic: s}
	}
	path, err := CompilePath(s)
	if err != nil {
		p.fail("%s: %v", field, err)
		return nil
	}
	return &dynamic{src: s, path: path}
}

func (p *fieldParser) template(field string) *template {
	v, has := p.m[field]
	if !has {
		return nil
	}
	t, err := compileTemplate(v)
	if err != nil {
		p.fail("%s: %v", field, err)
	}
	return t
}

func (p *fieldParser) posInt(field string, allowZero bool) (int, bool) {
	v, has := p.m[field]
	if !has || p.expr(field) {
		return 0, false
	}
	n, ok := toInt(v)
	if !ok || n < 0 || (n == 0 && !allowZero) {
		p.fail("%s must be a positive integer", field)
	}
	return n, true
}

func (p *fieldParser) pathOnly(field string) *Path {
	path, isNull := p.optPath(field, false)
	if isNull {
		p.fail("%s cannot be null", field)
	}
	return path
}
