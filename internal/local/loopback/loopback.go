// Package loopback serves breachflow's local HTTP endpoints (the Step
// Functions API, the approval console) on the loopback interface only: they
// have no login of their own, so an address anyone else could reach is
// refused rather than served.
package loopback

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
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

// Serve serves h on ln until ctx ends, then shuts down gracefully (5 s).
// It closes ln.
func Serve(ctx context.Context, what string, ln net.Listener, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, MaxHeaderBytes: 64 << 10}
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
