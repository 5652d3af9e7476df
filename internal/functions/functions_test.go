package functions_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/google/go-cmp/cmp"

	"breachflow/internal/functions"
)

// TestLogicalIDs holds the naming that ties functions/<dir>/main.go
// (functions.<Name>.Start) to template.yaml's <Name>Function; localrun's
// TestMainsStartTheirFunction checks the other half.
func TestLogicalIDs(t *testing.T) {
	for name, id := range map[string]string{
		"Intake": functions.Intake.LogicalID, "Scope": functions.Scope.LogicalID,
		"Aggregate": functions.Aggregate.LogicalID, "Assess": functions.Assess.LogicalID,
		"Draft": functions.Draft.LogicalID, "ApprovalRequest": functions.ApprovalRequest.LogicalID,
		"ApprovalEscalate": functions.ApprovalEscalate.LogicalID, "Console": functions.Console.LogicalID,
		"Send": functions.Send.LogicalID, "SesEvents": functions.SesEvents.LogicalID,
		"ReconcileShard": functions.ReconcileShard.LogicalID, "Reconcile": functions.Reconcile.LogicalID,
	} {
		if id != name+"Function" {
			t.Errorf("functions.%s.LogicalID = %q, want %sFunction", name, id, name)
		}
	}
}

// TestEnv checks that a cold start names every missing variable and reads
// the optional ones.
func TestEnv(t *testing.T) {
	for _, name := range []string{"CASE_TABLE", "USER_TABLE", "USER_MAPPING", "FILING_ADDRESSES", "APPROVAL_MARGIN"} {
		t.Setenv(name, "")
	}
	ctx := context.Background()
	t.Run("missing", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			env  func() error
			want string
		}{
			{"intake", func() error { _, err := functions.Intake.Env(ctx, aws.Config{}); return err }, "CASE_TABLE"},
			{"scope", func() error { _, err := functions.Scope.Env(ctx, aws.Config{}); return err }, "CASE_TABLE, USER_TABLE, USER_MAPPING"},
			{"send", func() error { _, err := functions.Send.Env(ctx, aws.Config{}); return err }, "FILING_ADDRESSES"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				err := tc.env()
				if err == nil || !strings.Contains(err.Error(), "missing environment variables: "+tc.want) {
					t.Errorf("got %v, want the missing %s named", err, tc.want)
				}
			})
		}
	})
	t.Run("assess", func(t *testing.T) {
		t.Setenv("CASE_TABLE", "cases")
		t.Setenv("APPROVAL_MARGIN", "6h")
		got, err := functions.Assess.Env(ctx, aws.Config{})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(functions.AssessSettings{CaseTable: "cases", ApprovalMargin: 6 * time.Hour}, got); diff != "" {
			t.Error(diff)
		}
	})
}
