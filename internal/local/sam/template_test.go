package sam_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"breachflow/internal/local/sam"
)

func load(t *testing.T, path string) *sam.Template {
	t.Helper()
	tpl, err := sam.Load(path)
	if err != nil {
		t.Fatalf("Load(%s): %v", path, err)
	}
	return tpl
}

func TestStateMachinesResolveEverySubstitutionForm(t *testing.T) {
	sms, err := load(t, "testdata/template.yaml").StateMachines()
	if err != nil {
		t.Fatal(err)
	}
	if len(sms) != 2 {
		t.Fatalf("got %d state machines, want 2", len(sms))
	}
	cm := sms[0]
	const fn = "arn:aws:lambda:us-east-1:123456789012:function:"
	wantSubs := map[string]string{
		"IntakeFunctionArn": fn + "breachflow-intake-local",
		"ScopeFunctionArn":  fn + "ScopeFunction",
		"ScopeByRef":        "ScopeFunction",
		"LongForm":          fn + "breachflow-intake-local",
		"CaseTableName":     "breachflow-cases-local",
		"UserTableArn":      "arn:aws:dynamodb:us-east-1:123456789012:table/UserTable",
		"Approvers":         "2",
		"Region":            "us-east-1",
		"Joined":            "local-x-b",
		"SubList":           "local/123456789012/${Literal}",
		"Plain":             "literal-value",
		"FunctionLogGroup":  "/aws/lambda/breachflow-intake-local",
		"LogGroupArn":       "arn:aws:logs:us-east-1:123456789012:log-group:/aws/vendedlogs/states/fixture:*",
	}
	if diff := cmp.Diff(wantSubs, cm.Substitutions); diff != "" {
		t.Errorf("substitutions (-want +got):\n%s", diff)
	}
	if cm.LogicalID != "CaseMachine" || cm.Name != "breachflow-case" || cm.Type != "STANDARD" ||
		cm.ARN != "arn:aws:states:us-east-1:123456789012:stateMachine:breachflow-case" ||
		cm.DefinitionPath != "testdata/statemachine/case.asl.json" {
		t.Errorf("unexpected state machine header %+v", cm)
	}
	var def struct {
		States map[string]struct {
			Resource   string
			Parameters map[string]any
		}
	}
	if err := json.Unmarshal(cm.Definition, &def); err != nil {
		t.Fatalf("substituted definition is not JSON: %v", err)
	}
	if got := def.States["Scope"].Resource; got != fn+"ScopeFunction" {
		t.Errorf("Scope.Resource = %q", got)
	}
	if got := def.States["Scope"].Parameters["n"]; got != 2.0 {
		t.Errorf("a number substitution outside quotes = %v, want 2", got)
	}
	if strings.Contains(string(cm.Definition), "${") && !strings.Contains(string(cm.Definition), "${Literal}") {
		t.Errorf("placeholders left in %s", cm.Definition)
	}

	sm := sms[1]
	if sm.LogicalID != "SendMachine" || sm.Name != "SendMachine" || sm.Type != "EXPRESS" || sm.DefinitionPath != "" {
		t.Errorf("unexpected inline state machine %+v", sm)
	}
	if !json.Valid(sm.Definition) || !strings.Contains(string(sm.Definition), `"StartAt":"Done"`) {
		t.Errorf("inline definition = %s", sm.Definition)
	}
}

func TestJSONTemplate(t *testing.T) {
	sms, err := load(t, "testdata/template.json").StateMachines()
	if err != nil {
		t.Fatal(err)
	}
	if want := `"Resource":"arn:aws:lambda:us-east-1:123456789012:function:json-fn"`; !strings.Contains(string(sms[0].Definition), want) {
		t.Errorf("definition %s does not contain %s", sms[0].Definition, want)
	}
}

