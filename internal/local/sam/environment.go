package sam

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
)

// Overrides are environment values the local stack puts over those the
// template gives its functions, in the JSON form `sam local invoke
// --env-vars` reads:
//
//	{"Parameters": {"SES_MAX_SEND_RATE": "1000"},
//	 "SendFunction": {"SENDER_ADDRESS": "privacy@example.org"}}
//
// The "Parameters" section (Shared) holds values for every function whose
// template environment declares the variable; as with sam, a function that
// does not declare it does not get it, so the local stack misses a variable
// the template forgot exactly as Lambda would. A function's own section
// wins over Shared and, unlike sam's, may also add variables the template
// does not declare: settings that exist only locally.
type Overrides map[string]map[string]string

// Shared is the section of Overrides that applies to every function.
const Shared = "Parameters"

// ReadOverrides reads an overrides file (see Overrides).
func ReadOverrides(path string) (Overrides, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("environment overrides: %w", err)
	}
	o, err := ParseOverrides(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return o, nil
}

// ParseOverrides parses overrides JSON. A value may be a string, a number
// or a boolean (written as JSON writes it); anything else is an error that
// names the section and the variable.
func ParseOverrides(data []byte) (Overrides, error) {
	var raw map[string]map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("environment overrides: want {\"Parameters\" or a function's logical id: {\"VARIABLE\": \"value\"}}: %w", err)
	}
	o := Overrides{}
	for section, vars := range raw {
		o[section] = map[string]string{}
		for name, v := range vars {
			var s any
			d := json.NewDecoder(bytes.NewReader(v))
			d.UseNumber()
			if err := d.Decode(&s); err != nil {
				return nil, fmt.Errorf("environment overrides %s.%s: %w", section, name, err)
			}
			switch s := s.(type) {
			case string:
				o[section][name] = s
			case json.Number:
				o[section][name] = s.String()
			case bool:
				o[section][name] = strconv.FormatBool(s)
			default:
				return nil, fmt.Errorf("environment overrides %s.%s: want a string, a number or a boolean", section, name)
			}
		}
	}
	return o, nil
}

// Over returns o with over's values put over it, variable by variable.
func (o Overrides) Over(over Overrides) Overrides {
	out := Overrides{}
	for _, src := range []Overrides{o, over} {
		for section, vars := range src {
			if out[section] == nil {
				out[section] = map[string]string{}
			}
			maps.Copy(out[section], vars)
		}
	}
	return out
}

// Set sets one variable of one section (a logical id, or Shared).
func (o Overrides) Set(section, name, value string) {
	if o[section] == nil {
		o[section] = map[string]string{}
	}
	o[section][name] = value
}

// Declares reports whether the function's template environment declares
// the variable, resolved locally or not.
func (f Function) Declares(name string) bool {
	_, ok := f.Environment[name]
	return ok || slices.Contains(f.UnresolvedEnvironment, name)
}

// Environments returns, by logical id, every function's environment as the
// local stack runs it: the template's variables with Globals merged and
// their values resolved locally (see Template.Local), then o over them. A
// variable that still has no value (a parameter without a Default that no
// override gives, an attribute only AWS knows) is an error naming the
// function and the variable; so is an override section for a function the
// template does not declare.
func (t *Template) Environments(o Overrides) (map[string]map[string]string, error) {
	fns, err := t.Functions()
	if err != nil {
		return nil, err
	}
	var errs []string
	for section := range o {
		if _, ok := fns[section]; !ok && section != Shared {
			errs = append(errs, fmt.Sprintf("environment overrides for %s: the template declares no such function", section))
		}
	}
	out := make(map[string]map[string]string, len(fns))
	for id, fn := range fns {
		env := maps.Clone(fn.Environment)
		for name, v := range o[Shared] {
			if fn.Declares(name) {
				env[name] = v
			}
		}
		maps.Copy(env, o[id])
		var missing []string
		for _, name := range fn.UnresolvedEnvironment {
			if _, ok := env[name]; !ok {
				missing = append(missing, name)
			}
		}
		if len(missing) > 0 {
			errs = append(errs, fmt.Sprintf("%s has no local value for %s: give it in the environment overrides", id, strings.Join(missing, ", ")))
		}
		out[id] = env
	}
	if len(errs) > 0 {
		slices.Sort(errs)
		return nil, errors.New(strings.Join(errs, "; "))
	}
	return out, nil
}
