//go:build integration

package sfnapi_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// awsCLI is Debian's AWS CLI v2, which `make test` installs.
const awsCLI = "/usr/bin/aws"

// The AWS CLI creates, runs and inspects a JSONata state machine with
// variables on the local API, with the definition as written for AWS. It
// tests a state with `test-state` where the CLI has that command (AWS CLI
// 2.9.x, Debian 12's, predates TestState: TestTestStateThroughTheSDK drives
// it through the Go SDK instead).
func TestAWSCLIDrivesAJSONataStateMachine(t *testing.T) {
	if _, err := os.Stat(awsCLI); err != nil {
		t.Fatalf("this test drives %s (make test installs Debian's awscli): %v", awsCLI, err)
	}
	_, url := startPricingStack(t)
	home := t.TempDir()
	run := func(args ...string) map[string]any {
		t.Helper()
		cmd := exec.Command(awsCLI, append(append([]string{"stepfunctions"}, args...), "--endpoint-url", url, "--output", "json")...)
		cmd.Env = []string{"HOME=" + home, "PATH=/usr/bin:/bin", "AWS_ACCESS_KEY_ID=AKIDLOCAL", "AWS_SECRET_ACCESS_KEY=secret",
			"AWS_DEFAULT_REGION=us-east-1", "AWS_PAGER=", "AWS_EC2_METADATA_DISABLED=true"}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("aws stepfunctions %s: %v\n%s", args[0], err, out)
		}
		var v map[string]any
		if err := json.Unmarshal(out, &v); err != nil {
			t.Fatalf("aws stepfunctions %s printed %s", args[0], out)
		}
		return v
	}
	created := run("create-state-machine", "--name", "pricing", "--definition", "file://testdata/pricing-jsonata.asl.json",
		"--role-arn", "arn:aws:iam::123456789012:role/sfn")
	smArn, _ := created["stateMachineArn"].(string)
	started := run("start-execution", "--state-machine-arn", smArn, "--name", "cli-1", "--input", `{"caseId":"c-9","items":["abcdefghijkl","ab"]}`)
	execArn, _ := started["executionArn"].(string)
	var d map[string]any
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		d = run("describe-execution", "--execution-arn", execArn)
		if d["status"] != "RUNNING" || time.Now().After(deadline) {
			break
		}
	}
	if d["status"] != "SUCCEEDED" || d["output"] != `{"caseId":"c-9","escalated":true,"total":140}` {
		t.Fatalf("describe-execution = %v", d)
	}
	h := run("get-execution-history", "--execution-arn", execArn)
	events, _ := h["events"].([]any)
	var seen []string
	for _, e := range events {
		seen = append(seen, e.(map[string]any)["type"].(string))
	}
	if got := strings.Join(seen, " "); !strings.Contains(got, "MapStateEntered") || !strings.Contains(got, "ChoiceStateExited") || !strings.HasSuffix(got, "ExecutionSucceeded") {
		t.Errorf("history: %s", got)
	}

	help, _ := exec.Command(awsCLI, "stepfunctions", "help").Output()
	if !strings.Contains(string(help), "test-state") {
		version, _ := exec.Command(awsCLI, "--version").Output()
		t.Logf("%s has no `stepfunctions test-state` (TestState came after it); TestTestStateThroughTheSDK covers TestState", strings.TrimSpace(string(version)))
		return
	}
	tested := run("test-state", "--definition", "file://testdata/pricing-jsonata.asl.json", "--state-name", "Big?",
		"--variables", `{"total":120,"threshold":100}`, "--inspection-level", "DEBUG")
	if tested["nextState"] != "Escalate" || tested["status"] != "SUCCEEDED" {
		t.Errorf("test-state = %v", tested)
	}
}
