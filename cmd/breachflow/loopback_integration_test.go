//go:build integration

package main

import (
	"context"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"breachflow/internal/functions"
	"breachflow/internal/local/emulators"
	"breachflow/internal/local/localtest"
)

// TestLocalClientsStayOnLoopback is the attack review's fourth finding: the
// CLI set AWS_ENDPOINT_URL_SFN only after the functions' clients were made,
// and a re-draft's supersede call went to states.us-east-1.amazonaws.com.
// It starts the stack as `local up` does and, for every function of the
// template and every AWS service the functions make clients of
// (localtest.ClientServices, which deploy's tests hold to the functions'
// imports), resolves the endpoint a client made from that function's
// configuration calls: each must be on 127.0.0.1. The process environment
// is pointed at AWS first, to show the functions' endpoints do not depend
// on it, or on when it changes.
func TestLocalClientsStayOnLoopback(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	state := t.TempDir()
	logs := &syncBuffer{}
	for _, v := range []string{"CASE_TABLE", "USER_TABLE", "BREACHFLOW_APPROVERS", "BREACHFLOW_APPROVALS_REQUIRED", envApprovalKeyDir} {
		t.Setenv(v, "")
	}
	up, err := startLocal(ctx, emulators.Options{DataDir: filepath.Join(state, "dynamodb"), Log: logs},
		localOptions{template: "../../template.yaml", stateDir: state, log: logs})
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()

	t.Setenv("AWS_ENDPOINT_URL", "https://example.amazonaws.com")
	for _, v := range []string{"AWS_ENDPOINT_URL_SFN", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_SESV2"} {
		t.Setenv(v, "https://states.us-east-1.amazonaws.com")
	}
	if n := len(up.runtime.Functions); n != len(functions.All) {
		t.Fatalf("the stack runs %d functions, want all %d", n, len(functions.All))
	}
	services := localtest.ClientServices()
	for id, f := range up.runtime.Functions {
		eps, err := localtest.ClientEndpoints(ctx, f.Clients.AWS)
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		if len(eps) != len(services) {
			t.Fatalf("%s: resolved %d services, want %d", id, len(eps), len(services))
		}
		for svc, ep := range eps {
			if u, err := url.Parse(ep); err != nil || u.Hostname() != "127.0.0.1" {
				t.Errorf("%s: a %s client would call %s", id, svc, ep)
			}
		}
	}
}
