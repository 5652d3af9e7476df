//go:build integration

package main

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"breachflow/internal/local/emulators"
)

// TestLocalEndpointsRefuseForeignHosts is the attack review's DNS
// rebinding finding against the stack `local up` starts: a request that
// reaches the Step Functions API or the console on 127.0.0.1 but names
// another host, as a rebound page's requests do, gets 403; the same
// request addressed to the loopback name is served.
func TestLocalEndpointsRefuseForeignHosts(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	state := t.TempDir()
	logs := &syncBuffer{}
	up, err := startLocal(ctx, emulators.Options{DataDir: filepath.Join(state, "dynamodb"), Log: logs},
		localOptions{template: "../../template.yaml", stateDir: state, log: logs})
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()

	listMachines := func(endpoint string) *http.Request {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-Amz-Target", "AWSStepFunctions.ListStateMachines")
		req.Header.Set("Content-Type", "application/x-amz-json-1.0")
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/states/aws4_request, SignedHeaders=host, Signature=0")
		return req
	}
	caseList := func(endpoint string) *http.Request {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint+"/", nil)
		if err != nil {
			t.Fatal(err)
		}
		return req
	}
	for _, tc := range []struct {
		name     string
		endpoint string
		req      func(string) *http.Request
		body     string // what the served answer contains
	}{
		{"Step Functions API", up.runtime.Endpoint, listMachines, stateMachineName},
		{"approval console", up.consoleAt, caseList, "<html"},
		// ListBuckets: the emulator serves every bucket's objects, posted
		// notices and unposted alike.
		{"S3", up.stack.S3, caseList, emulators.NoticeBucket},
	} {
		u, err := url.Parse(tc.endpoint)
		if err != nil {
			t.Fatal(err)
		}
		for _, host := range []string{u.Host, "localhost:" + u.Port(), "rebound.attacker.example:" + u.Port(), "rebound.attacker.example"} {
			req := tc.req(tc.endpoint)
			req.Host = host
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			foreign := strings.Contains(host, "attacker")
			switch {
			case foreign && resp.StatusCode != http.StatusForbidden:
				t.Errorf("%s with Host %s: %s, want 403", tc.name, host, resp.Status)
			case foreign && strings.Contains(string(body), tc.body):
				t.Errorf("%s with Host %s served its content", tc.name, host)
			case !foreign && (resp.StatusCode != http.StatusOK || !strings.Contains(string(body), tc.body)):
				t.Errorf("%s with Host %s: %s %.200q, want it served", tc.name, host, resp.Status, body)
			}
		}
	}
}
