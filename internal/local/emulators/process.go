package emulators

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// process is one emulator child. It runs in its own process group so that
// stop reaches anything it spawned, and gets SIGKILL if this process dies
// first.
type process struct {
	name     string
	cmd      *exec.Cmd
	tail     *tailBuffer
	done     chan struct{}
	err      error // set before done is closed
	stopping atomic.Bool
}

// unexpectedExit receives a report when an emulator exits without being
// stopped: every later request to it fails with "connection refused", so
// the report is what says why.
var unexpectedExit io.Writer = os.Stderr

func startProcess(ctx context.Context, name, node string, args, env []string, log io.Writer) (*process, error) {
	cmd := exec.Command(node, args...)
	cmd.Env = append(cmd.Environ(), env...)
	tail := &tailBuffer{max: 4096}
	out := io.Writer(tail)
	if log != nil {
		out = io.MultiWriter(tail, log)
	}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &process{name: name, cmd: cmd, tail: tail, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		if !p.stopping.Load() {
			fmt.Fprintf(unexpectedExit, "emulators: %s (pid %d) exited on its own: %v; its last output:\n%s\n", name, cmd.Process.Pid, p.err, p.tail.String())
		}
		close(p.done)
	}()
	return p, nil
}

// waitReady polls ready until it succeeds, the process exits, or timeout.
func (p *process) waitReady(ctx context.Context, timeout time.Duration, ready func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var last error
	for {
		if last = ready(ctx); last == nil {
			return nil
		}
		select {
		case <-p.done:
			return fmt.Errorf("%s exited before it answered (%v); its output:\n%s", p.name, p.err, p.tail.String())
		case <-ctx.Done():
			return fmt.Errorf("%s did not answer within %s: %v; its output:\n%s", p.name, timeout, last, p.tail.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// stop sends SIGTERM to the process group, then SIGKILL after a grace
// period, and waits for the child to exit.
func (p *process) stop() error {
	p.stopping.Store(true)
	select {
	case <-p.done:
		return nil
	default:
	}
	pgid := -p.cmd.Process.Pid
	_ = syscall.Kill(pgid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(3 * time.Second):
		_ = syscall.Kill(pgid, syscall.SIGKILL)
		<-p.done
	}
	// Anything else left in the group (node spawns none today) goes too.
	_ = syscall.Kill(pgid, syscall.SIGKILL)
	var exit *exec.ExitError
	if p.err != nil && !errors.As(p.err, &exit) {
		return fmt.Errorf("stop %s: %w", p.name, p.err)
	}
	return nil
}

// said answers once the child's own output contains line.
func (p *process) said(line string) func(context.Context) error {
	return func(context.Context) error {
		if strings.Contains(p.tail.String(), line) {
			return nil
		}
		return fmt.Errorf("%s has not said %q yet", p.name, line)
	}
}

// both answers when a and then b do.
func both(a, b func(context.Context) error) func(context.Context) error {
	return func(ctx context.Context) error {
		if err := a(ctx); err != nil {
			return err
		}
		return b(ctx)
	}
}

// dynamoReady answers once dynalite speaks DynamoDB's protocol: an unsigned
// request gets its authentication error, which proves the server is up.
func dynamoReady(endpoint string) func(context.Context) error {
	return func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader("{}"))
		if err != nil {
			return err
		}
		req.Header.Set("X-Amz-Target", "DynamoDB_20120810.ListTables")
		req.Header.Set("Content-Type", "application/x-amz-json-1.0")
		return drain(http.DefaultClient.Do(req))
	}
}

func httpReady(url string) func(context.Context) error {
	return func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			resp.Body.Close()
			return fmt.Errorf("GET %s: %s", url, resp.Status)
		}
		return drain(resp, nil)
	}
}

func drain(resp *http.Response, err error) error {
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.Body.Close()
}

// tailBuffer keeps the last max bytes written, for error messages.
type tailBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
	max int
}

func (t *tailBuffer) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf.Write(b)
	if over := t.buf.Len() - t.max; over > 0 {
		t.buf.Next(over)
	}
	return len(b), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.buf.String()
}
