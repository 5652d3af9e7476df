package sam

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// Local values of the pseudo parameters and of the ARNs built from them.
const (
	DefaultRegion    = "us-east-1"
	DefaultAccount   = "123456789012"
	DefaultStackName = "breachflow"
)

// ErrNotFound is returned when a template holds no resource of the kind asked.
var ErrNotFound = errors.New("not found")

// Template is a loaded SAM template. Region, Account and StackName are the
// values of the pseudo parameters; change them before calling StateMachines
// or Functions to resolve for another local identity.
type Template struct {
	// Path is the template file; DefinitionUri and CodeUri are relative to
	// its directory.
	Path      string
	Region    string
	Account   string
	StackName string
	// Local holds the values the local stack gives to references it decides
	// itself, keyed as the template writes them: a Ref by the parameter or
	// resource name ("CaseTable"), a Fn::GetAtt by Resource.Attribute
	// ("ConsoleFunctionUrl.FunctionUrl", a resource SAM generates). They win
	// over every other resolution, as --parameter-overrides does for sam.
	Local      map[string]string
	Parameters map[string]any
	Resources  map[string]Resource
	globals    map[string]any
}

// Resource is one entry of the template's Resources.
type Resource struct {
	Type       string
	Properties map[string]any
}

// StateMachine is an AWS::Serverless::StateMachine ready to run locally.
type StateMachine struct {
	LogicalID string
	// Name is the Name property, or the logical id.
	Name string
	// Type is STANDARD or EXPRESS.
	Type string
	// DefinitionPath is the DefinitionUri file, empty for an inline
	// Definition.
	DefinitionPath string
	// Substitutions are the resolved DefinitionSubstitutions.
	Substitutions map[string]string
	// Definition is the ASL JSON with every substitution applied.
	Definition []byte
	// ARN is the local state machine ARN.
	ARN string
}

// Function is an AWS::Serverless::Function as the local function registry
// needs it.
type Function struct {
	LogicalID    string
	FunctionName string
	ARN          string
	// CodeURI is as written in the template (relative to it), with Globals
	// applied.
	CodeURI string
	Handler string
	Runtime string
	// MemorySize is the function's memory in MB as written, with Globals
	// applied; empty when neither sets it (Lambda's default, 128).
	MemorySize string
	// Environment holds the variables that resolve locally; the names of the
	// others are in UnresolvedEnvironment.
	Environment           map[string]string
	UnresolvedEnvironment []string
}

// Load reads and parses the template at path.
func Load(path string) (*Template, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load template: %w", err)
	}
	t, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	t.Path = path
	return t, nil
}

// Parse parses template text (YAML or JSON). Relative paths in it resolve
// against the current directory unless Path is set.
func Parse(data []byte) (*Template, error) {
	doc, err := decodeTemplate(data)
	if err != nil {
		return nil, err
	}
	t := &Template{
		Region: DefaultRegion, Account: DefaultAccount, StackName: DefaultStackName,
		Parameters: map[string]any{}, Resources: map[string]Resource{},
	}
	if p, ok := doc["Parameters"].(map[string]any); ok {
		t.Parameters = p
	}
	if g, ok := doc["Globals"].(map[string]any); ok {
		t.globals = g
	}
	res, ok := doc["Resources"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("template has no Resources")
	}
	for id, r := range res {
		rm, ok := r.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("resource %s is not a mapping", id)
		}
		typ, _ := rm["Type"].(string)
		props, _ := rm["Properties"].(map[string]any)
		if props == nil {
			props = map[string]any{}
		}
		t.Resources[id] = Resource{Type: typ, Properties: props}
	}
	return t, nil
}

func (t *Template) dir() string {
	if t.Path == "" {
		return "."
	}
	return filepath.Dir(t.Path)
}

// logicalIDs returns the ids of resources of the given types, sorted.
func (t *Template) logicalIDs(types ...string) []string {
	var ids []string
	for id, r := range t.Resources {
		for _, typ := range types {
			if r.Type == typ {
				ids = append(ids, id)
			}
		}
	}
	sort.Strings(ids)
	return ids
}

// StateMachines returns every AWS::Serverless::StateMachine, sorted by
// logical id, with its definition read and substituted.
func (t *Template) StateMachines() ([]StateMachine, error) {
	ids := t.logicalIDs("AWS::Serverless::StateMachine")
	if len(ids) == 0 {
		return nil, fmt.Errorf("state machines: %w", ErrNotFound)
	}
	out := make([]StateMachine, 0, len(ids))
	for _, id := range ids {
		sm, err := t.stateMachine(id)
		if err != nil {
			return nil, fmt.Errorf("state machine %s: %w", id, err)
		}
		out = append(out, sm)
	}
	return out, nil
}

