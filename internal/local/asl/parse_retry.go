package asl

import "fmt"

func parseRetryCatch(st *State, m map[string]any) error {
	ql := QueryJSONPath
	if st.jsonata {
		ql = QueryJSONata
	}
	if raw, has := m["Retry"]; has {
		list, ok := raw.([]any)
		if !ok {
			return fmt.Errorf("Retry must be an array")
		}
		for i, x := range list {
			rm, ok := x.(map[string]any)
			if !ok {
				return fmt.Errorf("Retry[%d] must be an object", i)
			}
			r := retrier{interval: 1, maxAttempts: 3, backoff: 2}
			eq, err := errorEquals(rm, i == len(list)-1)
			if err != nil {
				return fmt.Errorf("Retry[%d]: %v", i, err)
			}
			r.errorEquals = eq
			for k, v := range rm {
				switch k {
				case "ErrorEquals", "Comment":
				case "IntervalSeconds":
					n, ok := toInt(v)
					if !ok || n < 1 {
						return fmt.Errorf("Retry[%d]: IntervalSeconds must be a positive integer", i)
					}
					r.interval = float64(n)
				case "MaxAttempts":
					n, ok := toInt(v)
					if !ok || n < 0 {
						return fmt.Errorf("Retry[%d]: MaxAttempts must be a non-negative integer", i)
					}
					r.maxAttempts = n
				case "BackoffRate":
					f, ok := toFloat(v)
					if !ok || f < 1 {
						return fmt.Errorf("Retry[%d]: BackoffRate must be at least 1.0", i)
					}
					r.backoff = f
				case "MaxDelaySeconds":
					n, ok := toInt(v)
					if !ok || n < 1 {
						return fmt.Errorf("Retry[%d]: MaxDelaySeconds must be a positive integer", i)
					}
					r.maxDelay = float64(n)
				case "JitterStrategy":
					switch v {
					case "FULL":
						r.jitterFull = true
					case "NONE":
					default:
						return fmt.Errorf("Retry[%d]: JitterStrategy must be FULL or NONE", i)
					}
				default:
					return fmt.Errorf("Retry[%d]: unknown field %s", i, k)
				}
			}
			st.retry = append(st.retry, r)
		}
	}
	if raw, has := m["Catch"]; has {
		list, ok := raw.([]any)
		if !ok {
			return fmt.Errorf("Catch must be an array")
		}
		for i, x := range list {
			cm, ok := x.(map[string]any)
			if !ok {
				return fmt.Errorf("Catch[%d] must be an object", i)
			}
			eq, err := errorEquals(cm, i == len(list)-1)
			if err != nil {
				return fmt.Errorf("Catch[%d]: %v", i, err)
			}
			c := catcher{errorEquals: eq}
			next, ok := cm["Next"].(string)
			if !ok || next == "" {
				return fmt.Errorf("Catch[%d]: Next is missing", i)
			}
			c.next = next
			where := "Catch/" + fmt.Sprint(i)
			for _, k := range sortedKeys(cm) {
				switch k {
				case "ErrorEquals", "Next", "Comment", "Assign":
				case "ResultPath", "Output":
					if (k == "ResultPath") == st.jsonata {
						return &fieldError{field: where + "/" + k, msg: fmt.Sprintf("Field '%s' is not supported when QueryLanguage is %s", k, ql)}
					}
				default:
					return fmt.Errorf("Catch[%d]: unknown field %s", i, k)
				}
			}
			if !st.jsonata {
				if err := refuseExpressions(cm, "", ""); err != nil {
					fe := err.(*fieldError)
					return &fieldError{field: where + "/" + fe.field, msg: fe.msg}
				}
				fp := fieldParser{m: cm}
				c.resultPath, c.resultNull = fp.optPath("ResultPath", true)
				if fp.err != nil {
					return fmt.Errorf("Catch[%d]: %v", i, fp.err)
				}
			} else if v, has := cm["Output"]; has {
				var err error
				if c.output, err = compileJ(v, where+"/Output"); err != nil {
					return err
				}
			}
			if v, has := cm["Assign"]; has {
				a, err := compileAssign(v, st.jsonata, where+"/Assign")
				if err != nil {
					return err
				}
				c.assign = a
			}
			st.catch = append(st.catch, c)
		}
	}
	return nil
}

func errorEquals(m map[string]any, last bool) ([]string, error) {
	list, ok := m["ErrorEquals"].([]any)
	if !ok || len(list) == 0 {
		return nil, fmt.Errorf("ErrorEquals must be a non-empty array")
	}
	var out []string
	for _, x := range list {
		s, ok := x.(string)
		if !ok || s == "" {
			return nil, fmt.Errorf("ErrorEquals must hold error names")
		}
		if s == ErrAll && (len(list) != 1 || !last) {
			return nil, fmt.Errorf("States.ALL must appear alone in the last retrier or catcher")
		}
		out = append(out, s)
	}
	return out, nil
}
