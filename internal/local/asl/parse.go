package asl

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

var commonFields = []string{"Type", "Comment"}

var allowedFields = map[string][]string{
	"Pass":     {"Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "Result"},
	"Task":     {"Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector", "Resource", "TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds", "HeartbeatSecondsPath", "Retry", "Catch", "Credentials"},
	"Choice":   {"InputPath", "OutputPath", "Choices", "Default"},
	"Wait":     {"Next", "End", "InputPath", "OutputPath", "Seconds", "Timestamp", "SecondsPath", "TimestampPath"},
	"Succeed":  {"InputPath", "OutputPath"},
	"Fail":     {"Error", "Cause", "ErrorPath", "CausePath"},
	"Parallel": {"Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector", "Branches", "Retry", "Catch"},
	"Map": {"Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "ItemSelector", "ResultSelector", "ItemsPath", "MaxConcurrency", "MaxConcurrencyPath",
		"Iterator", "ItemProcessor", "ItemReader", "ResultWriter", "ItemBatcher", "ToleratedFailurePercentage", "ToleratedFailurePercentagePath",
		"ToleratedFailureCount", "ToleratedFailureCountPath", "Label", "Retry", "Catch"},
}

var substitution = regexp.MustCompile(`\$\{[^}]*\}`)

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
	if ql, ok := m["QueryLanguage"]; ok && ql != "JSONPath" {
		return nil, &DefinitionError{Reason: fmt.Sprintf("QueryLanguage %v is not supported (only JSONPath)", ql)}
	}
	return parseMachine(m, "")
}

func parseMachine(m map[string]any, owner string) (*Machine, error) {
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
	for _, name := range names {
		sm, ok := states[name].(map[string]any)
		if !ok {
			return nil, &DefinitionError{StateName: name, Reason: "state must be an object"}
		}
		if len(name) > 80 {
			return nil, &DefinitionError{StateName: name, Reason: "state name longer than 80 characters"}
		}
		if loc := substitution.FindString(mustEncode(sm)); loc != "" {
			return nil, &DefinitionError{StateName: name, Reason: fmt.Sprintf("unresolved substitution %s", loc)}
		}
		st, err := parseState(name, sm)
		if err == nil {
			st.usesContext = strings.Contains(mustEncode(sm), "$$")
		}
		if err != nil {
			if de, ok := err.(*DefinitionError); ok {
				return nil, de
			}
			return nil, &DefinitionError{StateName: name, Reason: err.Error()}
		}
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

func parseState(name string, m map[string]any) (*State, error) {
	st := &State{Name: name}
	typ, ok := m["Type"].(string)
	if !ok {
		return nil, fmt.Errorf("Type is missing")
	}
	allowed, ok := allowedFields[typ]
	if !ok {
		return nil, fmt.Errorf("unknown state type %q", typ)
	}
	st.Type = typ
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
	for _, k := range unknown {
		switch k {
		case "Assign":
			return nil, fmt.Errorf("workflow variables (Assign) are not supported by the local engine")
		case "Arguments", "Output", "QueryLanguage":
			return nil, fmt.Errorf("field %s belongs to the JSONata query language, which the local engine does not support", k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, fmt.Errorf("field(s) %s not allowed in a %s state", strings.Join(unknown, ", "), typ)
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
	st.inputPath, st.inputNull = p.optPath("InputPath", false)
	st.outputPath, st.outputNull = p.optPath("OutputPath", false)
	st.resultPath, st.resultNull = p.optPath("ResultPath", true)
	if t := p.template("Parameters"); t != nil {
		st.parameters = t
	}
	st.resultSelector = p.template("ResultSelector")
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
		st.errName, _ = m["Error"].(string)
		st.cause, _ = m["Cause"].(string)
		st.errorPath = p.dynamic("ErrorPath")
		st.causePath = p.dynamic("CausePath")
		if st.errName != "" && st.errorPath != nil || st.cause != "" && st.causePath != nil {
			return nil, fmt.Errorf("Error/Cause and ErrorPath/CausePath are exclusive")
		}
	case "Parallel":
		err = parseParallel(st, m)
	case "Map":
		err = parseMap(st, &p)
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

// fieldParser reads optional fields, remembering the first error.
type fieldParser struct {
	m   map[string]any
	err error
}

func (p *fieldParser) fail(format string, args ...any) {
	if p.err == nil {
		p.err = fmt.Errorf(format, args...)
	}
}

// optPath returns the compiled path, or isNull for an explicit JSON null.
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
	if !has {
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
		r, err := compileChoiceRule(raw, true)
		if err != nil {
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

func parseWait(st *State, p *fieldParser) error {
	count := 0
	if n, has := p.posInt("Seconds", true); has {
		st.seconds = &n
		count++
	}
	if v, has := p.m["Timestamp"]; has {
		s, _ := v.(string)
		t, ok := parseTimestamp(s)
		if !ok {
			return fmt.Errorf("Timestamp %q is not an RFC3339 timestamp", s)
		}
		st.timestamp = &t
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

func parseParallel(st *State, m map[string]any) error {
	list, ok := m["Branches"].([]any)
	if !ok || len(list) == 0 {
		return fmt.Errorf("Branches must be a non-empty array")
	}
	for i, raw := range list {
		bm, ok := raw.(map[string]any)
		if !ok {
			return fmt.Errorf("Branches[%d] must be an object", i)
		}
		b, err := parseMachine(bm, st.Name)
		if err != nil {
			return err
		}
		st.branches = append(st.branches, b)
	}
	return nil
}
