package sam_test

import (
	"go/build"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/awslabs/goformation/v7"
	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"breachflow/internal/casetable"
	"breachflow/internal/local/sam"
)

// These tests hold template.yaml to what must always be true of a
// breachflow deployment, whatever is added to it.

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func openTemplate(t *testing.T) *cloudformation.Template {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot(t), "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	// goformation's last release (v7.14.9) fails on resource types newer
	// than it (AWS::SMSVOICE::ConfigurationSet): it is given the template
	// without them. The invariants here are about functions, tables and
	// keys; rawTemplate still sees everything.
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("parse template.yaml: %v", err)
	}
	if res := mapValue(doc.Content[0], "Resources"); res != nil {
		known := cloudformation.AllResources()
		for i := 0; i+1 < len(res.Content); {
			if typ := mapValue(res.Content[i+1], "Type"); typ != nil && known[typ.Value] == nil && !strings.HasPrefix(typ.Value, "Custom::") {
				res.Content = slices.Delete(res.Content, i, i+2)
				continue
			}
			i += 2
		}
	}
	if data, err = yaml.Marshal(&doc); err != nil {
		t.Fatal(err)
	}
	tpl, err := goformation.ParseYAML(data)
	if err != nil {
		t.Fatalf("parse template.yaml: %v", err)
	}
	return tpl
}

// mapValue is the value of key in mapping node n, or nil.
func mapValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// rawTemplate keeps the intrinsic functions (!GetAtt, !Ref) that goformation
// resolves away, so references can be checked.
func rawTemplate(t *testing.T) map[string]*yaml.Node {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot(t), "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	resources := lookup(doc.Content[0], "Resources")
	if resources == nil {
		t.Fatal("template.yaml has no Resources")
	}
	out := map[string]*yaml.Node{}
	for i := 0; i+1 < len(resources.Content); i += 2 {
		out[resources.Content[i].Value] = resources.Content[i+1]
	}
	return out
}

func lookup(n *yaml.Node, path ...string) *yaml.Node {
	for _, key := range path {
		if n == nil || n.Kind != yaml.MappingNode {
			return nil
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				next = n.Content[i+1]
			}
		}
		n = next
	}
	return n
}

func TestEveryFunctionIsAGoMainOnArm64(t *testing.T) {
	tpl := openTemplate(t)
	fns := tpl.GetAllServerlessFunctionResources()
	if len(fns) == 0 {
		t.Fatal("template.yaml declares no functions")
	}
	g := functionGlobals(t)
	for name, fn := range fns {
		t.Run(name, func(t *testing.T) {
			runtime, arch, handler := aws.ToString(fn.Runtime), fn.Architectures, aws.ToString(fn.Handler)
			if runtime == "" {
				runtime = g.Runtime
			}
			if len(arch) == 0 {
				arch = g.Architectures
			}
			if handler == "" {
				handler = g.Handler
			}
			if runtime != "provided.al2023" {
				t.Errorf("runtime %q, want provided.al2023", runtime)
			}
			if !slices.Equal(arch, []string{"arm64"}) {
				t.Errorf("architectures %v, want [arm64]", arch)
			}
			if handler != "bootstrap" {
				t.Errorf("handler %q, want bootstrap", handler)
			}
			if fn.CodeUri == nil || fn.CodeUri.String == nil {
				t.Fatal("CodeUri must be a local folder")
			}
			dir := filepath.Join(repoRoot(t), *fn.CodeUri.String)
			pkg, err := build.ImportDir(dir, 0)
			if err != nil {
				t.Fatalf("CodeUri %s: %v", *fn.CodeUri.String, err)
			}
			if pkg.Name != "main" {
				t.Errorf("CodeUri %s holds package %s, want main", *fn.CodeUri.String, pkg.Name)
			}
			if bm, _ := fn.AWSCloudFormationMetadata["BuildMethod"].(string); bm != "go1.x" {
				t.Errorf("Metadata.BuildMethod %q, want go1.x so `sam build` compiles the Go main", bm)
			}
		})
	}
}

type fnGlobals struct {
	Runtime       string   `yaml:"Runtime"`
	Architectures []string `yaml:"Architectures"`
	Handler       string   `yaml:"Handler"`
}

