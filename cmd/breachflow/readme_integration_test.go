//go:build integration

package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestREADMESequence runs the README's local-stack sequence as a newcomer
// would, in two shells' worth of environment: one runs `breachflow local
// up`; the other holds nothing but the `export` lines it printed, a PATH
// and a HOME, and runs each command of the README's block as written.
func TestREADMESequence(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	block := readmeBlock(t, filepath.Join(root, "README.md"), "With the stack up")
	// The sequence writes its evidence pack into the checkout, as it does
	// for a reader; remove it afterwards unless one was there before.
	pack := filepath.Join(root, "out", "kakaopay-alipay-2024")
	if _, err := os.Stat(pack); os.IsNotExist(err) {
		t.Cleanup(func() { os.RemoveAll(pack) })
	}
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "bin")
	if out, err := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(bin, "breachflow"), ".").CombinedOutput(); err != nil {
		t.Fatalf("build breachflow: %v\n%s", err, out)
	}
	if _, err := os.Stat("/usr/bin/aws"); err != nil {
		t.Fatalf("the README calls /usr/bin/aws (make test installs Debian's awscli): %v", err)
	}
	path := bin + ":/usr/local/bin:/usr/bin:/bin"
	base := []string{"PATH=" + path, "HOME=" + tmp}

	// Terminal 1: the stack, on free ports so tests can run side by side.
	up := exec.CommandContext(ctx, filepath.Join(bin, "breachflow"), "local", "up",
		"--data", filepath.Join(tmp, "state", "dynamodb"),
		"--dynamodb-port", freePort(t), "--ses-port", freePort(t), "--sfn-port", freePort(t), "--console-port", freePort(t),
		"--kms-port", freePort(t), "--s3-port", freePort(t), "--site-port", freePort(t), "--sms-port", freePort(t))
	up.Dir, up.Env = root, append(base, "GOFLAGS="+os.Getenv("GOFLAGS"))
	// Its own process group, so the kill below reaches its emulators too;
	// and a parent-death signal, so a test binary that dies abruptly (a
	// timeout, a panic) leaves no stack behind.
	up.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	stdout, err := up.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	up.Stderr = os.Stderr
	if err := up.Start(); err != nil {
		t.Fatal(err)
	}
	stopped := make(chan error, 1)
	go func() { stopped <- up.Wait() }()
	defer func() {
		up.Process.Signal(os.Interrupt)
		select {
		case <-stopped:
		case <-time.After(30 * time.Second):
			syscall.Kill(-up.Process.Pid, syscall.SIGKILL)
			t.Error("local up did not stop on Ctrl-C within 30s")
		}
	}()
	exports := readExports(t, stdout)
	go io.Copy(io.Discard, stdout)

	// Terminal 2: only what local up printed.
	env := append(append([]string{}, base...), exports...)
	var outputs []string
	for _, line := range block {
		sh := exec.CommandContext(ctx, "bash", "-euo", "pipefail", "-c", line)
		sh.Dir, sh.Env = root, env
		out, err := sh.CombinedOutput()
		t.Logf("$ %s\n%s", line, out)
		if err != nil {
			t.Fatalf("README command failed: %s: %v\n%s", line, err, out)
		}
		outputs = append(outputs, string(out))
	}
	all := strings.Join(outputs, "\n")
	for _, want := range []string{
		"case kakaopay-alipay-2024 opened",
		"approved, 2 of 2 approvals",
		"status        closed",
		"execution     SUCCEEDED",
		"chain verifies",
		"pack out/kakaopay-alipay-2024 verifies: case kakaopay-alipay-2024",
		"identities are asserted",
		`"name": "case-kakaopay-alipay-2024"`,
		"posted        5 pages since",
		"letters.html  sha256",
		"substitute-ko-kr.html",
		"Every channel against every deadline",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("the README's sequence never printed %q", want)
		}
	}
}

// readmeBlock returns the commands of the first ```sh block after the
// paragraph that starts with marker, continuation lines joined.
func readmeBlock(t *testing.T, path, marker string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, marker)
	if i < 0 {
		t.Fatalf("README has no %q", marker)
	}
	s = s[i:]
	start := strings.Index(s, "```sh\n")
	end := strings.Index(s[start+6:], "```")
	if start < 0 || end < 0 {
		t.Fatalf("no sh block after %q", marker)
	}
	var cmds []string
	cur := ""
	for _, l := range strings.Split(s[start+6:start+6+end], "\n") {
		if strings.TrimSpace(l) == "" {
			continue
		}
		if strings.HasSuffix(l, "\\") {
			cur += strings.TrimSuffix(l, "\\")
			continue
		}
		cmds = append(cmds, cur+l)
		cur = ""
	}
	if len(cmds) < 5 {
		t.Fatalf("README block after %q has %d commands", marker, len(cmds))
	}
	return cmds
}

// readExports reads local up's output until its export lines end.
func readExports(t *testing.T, r io.Reader) []string {
	t.Helper()
	sc := bufio.NewScanner(r)
	var out []string
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if kv, ok := strings.CutPrefix(l, "export "); ok {
			out = append(out, kv)
			continue
		}
		if len(out) > 0 {
			break
		}
	}
	if len(out) == 0 {
		t.Fatalf("local up printed no export lines (%v)", sc.Err())
	}
	return out
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
}
