package report_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"breachflow/internal/breach"
	"breachflow/internal/report"
)

// TestSchemaMatchesStruct keeps the JSON Schema and the Go struct in step:
// every JSON field of every struct appears in the schema at the same place,
// and every schema property is a struct field.
func TestSchemaMatchesStruct(t *testing.T) {
	var schema map[string]any
	if err := json.Unmarshal(report.SchemaJSON(), &schema); err != nil {
		t.Fatal(err)
	}
	defs := schema["$defs"].(map[string]any)
	compare(t, "report", reflect.TypeOf(report.Report{}), schema, defs)
}

func resolve(node map[string]any, defs map[string]any) map[string]any {
	if ref, ok := node["$ref"].(string); ok {
		return defs[strings.TrimPrefix(ref, "#/$defs/")].(map[string]any)
	}
	return node
}

func compare(t *testing.T, path string, typ reflect.Type, node, defs map[string]any) {
	t.Helper()
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	if typ.Kind() != reflect.Struct || typ.PkgPath() != reflect.TypeOf(report.Report{}).PkgPath() {
		return
	}
	node = resolve(node, defs)
	props, _ := node["properties"].(map[string]any)
	if node["additionalProperties"] != false {
		t.Errorf("%s: schema object must set additionalProperties false", path)
	}
	var goNames []string
	for f := range typ.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		goNames = append(goNames, name)
		sub, ok := props[name].(map[string]any)
		if !ok {
			continue
		}
		compare(t, path+"."+name, f.Type, sub, defs)
	}
	var schemaNames []string
	for k := range props {
		schemaNames = append(schemaNames, k)
	}
	sort.Strings(goNames)
	sort.Strings(schemaNames)
	if d := cmp.Diff(goNames, schemaNames); d != "" {
		t.Errorf("%s: Go fields vs schema properties (-go +schema):\n%s", path, d)
	}
}

// TestSchemaVocabulary keeps the schema's category enum equal to the shared
// vocabulary, and its vector enum equal to report.Vectors.
func TestSchemaVocabulary(t *testing.T) {
	var schema struct {
		Properties struct {
			DataCategories struct {
				Items struct {
					Enum []string `json:"enum"`
				} `json:"items"`
			} `json:"data_categories"`
			Cause struct {
				Properties struct {
					Vector struct {
						Enum []string `json:"enum"`
					} `json:"vector"`
				} `json:"properties"`
			} `json:"cause"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(report.SchemaJSON(), &schema); err != nil {
		t.Fatal(err)
	}
	var cats []string
	for _, c := range breach.Categories() {
		cats = append(cats, string(c))
	}
	if d := cmp.Diff(cats, schema.Properties.DataCategories.Items.Enum); d != "" {
		t.Errorf("categories (-breach +schema):\n%s", d)
	}
	var vecs []string
	for _, v := range report.Vectors {
		vecs = append(vecs, string(v))
	}
	if !slices.Equal(vecs, schema.Properties.Cause.Properties.Vector.Enum) {
		t.Errorf("vectors: go %v schema %v", vecs, schema.Properties.Cause.Properties.Vector.Enum)
	}
}