func TestErrorsNameTheKey(t *testing.T) {
	tests := []struct {
		path string
		want []string
	}{
		{"testdata/unresolvable.yaml", []string{"DefinitionSubstitutions key ApprovalUrl", "FunctionUrl"}},
		{"testdata/leftover.yaml", []string{"unresolved substitutions ${AlsoMissing} (in state A), ${MissingArn} (in state A), ${MissingNumber} (in state M/Inner)"}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			_, err := load(t, tt.path).StateMachines()
			if err == nil {
				t.Fatal("want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not name %q", err, w)
				}
			}
		})
	}
}

func TestFunctions(t *testing.T) {
	fns, err := load(t, "testdata/template.yaml").Functions()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]sam.Function{
		"IntakeFunction": {
			LogicalID: "IntakeFunction", FunctionName: "breachflow-intake-local",
			ARN:     "arn:aws:lambda:us-east-1:123456789012:function:breachflow-intake-local",
			CodeURI: "functions/intake/", Handler: "bootstrap", Runtime: "provided.al2023", MemorySize: "256",
			Environment: map[string]string{
				"STAGE": "local", "CASE_TABLE": "breachflow-cases-local",
				"SM_ARN": "arn:aws:states:us-east-1:123456789012:stateMachine:breachflow-case",
			},
			UnresolvedEnvironment: []string{"KEY"},
		},
		"ScopeFunction": {
			LogicalID: "ScopeFunction", FunctionName: "ScopeFunction",
			ARN:     "arn:aws:lambda:us-east-1:123456789012:function:ScopeFunction",
			CodeURI: "functions/scope/", Handler: "scope", Runtime: "provided.al2023", MemorySize: "512",
			Environment: map[string]string{
				"STAGE": "local", "APPROVERS": "a@corp.example;b@corp.example", "LOG_GROUP": "/aws/lambda/ScopeFunction",
			},
			UnresolvedEnvironment: []string{"CONSOLE_URL", "SENDER"},
		},
	}
	if diff := cmp.Diff(want, fns); diff != "" {
		t.Errorf("functions (-want +got):\n%s", diff)
	}
}

func TestSubstitute(t *testing.T) {
	got, err := sam.Substitute([]byte(`{"a":"${X}","b":"${X}-${Y}"}`), map[string]string{"X": "1", "Y": "2"})
	if err != nil || string(got) != `{"a":"1","b":"1-2"}` {
		t.Fatalf("Substitute = %s, %v", got, err)
	}
	// Outside an ASL document the placeholder is still named.
	if _, err := sam.Substitute([]byte(`not json ${Z}`), nil); err == nil || err.Error() != "unresolved substitutions ${Z}" {
		t.Errorf("Substitute on plain text: %v", err)
	}
	// Escaped quotes inside strings do not confuse the state lookup.
	_, err = sam.Substitute([]byte(`{"States":{"S \"q\"":{"Comment":"say \"${W}\""}}}`), nil)
	if err == nil || !strings.Contains(err.Error(), `${W} (in state S "q")`) {
		t.Errorf("Substitute with escaped quotes: %v", err)
	}
}

func TestNotFoundAndBadInput(t *testing.T) {
	tpl, err := sam.Parse([]byte("Resources:\n  T:\n    Type: AWS::DynamoDB::Table\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tpl.StateMachines(); !errors.Is(err, sam.ErrNotFound) {
		t.Errorf("StateMachines() err = %v, want ErrNotFound", err)
	}
	if _, err := tpl.Functions(); !errors.Is(err, sam.ErrNotFound) {
		t.Errorf("Functions() err = %v, want ErrNotFound", err)
	}
	for _, bad := range []string{"", "- a\n- b\n", "Resources: [", "Description: no resources\n"} {
		if _, err := sam.Parse([]byte(bad)); err == nil {
			t.Errorf("Parse(%q) accepted a bad template", bad)
		}
	}
	if _, err := sam.Load("testdata/nope.yaml"); err == nil {
		t.Error("Load of a missing file succeeded")
	}
}
