//go:build integration

package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"breachflow/internal/cases"
	"breachflow/internal/delivery"
	"breachflow/internal/ledger"
	"breachflow/internal/local/emulators"
	"breachflow/internal/report"
	"breachflow/internal/scope"
	"breachflow/internal/usertable"
)

// The crash test runs the local stack in a child process: this test binary
// again, which startLocal's the stack as `breachflow local up` does and
// waits. These variables tell the child where its state and its SES are.
const (
	envStackChild   = "BREACHFLOW_TEST_STACK_CHILD" // the state folder
	envStackSES     = "BREACHFLOW_TEST_STACK_SES"
	envStackEnvVars = "BREACHFLOW_TEST_STACK_ENV_VARS" // the functions' overrides, as --env-vars takes them
)

// TestMain lets this test binary serve as the crash test's stack.
func TestMain(m *testing.M) {
	if state := os.Getenv(envStackChild); state != "" {
		os.Exit(runStackChild(state, os.Getenv(envStackSES), os.Getenv(envStackEnvVars)))
	}
	os.Exit(m.Run())
}

// runStackChild starts the local stack from state, prints what the parent
// needs (ENV lines as `local up` prints them, the emulators' PIDs, READY),
// and runs until SIGTERM, or until it is killed.
func runStackChild(state, ses, envVars string) int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	up, err := startLocal(ctx, emulators.Options{DataDir: filepath.Join(state, "dynamodb"), SES: ses, Log: os.Stderr},
		localOptions{template: "../../template.yaml", envVars: envVars, stateDir: state, log: os.Stderr})
	if err != nil {
		fmt.Fprintln(os.Stderr, "stack child:", err)
		return 1
	}
	for _, kv := range up.env() {
		fmt.Println("ENV", kv)
	}
	for _, pid := range up.stack.PIDs() {
		fmt.Println("PID", pid)
	}
	fmt.Println("READY")
	<-ctx.Done()
	if err := up.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "stack child:", err)
		return 1
	}
	return 0
}

// stackChild is one run of the stack in a child process.
type stackChild struct {
	cmd    *exec.Cmd
	env    map[string]string
	pids   []int // the child's emulators
	stderr *syncBuffer
	exited chan struct{}
}

// childEnv is this process's environment without anything that points at
// a stack or configures one (earlier tests in this process set some): the
// child reads only what it is given. Where the emulators are installed,
// and whether they log, still apply.
func childEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case k == "BREACHFLOW_INFRA", k == "BREACHFLOW_EMULATOR_LOG":
		case strings.HasPrefix(k, "AWS_ENDPOINT_URL"), strings.HasPrefix(k, "BREACHFLOW_"), k == "CASE_TABLE", k == "USER_TABLE":
			continue
		}
		env = append(env, kv)
	}
	return append(env, extra...)
}

// startStackChild starts the stack from state in a child process, with the
// functions' environment overrides in the file envVars, and waits until it
// is up.
func startStackChild(ctx context.Context, t *testing.T, state, ses, envVars string) *stackChild {
	t.Helper()
	c := &stackChild{env: map[string]string{}, stderr: &syncBuffer{}, exited: make(chan struct{})}
	c.cmd = exec.Command(os.Args[0], "-test.run=^$")
	c.cmd.Env = childEnv(envStackChild+"="+state, envStackSES+"="+ses, envStackEnvVars+"="+envVars)
	c.cmd.Stderr = c.stderr
	stdout, err := c.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.kill(t) })
	ready := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		said := false
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "ENV "):
				k, v, _ := strings.Cut(strings.TrimPrefix(line, "ENV "), "=")
				c.env[k] = v
			case strings.HasPrefix(line, "PID "):
				if pid, err := strconv.Atoi(strings.TrimPrefix(line, "PID ")); err == nil {
					c.pids = append(c.pids, pid)
				}
			case line == "READY":
				said = true
				ready <- nil
			}
		}
		if !said {
			ready <- fmt.Errorf("the stack child ended before it was up")
		}
	}()
	go func() {
		c.cmd.Wait()
		close(c.exited)
	}()
	select {
	case err := <-ready:
		if err != nil {
			<-c.exited
			t.Fatalf("%v: %s", err, c.stderr.String())
		}
	case <-ctx.Done():
		t.Fatalf("the stack child did not come up: %s", c.stderr.String())
	}
	// Point this process's clients at the child, as the printed export
	// lines would a terminal's.
	for k, v := range c.env {
		t.Setenv(k, v)
	}
	return c
}

