// Package envconfig reads a settings struct from environment variables
// through a lookup function: os.LookupEnv in a deployed Lambda, a lookup
// over the variables template.yaml gives the function in the local stack
// (internal/local/deploy). Every function's settings go through it, in both
// places, so a new setting is a template line and a struct field.
//
// A struct names its variables with `env` tags; a tag with ",optional" may
// be absent (the field keeps the value it had). A missing required variable
// is an error that names every missing one; a malformed value is an error
// that names the variable.
//
//	type settings struct {
//		CaseTable string        `env:"CASE_TABLE"`
//		Margin    time.Duration `env:"APPROVAL_MARGIN,optional"`
//		Approvers []string      `env:"BREACHFLOW_APPROVERS"`
//	}
package envconfig

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Lookup returns a variable's value and whether it is set, as os.LookupEnv does.
type Lookup func(name string) (string, bool)

// Map is a Lookup over a fixed set of variables: a function's environment
// as the local stack resolves it, or a test's.
func Map(vars map[string]string) Lookup {
	return func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	}
}

// Load fills the `env`-tagged fields of *dst through lookup. Supported field
// types: string, int, float64, bool, time.Duration, and slices of string or
// time.Duration (comma- or white-space-separated lists, as "a@x,b@x" or
// "24h,6h"). A variable set to "" counts as absent.
func Load(dst any, lookup Lookup) error {
	v := reflect.ValueOf(dst)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("envconfig.Load wants a pointer to a struct, got %T", dst)
	}
	v = v.Elem()
	var missing []string
	var errs []error
	for i := range v.NumField() {
		f := v.Type().Field(i)
		tag, ok := f.Tag.Lookup("env")
		if !ok {
			continue
		}
		name, opt, _ := strings.Cut(tag, ",")
		raw, set := lookup(name)
		if !set || raw == "" {
			if opt != "optional" {
				missing = append(missing, name)
			}
			continue
		}
		if err := setField(v.Field(i), raw); err != nil {
			errs = append(errs, fmt.Errorf("%s=%q: %w", name, raw, err))
		}
	}
	if len(missing) > 0 {
		errs = append([]error{fmt.Errorf("missing environment variables: %s", strings.Join(missing, ", "))}, errs...)
	}
	return errors.Join(errs...)
}

// List splits a comma- or white-space-separated list, as list variables
// carry them.
func List(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' })
}

var durationType = reflect.TypeFor[time.Duration]()

func setField(f reflect.Value, raw string) error {
	if f.Kind() == reflect.Slice {
		items := List(raw)
		s := reflect.MakeSlice(f.Type(), len(items), len(items))
		for i, item := range items {
			if err := setField(s.Index(i), item); err != nil {
				return err
			}
		}
		f.Set(s)
		return nil
	}
	if f.Type() == durationType {
		d, err := time.ParseDuration(raw)
		if err != nil {
			return err
		}
		f.SetInt(int64(d))
		return nil
	}
	switch f.Kind() {
	case reflect.String:
		f.SetString(raw)
	case reflect.Int, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return err
		}
		f.SetInt(n)
	case reflect.Float64:
		n, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return err
		}
		f.SetFloat(n)
	case reflect.Bool:
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return err
		}
		f.SetBool(b)
	default:
		return fmt.Errorf("unsupported field type %s", f.Type())
	}
	return nil
}
