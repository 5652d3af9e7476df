package report

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
)

// MaxSize is the largest report Parse accepts, in bytes. Reports are facts,
// not data dumps; anything bigger is a mistake or an attack.
const MaxSize = 1 << 20

//go:embed schema/report.schema.json
var schemaFS embed.FS

// SchemaJSON returns the embedded JSON Schema (draft 2020-12) of a report.
func SchemaJSON() []byte {
	b, err := schemaFS.ReadFile("schema/report.schema.json")
	if err != nil {
		panic(err) // embedded at build time
	}
	return b
}

var compiled = sync.OnceValues(func() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(SchemaJSON()))
	if err != nil {
		return nil, fmt.Errorf("report schema: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	const url = "https://breachflow.example.com/schema/report.schema.json"
	if err := c.AddResource(url, doc); err != nil {
		return nil, fmt.Errorf("report schema: %w", err)
	}
	return c.Compile(url)
})

// Parse decodes and validates a report against the current time.
func Parse(data []byte) (*Report, error) { return ParseAt(data, time.Now()) }

// ParseAt decodes and validates a report; now is the moment no date in the
// report may be after. It returns a *ValidationError listing every problem
// found, or an error for input that is not a JSON object at all.
func ParseAt(data []byte, now time.Time) (*Report, error) {
	if len(data) > MaxSize {
		return nil, &ValidationError{Problems: []Problem{{Message: fmt.Sprintf("report is %d bytes; the limit is %d", len(data), MaxSize)}}}
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return nil, &ValidationError{Problems: []Problem{{Message: "not valid JSON: " + syntaxMessage(err)}}}
	}
	if _, ok := inst.(map[string]any); !ok {
		return nil, &ValidationError{Problems: []Problem{{Message: "a report must be a JSON object"}}}
	}
	sch, err := compiled()
	if err != nil {
		return nil, err
	}
	var ps problems
	if err := sch.Validate(inst); err != nil {
		var ve *jsonschema.ValidationError
		if !errors.As(err, &ve) {
			return nil, fmt.Errorf("validate report: %w", err)
		}
		schemaProblems(ve, &ps)
		// Report the semantic problems too, when the rest decodes, so one
		// round trip shows everything; skip fields the schema already named.
		var loose Report
		if json.Unmarshal(data, &loose) == nil {
			var more problems
			loose.check(now, &more)
			for _, p := range more {
				if !ps.covers(p.Path) {
					ps = append(ps, p)
				}
			}
		}
		return nil, ps.err()
	}
	var r Report
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		ps.add("", "cannot decode: %s", decodeMessage(err))
		return nil, ps.err()
	}
	if _, err := dec.Token(); err != io.EOF {
		ps.add("", "trailing data after the report object")
		return nil, ps.err()
	}
	r.check(now, &ps)
	if err := ps.err(); err != nil {
		return nil, err
	}
	return &r, nil
}

// schemaProblems flattens the schema validator's error tree into problems,
// one per failing leaf, with dotted paths.
func schemaProblems(ve *jsonschema.ValidationError, ps *problems) {
	if len(ve.Causes) > 0 {
		for _, c := range ve.Causes {
			schemaProblems(c, ps)
		}
		return
	}
	// Clone: the validator may share location slices between errors.
	loc := append([]string(nil), ve.InstanceLocation...)
	switch k := ve.ErrorKind.(type) {
	case *kind.AdditionalProperties:
		for _, p := range k.Properties {
			// A field name is named only when it reads like one: a key
			// can be anything a caller typed, an address included.
			if fieldName(p) {
				ps.add(dotted(append(loc, p)), "unknown field")
			} else {
				ps.add(dotted(loc), "has a field this object does not take (its name is not shown)")
			}
		}
		return
	case *kind.Required:
		for _, p := range k.Missing {
			ps.add(dotted(append(loc, p)), "required")
		}
		return
	}
	ps.add(dotted(loc), "%s", schemaMessage(ve.ErrorKind))
}

