package asl

import (
	"fmt"
	"strconv"
	"strings"
)

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
