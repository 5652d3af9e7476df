//go:build integration

package emulators

import (
	"context"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestChildThatLostItsPortIsNotReady reproduces the race of parallel test
// binaries: something else already answers on the port the emulator was
// given. The emulator cannot bind, and readiness must say so instead of
// taking the other server's answers for its own.
func TestChildThatLostItsPortIsNotReady(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	other := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "{}") })}
	go other.Serve(ln)
	defer other.Close()
	port := ln.Addr().(*net.TCPAddr).Port

	infra, err := findInfra("")
	if err != nil {
		t.Fatal(err)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal(err)
	}
	p, err := startProcess(context.Background(), "dynalite", node,
		[]string{filepath.Join(infra, "node_modules", "dynalite", "cli.js"), "--host", "127.0.0.1", "--port", strconv.Itoa(port)}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer p.stop()
	endpoint := "http://127.0.0.1:" + strconv.Itoa(port)
	if err := dynamoReady(endpoint)(context.Background()); err != nil {
		t.Fatalf("the foreign server should answer the plain readiness probe: %v", err)
	}
	ready := both(p.said("listening at: "+endpoint), dynamoReady(endpoint))
	err = p.waitReady(context.Background(), 5*time.Second, ready)
	if err == nil || !strings.Contains(err.Error(), "exited before it answered") {
		t.Fatalf("child that could not bind: waitReady = %v, want an error saying it exited", err)
	}
}
