package deploy

import (
	"context"
	"encoding/hex"
	"net/url"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/google/go-cmp/cmp"

	"breachflow/internal/approval"
	"breachflow/internal/awsenv"
	"breachflow/internal/local/localtest"
	"breachflow/internal/local/sam"
)

const root = "../../.."

// TestEveryTemplateFunctionRunsLocally keeps functions.All and
// template.yaml in step in both directions.
func TestEveryTemplateFunctionRunsLocally(t *testing.T) {
	tpl, err := sam.Load(root + "/template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	fns, err := tpl.Functions()
	if err != nil {
		t.Fatal(err)
	}
	for id := range fns {
		if _, ok := byID[id]; !ok {
			t.Errorf("template.yaml declares %s, which functions.All does not list", id)
		}
	}
	for id := range byID {
		if _, ok := fns[id]; !ok {
			t.Errorf("functions.All lists %s, which template.yaml does not declare", id)
		}
	}
}

// localOptions are what the CLI's local stack gives build, with endpoints
// nothing listens on: building a handler calls no service.
func localOptions(t *testing.T) Options {
	t.Helper()
	env, err := sam.ReadOverrides(root + "/infra/local-env.json")
	if err != nil {
		t.Fatal(err)
	}
	return Options{
		Local: map[string]string{"CaseTable": "breachflow-cases", "ConsoleFunctionUrl.FunctionUrl": "http://127.0.0.1:8080", "NoticeBucket": "breachflow-notices", "UserMapping": "{\"id\":\"user_id\"}"},
		Env:   env,
		Endpoints: map[string]string{
			"AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:18000", "AWS_ENDPOINT_URL_SESV2": "http://127.0.0.1:18005",
		},
		ApprovalKey: []byte("0123456789abcdef0123456789abcdef"),
		AWS:         aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")},
	}
}

// TestBuildFromTheTemplate builds every function from template.yaml and the
// local overrides, as `local up` does, and checks what each reads: the
// template's values resolved locally, the overrides where the template
// declares the variable, the key instead of its secret, and endpoints on
// loopback for every client it can make.
func TestBuildFromTheTemplate(t *testing.T) {
	tpl, err := sam.Load(root + "/template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	opts := localOptions(t)
	tpl.Local = opts.Local
	const sfnAPI = "http://127.0.0.1:18083"
	fns, err := build(context.Background(), tpl, opts, sfnAPI)
	if err != nil {
		t.Fatal(err)
	}
	if len(fns) != len(byID) {
		t.Fatalf("built %d functions, want %d", len(fns), len(byID))
	}
	for id, f := range fns {
		t.Run(id, func(t *testing.T) {
			env := f.Environment
			for name, want := range map[string]string{
				"CASE_TABLE": "breachflow-cases", "AWS_ENDPOINT_URL_SFN": sfnAPI, "AWS_ENDPOINT_URL": sfnAPI,
				"AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:18000", "AWS_ENDPOINT_URL_SESV2": "http://127.0.0.1:18005",
			} {
				if env[name] != want {
					t.Errorf("%s=%q, want %q", name, env[name], want)
				}
			}
			if f.Name != id || f.handler == nil {
				t.Errorf("registered as %q with handler %v", f.Name, f.handler)
			}
			if v := env[approval.EnvKeySecret]; v != "" {
				t.Errorf("%s=%q: locally the key is given, never looked up", approval.EnvKeySecret, v)
			}
			_, rate := env["SES_MAX_SEND_RATE"]
			// The stage function files with the send function's settings
			// (the same block of the template).
			if rate != (id == "SendFunction" || id == "StageFunction") {
				t.Errorf("SES_MAX_SEND_RATE given: %v; the shared overrides reach only functions that declare a variable", rate)
			}
			eps, err := localtest.ClientEndpoints(context.Background(), f.Clients.AWS)
			if err != nil {
				t.Fatal(err)
			}
			for svc, ep := range eps {
				if u, err := url.Parse(ep); err != nil || !awsenv.Loopback(u.Hostname()) {
					t.Errorf("a %s client would call %s", svc, ep)
				}
			}
		})
	}
	send := fns["SendFunction"].Environment
	if send["FILING_ADDRESSES"] != `{"*":"filings+{id}@regulators.example.org"}` || send["SES_MAX_SEND_RATE"] != "1000" ||
		send[approval.EnvKey] != hex.EncodeToString(opts.ApprovalKey) || send["SENDER_ADDRESS"] != "privacy@example.com" {
		t.Errorf("send function's environment: %v", send)
	}
	if got := fns["ApprovalRequestFunction"].Environment["BREACHFLOW_CONSOLE_URL"]; got != "http://127.0.0.1:8080" {
		t.Errorf("BREACHFLOW_CONSOLE_URL=%q, want the local console", got)
	}
	if got := fns["ConsoleFunction"].Environment["CONSOLE_BROWSE"]; got != "true" {
		t.Errorf("CONSOLE_BROWSE=%q: the local console lists cases", got)
	}
}

// TestEveryClientServiceIsChecked keeps localtest.ClientEndpoints, which
// the loopback checks resolve, in step with the AWS services whose clients
// the functions' code imports.
func TestEveryClientServiceIsChecked(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", "-f", `{{if not .Standard}}{{.ImportPath}}:{{join .Imports " "}}{{end}}`, "./functions/...")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	service := regexp.MustCompile(`^github\.com/aws/aws-sdk-go-v2/service/[^/]+$`)
	var imported []string
	for _, line := range strings.Split(string(out), "\n") {
		pkg, imports, _ := strings.Cut(line, ":")
		if !strings.HasPrefix(pkg, "breachflow/") {
			continue // the SDK's own imports (config's credential clients) make no client of a function's
		}
		for _, imp := range strings.Fields(imports) {
			if service.MatchString(imp) && !slices.Contains(imported, imp) {
				imported = append(imported, imp)
			}
		}
	}
	slices.Sort(imported)
	if diff := cmp.Diff(localtest.ClientServices(), imported); diff != "" {
		t.Errorf("services the functions import vs those the loopback checks resolve (-checked +imported):\n%s", diff)
	}
}

// TestBuildNamesWhatIsMissing: a variable the template leaves to the
// deployment and no override gives fails the start, naming it.
func TestBuildNamesWhatIsMissing(t *testing.T) {
	tpl, err := sam.Load(root + "/template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	opts := localOptions(t)
	delete(opts.Env[sam.Shared], "FILING_ADDRESSES")
	tpl.Local = opts.Local
	_, err = build(context.Background(), tpl, opts, "http://127.0.0.1:18083")
	if err == nil || !strings.Contains(err.Error(), "SendFunction has no local value for FILING_ADDRESSES") {
		t.Errorf("got %v", err)
	}
}
