package loopback

import (
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

func TestListenRefusesOtherAddresses(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:0", "example.com:80", "nonsense"} {
		if ln, err := Listen("test", addr); err == nil {
			ln.Close()
			t.Errorf("Listen(%q) succeeded; only loopback addresses may be served", addr)
		}
	}
	for _, addr := range []string{"127.0.0.1:0", "localhost:0", "[::1]:0"} {
		ln, err := Listen("test", addr)
		if err != nil {
			if addr == "[::1]:0" && strings.Contains(err.Error(), "cannot assign") {
				continue // no IPv6 loopback on this machine
			}
			t.Errorf("Listen(%q): %v", addr, err)
			continue
		}
		ln.Close()
	}
}

func TestServeStopsWithContext(t *testing.T) {
	ln, err := Listen("test", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Serve(ctx, "test", ln, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") }))
	}()
	resp, err := http.Get("http://" + ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "ok" {
		t.Fatalf("body %q", body)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Serve after cancel: %v", err)
	}
}

// TestForeignHostGets403 is DNS rebinding through real HTTP: a request
// that reaches the loopback listener but names another host (as a page at
// attacker.example would after its name was rebound to 127.0.0.1) gets 403
// and never reaches the handler; the loopback names with the right port
// are served.
func TestForeignHostGets403(t *testing.T) {
	ln, err := Listen("test", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	var reached atomic.Int64
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Serve(ctx, "test", ln, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			reached.Add(1)
			io.WriteString(w, "ok")
		}))
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	p := strconv.Itoa(port)
	for _, tc := range []struct {
		host string
		want int
	}{
		{"127.0.0.1:" + p, http.StatusOK},
		{"localhost:" + p, http.StatusOK},
		{"LocalHost:" + p, http.StatusOK},
		{"[::1]:" + p, http.StatusOK},
		{"attacker.example:" + p, http.StatusForbidden},
		{"attacker.example", http.StatusForbidden},
		{"127.0.0.1", http.StatusForbidden}, // no port: only port 80 leaves it out
		{"127.0.0.1:" + strconv.Itoa(port+1), http.StatusForbidden},
		{"127.0.0.2:" + p, http.StatusForbidden},
		{"0.0.0.0:" + p, http.StatusForbidden},
		{"localhost.attacker.example:" + p, http.StatusForbidden},
		{"127.0.0.1.nip.io:" + p, http.StatusForbidden},
	} {
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			before := reached.Load()
			req, err := http.NewRequest(method, "http://"+ln.Addr().String()+"/store", strings.NewReader("{}"))
			if err != nil {
				t.Fatal(err)
			}
			req.Host = tc.host
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Errorf("%s with Host %q: %s, want %d", method, tc.host, resp.Status, tc.want)
			}
			if served := reached.Load() > before; served != (tc.want == http.StatusOK) {
				t.Errorf("%s with Host %q: handler reached = %v", method, tc.host, served)
			}
			if tc.want == http.StatusForbidden && strings.Contains(string(body), "attacker") {
				t.Errorf("the 403 echoes the refused Host: %q", body)
			}
		}
	}
}

func TestLoopbackHostOnPort80(t *testing.T) {
	for host, want := range map[string]bool{
		"127.0.0.1": true, "localhost": true, "[::1]": true, "127.0.0.1:80": true,
		"attacker.example": false, "127.0.0.1:8080": false, "": false,
	} {
		if got := LoopbackHost(host, 80); got != want {
			t.Errorf("LoopbackHost(%q, 80) = %v, want %v", host, got, want)
		}
	}
}
