package asl

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
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

func parseTask(st *State, p *fieldParser) error {
	res, ok := p.m["Resource"].(string)
	if !ok || res == "" {
		return fmt.Errorf("Resource is missing")
	}
	if !strings.HasPrefix(res, "arn:") {
		return fmt.Errorf("Resource %q is not an ARN", res)
	}
	st.Resource = res
	st.timeoutSeconds, _ = p.posInt("TimeoutSeconds", false)
	st.heartbeatSeconds, _ = p.posInt("HeartbeatSeconds", false)
	st.timeoutExpr, st.heartbeatExpr = p.exprs["TimeoutSeconds"], p.exprs["HeartbeatSeconds"]
	st.timeoutSecondsPath = p.pathOnly("TimeoutSecondsPath")
	st.heartbeatSecondsPath = p.pathOnly("HeartbeatSecondsPath")
	if _, has := p.m["TimeoutSeconds"]; has && st.timeoutSecondsPath != nil {
		return fmt.Errorf("TimeoutSeconds and TimeoutSecondsPath are exclusive")
	}
	if _, has := p.m["HeartbeatSeconds"]; has && st.heartbeatSecondsPath != nil {
		return fmt.Errorf("HeartbeatSeconds and HeartbeatSecondsPath are exclusive")
	}
	if st.heartbeatSeconds > 0 && st.timeoutSeconds > 0 && st.heartbeatSeconds >= st.timeoutSeconds {
		return fmt.Errorf("HeartbeatSeconds must be smaller than TimeoutSeconds")
	}
	return nil
}

func parseChoice(st *State, m map[string]any) error {
	list, ok := m["Choices"].([]any)
	if !ok || len(list) == 0 {
		return fmt.Errorf("Choices must be a non-empty array")
	}
	if _, has := m["Next"]; has {
		return fmt.Errorf("a Choice state cannot have Next")
	}
	if _, has := m["End"]; has {
		return fmt.Errorf("a Choice state cannot have End")
	}
	for i, raw := range list {
		var r *choiceRule
		var err error
		if st.jsonata {
			r, err = compileJSONataRule(raw, "Choices/"+strconv.Itoa(i))
		} else {
			r, err = compileChoiceRule(raw, true)
		}
		if err != nil {
			if _, located := err.(*fieldError); located {
				return err
			}
			return fmt.Errorf("Choices[%d]: %v", i, err)
		}
		st.choices = append(st.choices, r)
	}
	if d, has := m["Default"]; has {
		s, ok := d.(string)
		if !ok || s == "" {
			return fmt.Errorf("Default must be a state name")
		}
		st.defaultNext = s
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

func parseWait(st *State, p *fieldParser) error {
	count := 0
	if n, has := p.posInt("Seconds", true); has {
		st.seconds = &n
		count++
	}
	if st.secondsExpr = p.exprs["Seconds"]; st.secondsExpr != nil {
		count++
	}
	if v, has := p.m["Timestamp"]; has {
		if p.expr("Timestamp") {
			st.timestampExpr = p.exprs["Timestamp"]
		} else {
			s, _ := v.(string)
			t, ok := parseTimestamp(s)
			if !ok {
				return fmt.Errorf("Timestamp %q is not an RFC3339 timestamp", s)
			}
			st.timestamp = &t
		}
		count++
	}
	if st.secondsPath = p.pathOnly("SecondsPath"); st.secondsPath != nil {
		count++
	}
	if st.timestampPath = p.pathOnly("TimestampPath"); st.timestampPath != nil {
		count++
	}
	if count != 1 && p.err == nil {
		return fmt.Errorf("exactly one of Seconds, Timestamp, SecondsPath, TimestampPath is required")
	}
	return nil
}

func parseFail(st *State, p *fieldParser) error {
	m := p.m
	if st.jsonata {
		for _, f := range []struct {
			field string
			lit   *string
			expr  **jtemplate
		}{{"Error", &st.errName, &st.errorExpr}, {"Cause", &st.cause, &st.causeExpr}} {
			v, has := m[f.field]
			if !has {
				continue
			}
			s, ok := v.(string)
			if !ok {
				return fmt.Errorf("%s must be a string", f.field)
			}
			if p.expr(f.field) {
				*f.expr = p.exprs[f.field]
			} else {
				*f.lit = s
			}
		}
		return nil
	}
	st.errName, _ = m["Error"].(string)
	st.cause, _ = m["Cause"].(string)
	st.errorPath = p.dynamic("ErrorPath")
	st.causePath = p.dynamic("CausePath")
	if st.errName != "" && st.errorPath != nil || st.cause != "" && st.causePath != nil {
		return fmt.Errorf("Error/Cause and ErrorPath/CausePath are exclusive")
	}
	return nil
}

func parseParallel(st *State, m map[string]any, pc parseCtx, loc string) error {
	list, ok := m["Branches"].([]any)
	if !ok || len(list) == 0 {
		return fmt.Errorf("Branches must be a non-empty array")
	}
	for i, raw := range list {
		bm, ok := raw.(map[string]any)
		if !ok {
			return fmt.Errorf("Branches[%d] must be an object", i)
		}
		sub := pc
		sub.loc = loc + "/Branches/" + strconv.Itoa(i)
		b, err := parseMachine(bm, st.Name, sub)
		if err != nil {
			return err
		}
		st.branches = append(st.branches, b)
	}
	return nil
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
