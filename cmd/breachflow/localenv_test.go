package main

import (
	"os"
	"slices"
	"strings"
	"testing"

	"breachflow/internal/local/sam"
	"breachflow/internal/report"
)

// demoApprovers are the sample report's approvers, whom the local stack's
// overrides (infra/local-env.json) configure, so the demo's approvals count.
var demoApprovers = []string{"legal-lead@example.com", "ciso@example.com"}

// TestLocalEnvApprovesTheSample: `make demo` approves as the sample report's
// approvers, so the local stack must configure exactly those.
func TestLocalEnvApprovesTheSample(t *testing.T) {
	o, err := sam.ReadOverrides("../../" + localEnvFile)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("../../" + demoReport)
	if err != nil {
		t.Fatal(err)
	}
	r, err := report.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	configured := strings.Split(o[sam.Shared]["BREACHFLOW_APPROVERS"], ",")
	if !slices.Equal(configured, r.Approvers) || !slices.Equal(configured, demoApprovers) {
		t.Errorf("%s configures approvers %v; the sample report names %v", localEnvFile, configured, r.Approvers)
	}
}