func (t *Template) stateMachine(id string) (StateMachine, error) {
	props := t.Resources[id].Properties
	sm := StateMachine{LogicalID: id, Type: "STANDARD", Substitutions: map[string]string{}}
	var err error
	if sm.Name, err = t.named(id, "Name"); err != nil {
		return sm, err
	}
	if typ, ok := props["Type"]; ok {
		if sm.Type, err = t.resolve(typ); err != nil {
			return sm, fmt.Errorf("Type: %w", err)
		}
	}
	if sm.ARN, err = t.stateMachineARN(id); err != nil {
		return sm, err
	}
	if subs, ok := props["DefinitionSubstitutions"].(map[string]any); ok {
		for key, v := range subs {
			s, err := t.resolve(v)
			if err != nil {
				return sm, fmt.Errorf("DefinitionSubstitutions key %s: %w", key, err)
			}
			sm.Substitutions[key] = s
		}
	}
	var raw []byte
	switch {
	case props["DefinitionUri"] != nil:
		uri, ok := props["DefinitionUri"].(string)
		if !ok {
			return sm, fmt.Errorf("DefinitionUri: only a local file path is supported, not an S3 location")
		}
		sm.DefinitionPath = filepath.Join(t.dir(), uri)
		if raw, err = os.ReadFile(sm.DefinitionPath); err != nil {
			return sm, fmt.Errorf("DefinitionUri: %w", err)
		}
	case props["Definition"] != nil:
		if raw, err = json.Marshal(props["Definition"]); err != nil {
			return sm, fmt.Errorf("Definition: %w", err)
		}
	default:
		return sm, fmt.Errorf("neither DefinitionUri nor Definition is set")
	}
	if sm.Definition, err = Substitute(raw, sm.Substitutions); err != nil {
		return sm, fmt.Errorf("definition %s: %w", sm.DefinitionPath, err)
	}
	if !json.Valid(sm.Definition) {
		return sm, fmt.Errorf("definition %s is not valid JSON after substitution", sm.DefinitionPath)
	}
	return sm, nil
}

// Functions returns every AWS::Serverless::Function by logical id, with
// Globals.Function applied to CodeUri, Handler and Runtime.
func (t *Template) Functions() (map[string]Function, error) {
	ids := t.logicalIDs("AWS::Serverless::Function")
	if len(ids) == 0 {
		return nil, fmt.Errorf("functions: %w", ErrNotFound)
	}
	globals, _ := t.globals["Function"].(map[string]any)
	out := make(map[string]Function, len(ids))
	for _, id := range ids {
		props := t.Resources[id].Properties
		f := Function{LogicalID: id, Environment: map[string]string{}}
		var err error
		if f.FunctionName, err = t.named(id, "FunctionName"); err != nil {
			return nil, fmt.Errorf("function %s: %w", id, err)
		}
		f.ARN = FunctionARN(t.Region, t.Account, f.FunctionName)
		for _, field := range []struct {
			name string
			dst  *string
		}{{"CodeUri", &f.CodeURI}, {"Handler", &f.Handler}, {"Runtime", &f.Runtime}, {"MemorySize", &f.MemorySize}} {
			v, ok := props[field.name]
			if !ok {
				v, ok = globals[field.name]
			}
			if !ok {
				continue
			}
			if *field.dst, err = t.resolve(v); err != nil {
				return nil, fmt.Errorf("function %s: %s: %w", id, field.name, err)
			}
		}
		vars := map[string]any{}
		if env, ok := globals["Environment"].(map[string]any); ok {
			if gv, ok := env["Variables"].(map[string]any); ok {
				for k, v := range gv {
					vars[k] = v
				}
			}
		}
		if env, ok := props["Environment"].(map[string]any); ok {
			if fv, ok := env["Variables"].(map[string]any); ok {
				for k, v := range fv {
					vars[k] = v
				}
			}
		}
		for k, v := range vars {
			s, err := t.resolve(v)
			if err != nil {
				f.UnresolvedEnvironment = append(f.UnresolvedEnvironment, k)
				continue
			}
			f.Environment[k] = s
		}
		sort.Strings(f.UnresolvedEnvironment)
		out[id] = f
	}
	return out, nil
}
