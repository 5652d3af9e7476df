package deploy

import (
	"context"
	"encoding/hex"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"breachflow/internal/approval"
	"breachflow/internal/delivery"
	"breachflow/internal/functions"
	"breachflow/internal/local/sam"
	"breachflow/internal/usertable"
)

// deployment is one made-up deployment of template.yaml: the values of its
// parameters that have no default (and of what only AWS resolves), and the
// Deps the local stack would be given for the same values.
var deployment = struct {
	unresolved map[string]string
	key        []byte
}{
	unresolved: map[string]string{
		"USER_MAPPING":                   "../../usertable/default_mapping.json",
		"FILING_ADDRESSES":               `{"*":"filings+{id}@regulators.example.org"}`,
		"BREACHFLOW_APPROVERS":           "dpo@example.com,counsel@example.com",
		"BREACHFLOW_ESCALATE_TO":         "ciso@example.com",
		"BREACHFLOW_CONSOLE_URL":         "https://console.example.com/",
		"BREACHFLOW_APPROVAL_KEY_SECRET": "breachflow/approval-key",
	},
	key: []byte("0123456789abcdef0123456789abcdef"),
}

func deploymentDeps(t *testing.T, tpl *sam.Template, cfg aws.Config) Deps {
	fns, err := tpl.Functions()
	if err != nil {
		t.Fatal(err)
	}
	send := fns["SendFunction"].Environment
	return Deps{
		AWS:       cfg,
		CaseTable: fns["IntakeFunction"].Environment["CASE_TABLE"],
		UserTable: fns["ScopeFunction"].Environment["USER_TABLE"],
		Mapping:   usertable.DefaultMapping(),
		Approval: approval.Config{
			Approvers:  []string{"dpo@example.com", "counsel@example.com"},
			Required:   2,
			Key:        deployment.key,
			ConsoleURL: "https://console.example.com",
			From:       send["SENDER_ADDRESS"],
			EscalateTo: []string{"ciso@example.com"},
		},
		Send: delivery.Config{
			From: send["SENDER_ADDRESS"], ConfigurationSet: send["SES_CONFIGURATION_SET"],
			Parallel: 8, Latency: delivery.DefaultSESLatency,
		},
		FilingAddresses: delivery.FilingAddresses{"*": "filings+{id}@regulators.example.org"},
	}
}

