// Package loopback serves breachflow's local HTTP endpoints (the Step
// Functions API, the approval console) on the loopback interface only: they
// have no login of their own, so an address anyone else could reach is
// refused rather than served.
//
// Binding to 127.0.0.1 keeps other machines out, but not a web page in the
// user's own browser: with DNS rebinding, a page at attacker.example can
// make its own name resolve to 127.0.0.1 and then read these endpoints as
// same-origin (the console's case pages hold every approval link). Such a
// request still carries the attacker's name in its Host header, so every
// server built here answers only requests addressed to a loopback name
// (127.0.0.1, localhost or [::1]) with the listener's own port, and 403
// otherwise.
package loopback

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Listen opens a TCP listener on addr, which must name a loopback address
// ("127.0.0.1:8083", "[::1]:8080", "localhost:0"). what names the endpoint in
// errors.
func Listen(what, addr string) (net.Listener, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("%s address %q: %w", what, addr, err)
	}
	if host == "localhost" {
		host = "127.0.0.1"
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("%s address %q: refusing a non-loopback address; use 127.0.0.1", what, addr)
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(host, port))
	if err != nil {
		return nil, fmt.Errorf("%s listen: %w", what, err)
	}
	return ln, nil
}

// NewServer returns the server for h on ln: h behind AllowHosts for ln's
// port, with bounded headers. Every local endpoint is served through it.
func NewServer(ln net.Listener, h http.Handler) *http.Server {
	port := 0
	if a, ok := ln.Addr().(*net.TCPAddr); ok {
		port = a.Port
	}
	return &http.Server{Handler: AllowHosts(port, h), ReadHeaderTimeout: 10 * time.Second, MaxHeaderBytes: 64 << 10}
}

// AllowHosts passes to h only requests whose Host header is a loopback name
// (127.0.0.1, localhost, [::1]) with port, the port the server listens on;
// every other request gets 403 Forbidden, whatever its method or path. A
// Host without a port is accepted only on port 80, where browsers leave it
// out.
func AllowHosts(port int, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !LoopbackHost(r.Host, port) {
			// The refused name is not echoed: it is the caller's input.
			http.Error(w, "403 forbidden: this local endpoint answers only to http://127.0.0.1:"+strconv.Itoa(port)+"/ (or localhost, [::1])", http.StatusForbidden)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// LoopbackHost reports whether host (a Host header: name and optional
// port) names this machine's loopback interface on port.
func LoopbackHost(host string, port int) bool {
	name, p, err := net.SplitHostPort(host)
	if err != nil {
		// No port, or malformed: only a bare name on port 80 passes.
		if port != 80 {
			return false
		}
		name, p = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"), "80"
	}
	if p != strconv.Itoa(port) {
		return false
	}
	switch strings.ToLower(name) {
	case "127.0.0.1", "localhost", "::1":
		return true
	}
	return false
}

// Serve serves h on ln (through NewServer) until ctx ends, then shuts down
// gracefully (5 s). It closes ln.
func Serve(ctx context.Context, what string, ln net.Listener, h http.Handler) error {
	srv := NewServer(ln, h)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return fmt.Errorf("%s: %w", what, err)
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shut); err != nil {
		return fmt.Errorf("%s shutdown: %w", what, err)
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}