// kill9 kills the child with SIGKILL and waits for it and its emulators
// (which die with it: Pdeathsig) to be gone.
func (c *stackChild) kill9(t *testing.T) {
	t.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-c.exited
	u, err := url.Parse(c.env["AWS_ENDPOINT_URL_DYNAMODB"])
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", u.Host, 200*time.Millisecond)
		if err != nil {
			return // dynalite died with the stack
		}
		conn.Close()
		if time.Now().After(deadline) {
			t.Fatalf("dynalite at %s outlived the killed stack", u.Host)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kill ends the child and its emulators if the test left them running.
func (c *stackChild) kill(t *testing.T) {
	select {
	case <-c.exited:
	default:
		c.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-c.exited:
		case <-time.After(10 * time.Second):
			c.cmd.Process.Signal(syscall.SIGKILL)
			<-c.exited
		}
	}
	for _, pid := range c.pids {
		if syscall.Kill(pid, 0) == nil {
			t.Logf("killing emulator %d left by the stack child", pid)
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// TestKillNineMidSend is the attack review's crash, against the real
// emulators: the whole local stack (engine, every function, the console,
// dynalite) runs in a child process that is killed with SIGKILL while
// customer notices are going out, then started again from the same state
// folder. The SES emulator stays up outside the child, standing for AWS's
// SES, which a crashed Lambda does not take down, so its mailbox is the
// record of what went out before and after. Sending must resume within
// 60 s of the restart (the crashed invocations' leases lapse within their
// 30-s term), nobody in scope may be missing, and the duplicates must stay
// within the README's bound: Workers + RecordBatch per crashed invocation.
func TestKillNineMidSend(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	const (
		users, seed = 1500, 7
		rate        = 100 // the SES rate the child paces to: several seconds of sending
		parallel    = 8   // the local SEND_PARALLELISM: send invocations at once
		killAfter   = 150 // customer notices in the mailbox when the stack is killed
	)
	logs := &syncBuffer{}
	ses, err := emulators.Start(ctx, emulators.Options{Log: logs})
	if err != nil {
		t.Fatal(err)
	}
	defer ses.Close()
	mailbox := emulators.Mailbox{URL: ses.SES}
	state := t.TempDir()
	settings := writeEnvVars(t, `{"Parameters": {"SES_MAX_SEND_RATE": "`+strconv.Itoa(rate)+`", "SEND_PARALLELISM": "`+strconv.Itoa(parallel)+`"}}`)

	child := startStackChild(ctx, t, state, ses.SES, settings)
	env, err := loadCLIEnv(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := usertable.Seed(ctx, env.dynamo(), defaultUserTable, usertable.SeedOptions{Users: users, Seed: seed}); err != nil {
		t.Fatal(err)
	}
	raw := liveDemoReport(t)
	r, err := report.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	caseID, _, err := env.cases().PutReport(ctx, raw, r)
	if err != nil {
		t.Fatal(err)
	}
	machine, err := env.stateMachine(ctx)
	if err != nil {
		t.Fatal(err)
	}
	started, err := env.sfn().StartExecution(ctx, &sfn.StartExecutionInput{
		StateMachineArn: aws.String(machine), Name: aws.String(cases.ExecutionName(caseID)),
		Input: aws.String(`{"case_id":"` + caseID + `"}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	execArn := aws.ToString(started.ExecutionArn)
	if err := demoApprove(ctx, &syncBuffer{}, env, caseID, r.Approvers); err != nil {
		t.Fatal(err)
	}

	notices := func() map[string]int {
		t.Helper()
		msgs, err := mailbox.Messages(ctx, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		for _, m := range msgs {
			for _, to := range m.Destination.To {
				if !strings.HasSuffix(to, "@regulators.example.org") && !isApprover(to) {
					got[strings.ToLower(to)]++
				}
			}
		}
		return got
	}
	count := func(m map[string]int) (n int) {
		for _, c := range m {
			n += c
		}
		return n
	}
	waitFor(ctx, t, fmt.Sprintf("%d customer notices before the kill", killAfter), func() bool { return count(notices()) >= killAfter })
	child.kill9(t)
	killedAt := time.Now()
	before := count(notices())

	restartAt := time.Now()
	startStackChild(ctx, t, state, ses.SES, settings)
	if env, err = loadCLIEnv(ctx); err != nil {
		t.Fatal(err)
	}
	var resumedAt time.Time
	waitFor(ctx, t, "sending to resume after the restart", func() bool {
		if count(notices()) > before {
			resumedAt = time.Now()
			return true
		}
		return time.Since(restartAt) > 90*time.Second
	})
	if resumedAt.IsZero() {
		t.Fatalf("nothing was sent in the 90 s after the restart (%d notices before the kill)", before)
	}
	if d := resumedAt.Sub(restartAt); d > 60*time.Second {
		t.Errorf("sending resumed %s after the restart; the bound is 60 s", d.Round(100*time.Millisecond))
	}
	var final *sfn.DescribeExecutionOutput
	waitFor(ctx, t, "the execution to end", func() bool {
		final, err = env.sfn().DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(execArn)})
		return err == nil && final.Status != sfntypes.ExecutionStatusRunning
	})
	if final.Status != sfntypes.ExecutionStatusSucceeded {
		t.Fatalf("execution %s: %s: %s\n%v", final.Status, aws.ToString(final.Error), aws.ToString(final.Cause), failures(ctx, env.sfn(), execArn, 3))
	}

	// Everyone the criteria select got a notice, nobody else any, and the
	// extra notices stay within the bound for the invocations the kill cut
	// short (at most one per send child running at once).
	want := map[string]bool{}
	for i := range users {
		u := usertable.Generate(seed, i)
		if addr, ok := scope.NormaliseEmail(u.Email); ok && u.PaymentService == "kakaopay" && u.OverseasTransfer {
			want[addr] = true
		}
	}
	got := notices()
	missing, dups := 0, 0
	for addr := range want {
		switch n := got[addr]; {
		case n == 0:
			missing++
		case n > 1:
			dups += n - 1
		}
	}
	for addr := range got {
		if !want[addr] {
			t.Errorf("a notice went to an address outside the scope")
		}
	}
	pacing, err := delivery.Config{AccountRate: rate, Parallel: parallel, Latency: delivery.DefaultSESLatency}.Pacing(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	// README, Sending once: Workers + RecordBatch, the record batch being
	// the worker count, at most ledger.MaxRecordBatch.
	perInvocation := pacing.Workers + min(pacing.Workers, ledger.MaxRecordBatch)
	bound := parallel * perInvocation
	if missing > 0 {
		t.Errorf("%d of %d people in scope got no notice", missing, len(want))
	}
	if dups > bound {
		t.Errorf("%d duplicate notices; the bound is %d (%d send invocations cut short x %d)", dups, bound, parallel, perInvocation)
	}
	t.Logf("%d people in scope; killed after %d notices; restart to first send %s (kill to first send %s); %d duplicates (bound %d), %d missing",
		len(want), before, resumedAt.Sub(restartAt).Round(100*time.Millisecond), resumedAt.Sub(killedAt).Round(100*time.Millisecond), dups, bound, missing)
}