// fieldName reports whether a key reads like one of the format's field
// names (snake_case) or a jurisdiction code (KR, US-CA), which a problem
// may name. Any other key is input a problem does not repeat: a key can be
// anything a caller typed, an address included.
func fieldName(s string) bool {
	return snakeCase.MatchString(s) || jurisdictionKey.MatchString(s)
}

var (
	snakeCase       = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)
	jurisdictionKey = regexp.MustCompile(`^[A-Z]{2}(-[A-Z0-9]{1,3})?$`)
)

// schemaMessage says which rule a value broke, built from the rule alone:
// the validator's own messages quote the value ("'x' does not match
// pattern ..."), and any field may hold personal data, so none of them is
// used.
func schemaMessage(k jsonschema.ErrorKind) string {
	switch k := k.(type) {
	case *kind.Type:
		return "wrong type: want " + strings.Join(k.Want, " or ") + ", got " + k.Got
	case *kind.Enum:
		if len(k.Want) > 12 {
			return fmt.Sprintf("not one of the %d allowed values (docs/report-format.md lists them)", len(k.Want))
		}
		return "not one of the allowed values: " + schemaValues(k.Want)
	case *kind.Const:
		return "must be " + schemaValues([]any{k.Want})
	case *kind.Format:
		return "not a valid " + k.Want
	case *kind.Pattern:
		return "does not match the pattern " + k.Want
	case *kind.MinLength:
		return fmt.Sprintf("shorter than %d characters", k.Want)
	case *kind.MaxLength:
		return fmt.Sprintf("longer than %d characters", k.Want)
	case *kind.Minimum:
		return "less than " + k.Want.RatString()
	case *kind.ExclusiveMinimum:
		return "not more than " + k.Want.RatString()
	case *kind.Maximum:
		return "more than " + k.Want.RatString()
	case *kind.ExclusiveMaximum:
		return "not less than " + k.Want.RatString()
	case *kind.MultipleOf:
		return "not a multiple of " + k.Want.RatString()
	case *kind.MinItems:
		return fmt.Sprintf("fewer than %d items", k.Want)
	case *kind.MaxItems:
		return fmt.Sprintf("more than %d items", k.Want)
	case *kind.UniqueItems:
		return fmt.Sprintf("items [%d] and [%d] are the same", k.Duplicates[0], k.Duplicates[1])
	case *kind.MinProperties:
		return fmt.Sprintf("fewer than %d fields", k.Want)
	case *kind.MaxProperties:
		return fmt.Sprintf("more than %d fields", k.Want)
	case *kind.PropertyNames:
		return "has a field name that is not allowed (the name is not shown)"
	case *kind.FalseSchema:
		return "not allowed here"
	case *kind.AnyOf, *kind.OneOf:
		return "matches none, or more than one, of the forms this field takes"
	}
	if kw := k.KeywordPath(); len(kw) > 0 {
		return "fails the schema's " + kw[len(kw)-1] + " rule"
	}
	return "invalid"
}

// schemaValues writes the allowed values of an enum or const: the schema's
// words, never the report's.
func schemaValues(vs []any) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		b, err := json.Marshal(v)
		if err != nil {
			b = []byte("?")
		}
		parts[i] = string(b)
	}
	return strings.Join(parts, ", ")
}

// dotted turns ["approvers","2"] into "approvers[2]" and
// ["timeline","aware"] into "timeline.aware".
func dotted(loc []string) string {
	var b strings.Builder
	for i, tok := range loc {
		if _, err := strconv.Atoi(tok); err == nil && i > 0 {
			b.WriteString("[" + tok + "]")
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(tok)
	}
	return b.String()
}

// syntaxMessage keeps the position of a JSON syntax error but not the text
// around it.
func syntaxMessage(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("syntax error at byte %d", se.Offset)
	}
	return "malformed JSON"
}

func decodeMessage(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("%s: wrong type (want %s)", te.Field, te.Type)
	}
	var pe *time.ParseError
	if errors.As(err, &pe) {
		return "a time is not RFC 3339"
	}
	return "malformed report"
}
