package sfnapi

import (
	"breachflow/internal/local/loopback"
	"context"
	"net"
	"net/http"
)

// DefaultAddr is where the local Step Functions API listens by default.
const DefaultAddr = "127.0.0.1:8083"

// Listen opens a TCP listener on addr ("" means DefaultAddr). Only loopback
// addresses are accepted: the local API has no authentication.
func Listen(addr string) (net.Listener, error) {
	if addr == "" {
		addr = DefaultAddr
	}
	return loopback.Listen("sfnapi", addr)
}

// Serve listens on addr (see Listen) and serves h until ctx is done, then
// shuts down gracefully.
func Serve(ctx context.Context, addr string, h http.Handler) error {
	ln, err := Listen(addr)
	if err != nil {
		return err
	}
	return ServeListener(ctx, ln, h)
}

// ServeListener serves h on ln until ctx is done. It closes ln.
func ServeListener(ctx context.Context, ln net.Listener, h http.Handler) error {
	return loopback.Serve(ctx, "sfnapi", ln, h)
}
