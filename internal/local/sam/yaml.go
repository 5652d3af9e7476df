package sam

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// decodeTemplate turns template text (YAML or JSON) into plain Go values:
// map[string]any, []any, string, int, float64, bool, nil. Short-form
// intrinsic tags become their long-form single-key maps.
func decodeTemplate(data []byte) (map[string]any, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("parse template: %w", err)
	}
	if len(doc.Content) == 0 {
		return nil, fmt.Errorf("parse template: empty document")
	}
	v, err := convert(doc.Content[0])
	if err != nil {
		return nil, fmt.Errorf("parse template: %w", err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("parse template: the top level is not a mapping")
	}
	return m, nil
}

// longForm maps a short-form tag to its long-form key.
func longForm(tag string) (string, bool) {
	name := strings.TrimPrefix(tag, "!")
	if name == tag || strings.HasPrefix(tag, "!!") {
		return "", false
	}
	switch name {
	case "Ref", "Condition":
		return name, true
	}
	return "Fn::" + name, true
}

func convert(n *yaml.Node) (any, error) {
	key, tagged := longForm(n.Tag)
	var v any
	var err error
	switch n.Kind {
	case yaml.AliasNode:
		return convert(n.Alias)
	case yaml.ScalarNode:
		if tagged {
			v = n.Value // the argument of a short form is always text
			break
		}
		if err := n.Decode(&v); err != nil {
			return nil, fmt.Errorf("line %d: %w", n.Line, err)
		}
	case yaml.SequenceNode:
		items := make([]any, len(n.Content))
		for i, c := range n.Content {
			if items[i], err = convert(c); err != nil {
				return nil, err
			}
		}
		v = items
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i].Value
			if m[k], err = convert(n.Content[i+1]); err != nil {
				return nil, err
			}
		}
		v = m
	default:
		return nil, fmt.Errorf("line %d: unsupported YAML node", n.Line)
	}
	if tagged {
		// !GetAtt A.B is the string form of Fn::GetAtt; keep it as is, the
		// resolver accepts both forms.
		return map[string]any{key: v}, nil
	}
	return v, nil
}
