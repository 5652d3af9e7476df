package sam

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Substitute replaces each ${Key} in an ASL definition with subs[Key], as
// Step Functions does with DefinitionSubstitutions. A placeholder without a
// value is an error naming it and, when the definition can be read, the
// state that holds it.
func Substitute(definition []byte, subs map[string]string) ([]byte, error) {
	var missing []string
	seen := map[string]bool{}
	out := subVar.ReplaceAllFunc(definition, func(m []byte) []byte {
		key := string(m[2 : len(m)-1])
		if v, ok := subs[key]; ok {
			return []byte(v)
		}
		if !seen[key] {
			seen[key] = true
			missing = append(missing, key)
		}
		return m
	})
	if len(missing) == 0 {
		return out, nil
	}
	sort.Strings(missing)
	where := locate(out, missing)
	msgs := make([]string, len(missing))
	for i, key := range missing {
		msgs[i] = "${" + key + "}"
		if states := where[key]; len(states) > 0 {
			msgs[i] += fmt.Sprintf(" (in state %s)", strings.Join(states, ", "))
		}
	}
	return nil, fmt.Errorf("unresolved substitutions %s", strings.Join(msgs, ", "))
}

// locate finds, for each missing key, the innermost states whose fields
// hold its placeholder. Placeholders are swapped for markers (quoted when
// they stand outside a JSON string) so the definition can be decoded.
func locate(def []byte, keys []string) map[string][]string {
	var b bytes.Buffer
	inString, escaped := false, false
	for i := 0; i < len(def); i++ {
		c := def[i]
		if c == '$' && i+1 < len(def) && def[i+1] == '{' {
			if end := bytes.IndexByte(def[i:], '}'); end > 0 {
				m := `\u0000breachflow-unresolved:` + string(def[i+2:i+end]) + `\u0000`
				if !inString {
					m = `"` + m + `"`
				}
				b.WriteString(m)
				i += end
				continue
			}
		}
		switch {
		case escaped:
			escaped = false
		case c == '\\' && inString:
			escaped = true
		case c == '"':
			inString = !inString
		}
		b.WriteByte(c)
	}
	var doc map[string]any
	if json.Unmarshal(b.Bytes(), &doc) != nil {
		return nil
	}
	found := map[string][]string{}
	walkStates(doc, "", func(state string, v any) {
		text, _ := json.Marshal(v)
		for _, key := range keys {
			if bytes.Contains(text, []byte(`\u0000breachflow-unresolved:`+key+`\u0000`)) {
				found[key] = append(found[key], state)
			}
		}
	})
	for _, states := range found {
		sort.Strings(states)
	}
	return found
}

// walkStates calls fn for every state of a machine and of its Parallel
// branches and Map processors, with each state's own fields (nested
// machines excluded, so the innermost state is the one reported).
func walkStates(machine map[string]any, prefix string, fn func(state string, fields any)) {
	states, _ := machine["States"].(map[string]any)
	for name, raw := range states {
		st, ok := raw.(map[string]any)
		if !ok {
			continue
		}
		full := prefix + name
		own := map[string]any{}
		for k, v := range st {
			switch k {
			case "Branches":
				branches, _ := v.([]any)
				for _, br := range branches {
					if m, ok := br.(map[string]any); ok {
						walkStates(m, full+"/", fn)
					}
				}
			case "ItemProcessor", "Iterator":
				if m, ok := v.(map[string]any); ok {
					walkStates(m, full+"/", fn)
				}
			default:
				own[k] = v
			}
		}
		fn(full, own)
	}
}
