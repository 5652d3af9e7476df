package report

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
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
	schemaProblemsAt(ve, ps)
}

func schemaProblemsAt(ve *jsonschema.ValidationError, ps *problems) {
	if len(ve.Causes) > 0 {
		for _, c := range ve.Causes {
			schemaProblemsAt(c, ps)
		}
		return
	}
	// Clone: the validator may share location slices between errors.
	loc := append([]string(nil), ve.InstanceLocation...)
	switch k := ve.ErrorKind.(type) {
	case *kind.AdditionalProperties:
		for _, p := range k.Properties {
			ps.add(dotted(append(loc, p)), "unknown field")
		}
		return
	case *kind.Required:
		for _, p := range k.Missing {
			ps.add(dotted(append(loc, p)), "required")
		}
		return
	}
	path := dotted(loc)
	ps.add(path, "%s", schemaMessage(path, ve))
}

var printer = message.NewPrinter(language.English)

// personal lists the path prefixes that hold personal data: their schema
// messages are replaced, because some validators quote the offending value.
var personal = []string{"approvers", "submitter", "organisation.contact", "organisation.dpo"}

func schemaMessage(path string, ve *jsonschema.ValidationError) string {
	msg := ve.ErrorKind.LocalizedString(printer)
	for _, p := range personal {
		if path == p || strings.HasPrefix(path, p+".") || strings.HasPrefix(path, p+"[") {
			kw := ve.ErrorKind.KeywordPath()
			if len(kw) > 0 {
				return "invalid value (fails " + kw[len(kw)-1] + "; value not shown)"
			}
			return "invalid value (value not shown)"
		}
	}
	return msg
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