// fakeAWS answers, on loopback, the only calls building a handler makes:
// Secrets Manager's GetSecretValue (the approval key) and SES's GetAccount
// (the send rate, when SES_MAX_SEND_RATE is 0).
func fakeAWS(t *testing.T) aws.Config {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		switch {
		case r.Header.Get("X-Amz-Target") == "secretsmanager.GetSecretValue":
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			io.WriteString(w, `{"Name":"breachflow/approval-key","SecretString":"`+hex.EncodeToString(deployment.key)+`"}`)
		case r.Method == http.MethodGet && r.URL.Path == "/v2/email/account":
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"SendQuota":{"Max24HourSend":50000,"MaxSendRate":14,"SentLast24Hours":0}}`)
		default:
			t.Errorf("unexpected AWS call %s %s (target %q)", r.Method, r.URL.Path, r.Header.Get("X-Amz-Target"))
			http.Error(w, "not faked", http.StatusBadRequest)
		}
	}))
	t.Cleanup(srv.Close)
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(srv.URL),
	}
}

// TestLocalSettingsMatchLambda is the drift check between Lambda and the
// local stack. Both build every handler with the same functions.Function;
// what can still differ is its settings. For each function, with the
// environment set to what template.yaml gives it, the settings Lambda
// reads (Function.Env) must equal those the local stack fills from Deps
// holding the same deployment's values; and both must build a handler.
func TestLocalSettingsMatchLambda(t *testing.T) {
	tpl, err := sam.Load("../../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	fns, err := tpl.Functions()
	if err != nil {
		t.Fatal(err)
	}
	cfg := fakeAWS(t)
	deps := deploymentDeps(t, tpl, cfg)

	// Start every function from an environment holding only its own
	// variables (and none of the optional ones template.yaml leaves unset).
	for _, name := range []string{
		approval.EnvKey, approval.EnvLinkTTL, approval.EnvMargins, "APPROVAL_MARGIN", "CONSOLE_BROWSE", "SES_LATENCY_MS",
	} {
		t.Setenv(name, "")
	}
	for _, fn := range fns {
		for name := range fn.Environment {
			t.Setenv(name, "")
		}
		for _, name := range fn.UnresolvedEnvironment {
			t.Setenv(name, "")
		}
	}

	ctx := context.Background()
	for id, fn := range fns {
		t.Run(id, func(t *testing.T) {
			w, ok := wirings[id]
			if !ok {
				t.Fatalf("no local wiring for %s", id)
			}
			for name, v := range fn.Environment {
				t.Setenv(name, v)
			}
			for _, name := range fn.UnresolvedEnvironment {
				v, ok := deployment.unresolved[name]
				if !ok {
					t.Fatalf("template.yaml gives %s to %s: add a value for it to this test's deployment", name, id)
				}
				t.Setenv(name, v)
			}
			local, deployed, err := w.settings(ctx, deps)
			if err != nil {
				t.Fatalf("Lambda's settings from the template's environment: %v", err)
			}
			if reflect.ValueOf(deployed).IsZero() {
				t.Fatalf("Lambda read no settings at all: %#v", deployed)
			}
			var opts []cmp.Option
			if id == "ConsoleFunction" {
				// template.yaml gives the console neither its own URL nor
				// the escalation contacts: it sends no mail. The local
				// console shares the approval functions' configuration.
				opts = append(opts, cmpopts.IgnoreFields(approval.Config{}, "ConsoleURL", "EscalateTo"))
			}
			if diff := cmp.Diff(deployed, local, opts...); diff != "" {
				t.Errorf("settings differ between Lambda and the local stack (-lambda +local):\n%s", diff)
			}
			c := functions.Clients{AWS: cfg}
			hd, err := w.build(ctx, deployed, c)
			if err != nil {
				t.Fatalf("build from Lambda's settings: %v", err)
			}
			hl, err := w.build(ctx, local, c)
			if err != nil {
				t.Fatalf("build from the local settings: %v", err)
			}
			if reflect.TypeOf(hd) != reflect.TypeOf(hl) || hd == nil {
				t.Errorf("handlers: Lambda's %T, local %T", hd, hl)
			}
		})
	}
}

// TestMainsStartTheirFunction ties each functions/<name>/main.go to the
// functions.Function the local stack runs under the same logical id: main
// must be exactly `functions.<LogicalID without "Function">.Start()`, so
// no function is wired in main.go beside it.
func TestMainsStartTheirFunction(t *testing.T) {
	tpl, err := sam.Load("../../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	fns, err := tpl.Functions()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for id := range fns {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		fn := fns[id]
		t.Run(id, func(t *testing.T) {
			path := filepath.Join("../../..", fn.CodeURI, "main.go")
			f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			want := "functions." + strings.TrimSuffix(id, "Function") + ".Start"
			var decls []string
			for _, d := range f.Decls {
				switch d := d.(type) {
				case *ast.FuncDecl:
					decls = append(decls, d.Name.Name)
				case *ast.GenDecl:
					if d.Tok != token.IMPORT {
						decls = append(decls, d.Tok.String())
					}
				}
			}
			if diff := cmp.Diff([]string{"main"}, decls); diff != "" {
				t.Errorf("%s declares more than main (-want +got):\n%s", path, diff)
			}
			if got := mainCall(f); got != want {
				t.Errorf("%s: main calls %q, want %s()", path, got, want)
			}
			if got := wirings[id].logicalID(); got != id {
				t.Errorf("the local stack runs %s for %s", got, id)
			}
		})
	}
}

// mainCall returns the function main's one statement calls, as a dotted
// name, or "" when main is anything else.
func mainCall(f *ast.File) string {
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Name.Name != "main" || fd.Body == nil || len(fd.Body.List) != 1 {
			continue
		}
		es, ok := fd.Body.List[0].(*ast.ExprStmt)
		if !ok {
			return ""
		}
		call, ok := es.X.(*ast.CallExpr)
		if !ok || len(call.Args) != 0 {
			return ""
		}
		return dotted(call.Fun)
	}
	return ""
}

func dotted(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		if x := dotted(e.X); x != "" {
			return x + "." + e.Sel.Name
		}
	}
	return ""
}
