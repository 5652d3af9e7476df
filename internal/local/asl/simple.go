package asl

import (
	"context"
	"strconv"
	"time"
)

func (r *runner) simpleState(ctx context.Context, st *State, env *stateEnv, raw any) (stepResult, *ExecError) {
	if st.jsonata {
		return r.simpleJSONata(ctx, st, env, raw)
	}
	eff, err := r.inputPath(st, raw, env)
	if err != nil {
		return stepResult{}, err
	}
	r.inspect(st, "afterInputPath", eff)
	next := st.Next
	asg, asgInput := st.assign, eff
	switch st.Type {
	case "Pass":
		if st.parameters != nil {
			if eff, err = r.evalTemplate(st.parameters, eff, env); err != nil {
				return stepResult{}, err
			}
			r.inspect(st, "afterParameters", eff)
		}
		result := eff
		if st.hasResult {
			result = st.result
		}
		asgInput = result
		if eff, err = applyResultPath(st.resultPath, st.resultNull, raw, result); err != nil {
			return stepResult{}, err
		}
		r.inspect(st, "afterResultPath", eff)
	case "Choice":
		next = ""
		for _, rule := range st.choices {
			ok, err := r.matches(rule, eff, env)
			if err != nil {
				return stepResult{}, err
			}
			if ok {
				next, asg = rule.next, rule.assign
				break
			}
		}
		if next == "" {
			next = st.defaultNext
		}
		if next == "" {
			return stepResult{}, r.noChoice()
		}
	case "Wait":
		deadline, err := r.waitDeadline(st, env, func(now time.Time) (time.Time, *ExecError) {
			switch {
			case st.secondsPath != nil:
				v, ok := st.secondsPath.sel(eff, env)
				n, isInt := toInt(v)
				if !ok || !isInt || n < 0 {
					return time.Time{}, execErr(ErrRuntime, "The SecondsPath parameter does not reference a valid integer value: %s", st.secondsPath.src)
				}
				return now.Add(time.Duration(n) * time.Second), nil
			case st.timestampPath != nil:
				v, ok := st.timestampPath.sel(eff, env)
				s, _ := v.(string)
				t, valid := parseTimestamp(s)
				if !ok || !valid {
					return time.Time{}, execErr(ErrRuntime, "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: %s", st.timestampPath.src)
				}
				return t, nil
			}
			return fixedDeadline(st, now), nil
		})
		if err != nil {
			return stepResult{}, err
		}
		if err := r.sleepUntil(ctx, deadline); err != nil {
			return stepResult{}, err
		}
	case "Succeed":
		next = ""
	}
	assigned, err := r.evalAssign(asg, "Assign", asgInput, jstates{}, env)
	if err != nil {
		return stepResult{}, err
	}
	out, err := r.outputPath(st, eff, env)
	if err != nil {
		return stepResult{}, err
	}
	if st.End {
		next = ""
	}
	return stepResult{next: next, out: out, assign: assigned}, nil
}

// simpleJSONata runs a Pass, Choice, Wait or Succeed state of the JSONata
// query language.
func (r *runner) simpleJSONata(ctx context.Context, st *State, env *stateEnv, raw any) (stepResult, *ExecError) {
	s := jstates{input: raw}
	next, out := st.Next, raw
	asg, outT := st.assign, st.output
	asgField, outField := "Assign", "Output"
	switch st.Type {
	case "Pass":
		if st.hasResult {
			s.result, s.hasResult, out = st.result, true, st.result
		}
	case "Choice":
		next = ""
		for i, rule := range st.choices {
			field := "Choices/" + strconv.Itoa(i) + "/Condition"
			v, err := r.evalJ(rule.condition, field, s, env)
			if err != nil {
				return stepResult{}, err
			}
			b, isBool := v.(bool)
			if !isBool {
				return stepResult{}, r.typeError(env, rule.condition, field, "boolean", v)
			}
			if b {
				next, asg, outT = rule.next, rule.assign, rule.output
				asgField, outField = "Choices/"+strconv.Itoa(i)+"/Assign", "Choices/"+strconv.Itoa(i)+"/Output"
				break
			}
		}
		if next == "" {
			next = st.defaultNext
		}
		if next == "" {
			return stepResult{}, r.noChoice()
		}
	case "Wait":
		deadline, err := r.waitDeadline(st, env, func(now time.Time) (time.Time, *ExecError) {
			switch {
			case st.secondsExpr != nil:
				n, err := r.evalInt(st.secondsExpr, "Seconds", s, env, 0)
				return now.Add(time.Duration(n) * time.Second), err
			case st.timestampExpr != nil:
				v, err := r.evalJ(st.timestampExpr, "Timestamp", s, env)
				if err != nil {
					return time.Time{}, err
				}
				str, _ := v.(string)
				t, ok := parseTimestamp(str)
				if !ok {
					return time.Time{}, r.typeError(env, st.timestampExpr, "Timestamp", "timestamp", v)
				}
				return t, nil
			}
			return fixedDeadline(st, now), nil
		})
		if err != nil {
			return stepResult{}, err
		}
		if err := r.sleepUntil(ctx, deadline); err != nil {
			return stepResult{}, err
		}
	case "Succeed":
		next = ""
	}
	assigned, err := r.evalAssign(asg, asgField, nil, s, env)
	if err != nil {
		return stepResult{}, err
	}
	if outT != nil {
		if out, err = r.evalJ(outT, outField, s, env); err != nil {
			return stepResult{}, err
		}
	}
	if st.End {
		next = ""
	}
	return stepResult{next: next, out: out, assign: assigned}, nil
}

func fixedDeadline(st *State, now time.Time) time.Time {
	if st.timestamp != nil {
		return *st.timestamp
	}
	if st.seconds != nil {
		return now.Add(time.Duration(*st.seconds) * time.Second)
	}
	return now
}

// waitDeadline returns when a Wait state ends: the journaled deadline on a
// resumed run, else the one compute gives, journaled.
func (r *runner) waitDeadline(st *State, env *stateEnv, compute func(now time.Time) (time.Time, *ExecError)) (time.Time, *ExecError) {
	if rec, ok := r.journalGet(env.key + "/wait"); ok && env.key != "" {
		return time.Unix(0, rec.Time), nil
	}
	deadline, err := compute(r.clock.Now())
	if err != nil {
		return time.Time{}, err
	}
	if env.key != "" {
		r.journalPut(Record{Key: env.key + "/wait", Kind: "wait", Time: deadline.UnixNano()})
	}
	if r.test != nil {
		// TestState does not wait.
		return r.clock.Now(), nil
	}
	return deadline, nil
}
