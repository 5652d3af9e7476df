//go:build integration

package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"breachflow/internal/console"
	"breachflow/internal/local/emulators"
)

// TestSESDeathNamesShardAndCause is the attack review's SES crash: the SES
// emulator is killed while customer notices go out. The run ends, as a
// Distributed Map does, in States.ExceedToleratedFailureThreshold, which
// names neither the shard nor the error; `breachflow status` and the
// console's delivery panel must say both.
func TestSESDeathNamesShardAndCause(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	slow := writeEnvVars(t, `{"Parameters": {"SES_MAX_SEND_RATE": "40"}}`) // several seconds of sending
	lc := startLocalCaseWith(ctx, t, localOptions{template: "../../template.yaml", envVars: slow}, 800, 3)
	up, env, caseID := lc.up, lc.env, lc.caseID
	if err := demoApprove(ctx, io.Discard, env, caseID, lc.report.Approvers); err != nil {
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

	final := lc.ended(t)
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
