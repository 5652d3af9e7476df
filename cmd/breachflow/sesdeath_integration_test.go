//go:build integration

package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"breachflow/internal/cases"
	"breachflow/internal/console"
	"breachflow/internal/local/emulators"
	"breachflow/internal/report"
	"breachflow/internal/usertable"
)

// TestSESDeathNamesShardAndCause is the attack review's SES crash: the SES
// emulator is killed while customer notices go out. The run ends, as a
// Distributed Map does, in States.ExceedToleratedFailureThreshold, which
// names neither the shard nor the error; `breachflow status` and the
// console's delivery panel must say both.
func TestSESDeathNamesShardAndCause(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	state := t.TempDir()
	logs := &syncBuffer{}
	t.Setenv("BREACHFLOW_APPROVERS", "")
	t.Setenv("BREACHFLOW_CONSOLE_URL", "")
	t.Setenv("FILING_ADDRESSES", "")
	t.Setenv("SES_MAX_SEND_RATE", "40") // several seconds of sending
	up, err := startLocal(ctx, emulators.Options{DataDir: filepath.Join(state, "dynamodb"), Log: logs},
		localOptions{template: "../../template.yaml", stateDir: state, approvers: demoApprovers, log: logs})
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()
	env, err := loadCLIEnv(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := usertable.Seed(ctx, env.dynamo(), up.userTable, usertable.SeedOptions{Users: 800, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("../../" + demoReport)
	if err != nil {
		t.Fatal(err)
	}
	if raw, err = liveTimeline(raw, time.Now().Add(-2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	r, err := report.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	caseID, _, err := env.cases().PutReport(ctx, raw, r)
	if err != nil {
		t.Fatal(err)
	}
	started, err := env.sfn().StartExecution(ctx, &sfn.StartExecutionInput{
		StateMachineArn: aws.String(up.runtime.StateMachines[stateMachineName]),
		Name:            aws.String(cases.ExecutionName(caseID)),
		Input:           aws.String(`{"case_id":"` + caseID + `"}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(started.ExecutionArn)
	if err := demoApprove(ctx, io.Discard, env, caseID, r.Approvers); err != nil {
		t.Fatal(err)
	}
	mailbox := emulators.Mailbox{URL: up.stack.SES}
	waitFor(ctx, t, "customer notices going out", func() bool {
		msgs, err := mailbox.Messages(ctx, time.Time{})
		n := 0
		for _, m := range msgs {
			if len(m.Destination.To) > 0 && !strings.HasSuffix(m.Destination.To[0], "@regulators.example.org") && !isApprover(m.Destination.To[0]) {
				n++
			}
		}
		return err == nil && n >= 20
	})
	pids := up.stack.PIDs()
	if len(pids) != 2 {
		t.Fatalf("stack processes %v: want dynalite and the SES emulator", pids)
	}
	if err := syscall.Kill(pids[1], syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}

	var final *sfn.DescribeExecutionOutput
	waitFor(ctx, t, "the execution to end", func() bool {
		final, err = env.sfn().DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
		return err == nil && final.Status != sfntypes.ExecutionStatusRunning
	})
	if final.Status != sfntypes.ExecutionStatusFailed || aws.ToString(final.Error) != "States.ExceedToleratedFailureThreshold" {
		t.Fatalf("execution %s (%s: %s), want FAILED on the send Map's threshold", final.Status, aws.ToString(final.Error), aws.ToString(final.Cause))
	}

	// status names the shard and the error.
	out := runCLI(ctx, t, "status", caseID)
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "send failed   shard ") {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 || !strings.Contains(lines[0], "connection refused") {
		t.Errorf("status after SES died does not name the failed shard and its error:\n%s", out)
	}

	// So does the console, on the case page and in its live endpoint.
	u, err := url.JoinPath(up.consoleAt, "cases", caseID, "delivery")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Channels []console.Delivery `json:"channels"`
	}
	err = json.NewDecoder(resp.Body).Decode(&rep)
	resp.Body.Close()
	if err != nil || len(rep.Channels) != 1 || len(rep.Channels[0].Stopped) == 0 {
		t.Fatalf("console delivery endpoint: %+v, %v; want the stopped shards", rep, err)
	}
	stop := rep.Channels[0].Stopped[0]
	if !strings.Contains(stop.Cause, "connection refused") || stop.Shard < 0 || stop.Shard >= 64 || stop.At.IsZero() {
		t.Errorf("console names shard %d with cause %q", stop.Shard, stop.Cause)
	}
	page, err := http.Get(up.consoleAt + "/cases/" + url.PathEscape(caseID))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(page.Body)
	page.Body.Close()
	if !strings.Contains(string(body), "Sending stopped on shard") {
		t.Error("the console's case page does not say sending stopped")
	}
	t.Logf("status says:\n%s", strings.Join(lines, "\n"))
}