// functionGlobals reads Globals.Function raw: goformation keeps Globals as a
// generic resource without the function's typed fields.
func functionGlobals(t *testing.T) fnGlobals {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot(t), "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Globals struct {
			Function fnGlobals `yaml:"Function"`
		} `yaml:"Globals"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Globals.Function
}

func TestEveryTableIsEncryptedWithTheCustomerKey(t *testing.T) {
	tpl := openTemplate(t)
	raw := rawTemplate(t)
	tables := tpl.GetAllDynamoDBTableResources()
	if len(tables) == 0 {
		t.Fatal("template.yaml declares no tables")
	}
	for name, tbl := range tables {
		t.Run(name, func(t *testing.T) {
			sse := tbl.SSESpecification
			if sse == nil || !sse.SSEEnabled || aws.ToString(sse.SSEType) != "KMS" {
				t.Fatalf("SSESpecification %+v: want SSEEnabled with SSEType KMS", sse)
			}
			key := lookup(raw[name], "Properties", "SSESpecification", "KMSMasterKeyId")
			if key == nil {
				t.Fatal("KMSMasterKeyId missing: the table must use the customer-managed key")
			}
			target := strings.SplitN(key.Value, ".", 2)[0]
			if key.Tag != "!GetAtt" && key.Tag != "!Ref" {
				t.Fatalf("KMSMasterKeyId %s %q must reference a key in this template", key.Tag, key.Value)
			}
			if typ := lookup(raw[target], "Type"); typ == nil || typ.Value != "AWS::KMS::Key" {
				t.Errorf("KMSMasterKeyId references %s, which is not an AWS::KMS::Key", target)
			}
			if p := tbl.PointInTimeRecoverySpecification; p == nil || p.PointInTimeRecoveryEnabled == nil || !*p.PointInTimeRecoveryEnabled {
				t.Error("point-in-time recovery must be on")
			}
			if aws.ToString(tbl.BillingMode) != "PAY_PER_REQUEST" {
				t.Errorf("billing mode %q, want PAY_PER_REQUEST", aws.ToString(tbl.BillingMode))
			}
		})
	}
}

func TestCaseTableMatchesCasetable(t *testing.T) {
	tbl, err := openTemplate(t).GetDynamoDBTableWithName("CaseTable")
	if err != nil {
		t.Fatal(err)
	}
	want := casetable.Definition("x")
	type key struct{ Name, Type string }
	var got, exp []key
	for _, k := range tbl.KeySchema {
		got = append(got, key{k.AttributeName, k.KeyType})
	}
	for _, k := range want.KeySchema {
		exp = append(exp, key{aws.ToString(k.AttributeName), string(k.KeyType)})
	}
	for _, gsi := range tbl.GlobalSecondaryIndexes {
		for _, k := range gsi.KeySchema {
			got = append(got, key{gsi.IndexName + "." + k.AttributeName, k.KeyType})
		}
	}
	for _, gsi := range want.GlobalSecondaryIndexes {
		for _, k := range gsi.KeySchema {
			exp = append(exp, key{aws.ToString(gsi.IndexName) + "." + aws.ToString(k.AttributeName), string(k.KeyType)})
		}
	}
	if d := cmp.Diff(exp, got); d != "" {
		t.Errorf("template CaseTable keys differ from casetable.Definition (-casetable +template):\n%s", d)
	}
}

// TestNoWildcardActions walks every policy statement in the template, SAM
// function and state machine policies and IAM resources alike.
func TestNoWildcardActions(t *testing.T) {
	raw := rawTemplate(t)
	checked := 0
	for name, res := range raw {
		walkStatements(res, func(stmt *yaml.Node) {
			checked++
			if effect := lookup(stmt, "Effect"); effect != nil && effect.Value == "Deny" {
				return
			}
			for _, action := range scalars(lookup(stmt, "Action")) {
				if action == "*" || strings.HasSuffix(action, ":*") {
					t.Errorf("%s: statement allows wildcard action %q", name, action)
				}
			}
			if lookup(stmt, "NotAction") != nil {
				t.Errorf("%s: NotAction in an Allow statement grants everything else", name)
			}
		})
	}
	if checked == 0 {
		t.Fatal("found no policy statements to check")
	}
}

func walkStatements(n *yaml.Node, fn func(*yaml.Node)) {
	if n == nil {
		return
	}
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == "Statement" {
				for _, s := range n.Content[i+1].Content {
					fn(s)
				}
				continue
			}
			walkStatements(n.Content[i+1], fn)
		}
		return
	}
	for _, c := range n.Content {
		walkStatements(c, fn)
	}
}

func scalars(n *yaml.Node) []string {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.ScalarNode {
		return []string{n.Value}
	}
	var out []string
	for _, c := range n.Content {
		out = append(out, scalars(c)...)
	}
	return out
}

// TestEverySubstitutionResolvesToATemplateFunction loads each state machine
// as the local engine and a deployment do: every ${...} must resolve, and
// every Lambda ARN the definition names must be a function of the template.
func TestEverySubstitutionResolvesToATemplateFunction(t *testing.T) {
	tpl, err := sam.Load(filepath.Join(repoRoot(t), "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	sms, err := tpl.StateMachines()
	if err != nil {
		t.Fatalf("state machines: %v", err)
	}
	fns, err := tpl.Functions()
	if err != nil {
		t.Fatal(err)
	}
	arns := map[string]bool{}
	for _, f := range fns {
		arns[f.ARN] = true
	}
	if len(sms) == 0 {
		t.Fatal("template.yaml declares no state machine")
	}
	for _, sm := range sms {
		def := string(sm.Definition)
		if strings.Contains(def, "${") {
			t.Errorf("%s: unresolved substitution left in the definition", sm.LogicalID)
		}
		used := 0
		for _, word := range strings.FieldsFunc(def, func(r rune) bool { return r == '"' }) {
			if strings.HasPrefix(word, "arn:aws:lambda:") {
				used++
				if !arns[word] {
					t.Errorf("%s invokes %s, which is not a function of the template", sm.LogicalID, word)
				}
			}
		}
		if used == 0 {
			t.Errorf("%s invokes no function: the check found nothing to check", sm.LogicalID)
		}
	}
}

// TestOnlyAppendersSign holds the audit key's IAM to least privilege: the
// functions that append to a case's audit log (and only they) may sign with
// the audit key, and each of them is told which key (AUDIT_KEY_ID); the
// key itself is an ECC_NIST_P256 signing key whose policy lets only this
// stack's roles and the responders' role sign.
func TestOnlyAppendersSign(t *testing.T) {
	raw := rawTemplate(t)
	appenders := []string{"IntakeFunction", "AggregateFunction", "AssessFunction", "DraftFunction", "StageFunction", "StageDueFunction",
		"ApprovalRequestFunction", "ApprovalEscalateFunction", "ConsoleFunction", "ReconcileFunction", "PublishFunction"}
	var signers []string
	for name, res := range raw {
		if typ := lookup(res, "Type"); typ == nil || typ.Value != "AWS::Serverless::Function" {
			continue
		}
		signs := false
		walkStatements(lookup(res, "Properties", "Policies"), func(stmt *yaml.Node) {
			if slices.Contains(scalars(lookup(stmt, "Action")), "kms:Sign") {
				signs = true
				if r := lookup(stmt, "Resource"); r == nil || r.Value != "AuditKey.Arn" {
					t.Errorf("%s: kms:Sign on %v, want the audit key only", name, scalars(r))
				}
			}
		})
		if !signs {
			continue
		}
		signers = append(signers, name)
		vars := lookup(res, "Properties", "Environment", "Variables")
		if vars != nil && vars.Kind == yaml.AliasNode {
			vars = vars.Alias // the approval functions share one block
		}
		if lookup(vars, "AUDIT_KEY_ID") == nil {
			t.Errorf("%s signs but has no AUDIT_KEY_ID", name)
		}
	}
	slices.Sort(signers)
	slices.Sort(appenders)
	if d := cmp.Diff(appenders, signers); d != "" {
		t.Errorf("functions allowed to sign with the audit key (-appenders +signers):\n%s", d)
	}
	key := raw["AuditKey"]
	if lookup(key, "Properties", "KeySpec").Value != "ECC_NIST_P256" || lookup(key, "Properties", "KeyUsage").Value != "SIGN_VERIFY" {
		t.Error("AuditKey must be an ECC_NIST_P256 SIGN_VERIFY key")
	}
	walkStatements(lookup(key, "Properties", "KeyPolicy"), func(stmt *yaml.Node) {
		if slices.Contains(scalars(lookup(stmt, "Action")), "kms:Sign") && lookup(stmt, "Condition", "ArnLike", "aws:PrincipalArn") == nil {
			t.Error("the audit key's policy lets kms:Sign through without limiting the principals")
		}
	})
}
