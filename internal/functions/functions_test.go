package functions_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/google/go-cmp/cmp"

	"breachflow/internal/envconfig"
	"breachflow/internal/functions"
)

// TestLogicalIDs holds the naming that ties functions/<dir>/main.go
// (functions.<Name>.Start) to template.yaml's <Name>Function; deploy's
// TestMainsStartTheirFunction checks the other half.
func TestLogicalIDs(t *testing.T) {
	for name, id := range map[string]string{
		"Intake": functions.Intake.LogicalID, "Scope": functions.Scope.LogicalID,
		"Aggregate": functions.Aggregate.LogicalID, "Assess": functions.Assess.LogicalID,
		"Draft": functions.Draft.LogicalID, "ApprovalRequest": functions.ApprovalRequest.LogicalID,
		"ApprovalEscalate": functions.ApprovalEscalate.LogicalID, "Console": functions.Console.LogicalID,
		"Send": functions.Send.LogicalID, "SesEvents": functions.SesEvents.LogicalID,
		"SmsEvents":      functions.SmsEvents.LogicalID,
		"ReconcileShard": functions.ReconcileShard.LogicalID, "Reconcile": functions.Reconcile.LogicalID,
		"Stage": functions.Stage.LogicalID, "StageDue": functions.StageDue.LogicalID,
		"Publish": functions.Publish.LogicalID, "NoticeLink": functions.NoticeLink.LogicalID,
	} {
		if id != name+"Function" {
			t.Errorf("functions.%s.LogicalID = %q, want %sFunction", name, id, name)
		}
	}
	seen := map[string]bool{}
	for _, f := range functions.All {
		if seen[f.ID()] {
			t.Errorf("functions.All lists %s twice", f.ID())
		}
		seen[f.ID()] = true
	}
	if len(seen) != 17 {
		t.Errorf("functions.All holds %d functions, want the 17 above", len(seen))
	}
}

// TestEnv checks that a cold start names every missing variable and reads
// the optional ones, through the lookup it is given and nothing else.
func TestEnv(t *testing.T) {
	ctx := context.Background()
	none := envconfig.Map(nil)
	t.Run("missing", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			env  func() error
			want string
		}{
			{"intake", func() error { _, err := functions.Intake.Env(ctx, none, aws.Config{}); return err }, "CASE_TABLE"},
			{"scope", func() error { _, err := functions.Scope.Env(ctx, none, aws.Config{}); return err }, "CASE_TABLE, USER_TABLE, USER_MAPPING"},
			{"send", func() error { _, err := functions.Send.Env(ctx, none, aws.Config{}); return err }, "FILING_ADDRESSES"},
			{"approval", func() error {
				_, err := functions.ApprovalRequest.Env(ctx, envconfig.Map(map[string]string{"CASE_TABLE": "cases"}), aws.Config{})
				return err
			}, "BREACHFLOW_APPROVERS"},
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
		t.Setenv("CASE_TABLE", "not-this-one") // the process environment is not read
		got, err := functions.Assess.Env(ctx, envconfig.Map(map[string]string{"CASE_TABLE": "cases", "APPROVAL_MARGIN": "6h"}), aws.Config{})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(functions.AssessSettings{CaseTable: "cases", ApprovalMargin: 6 * time.Hour}, got); diff != "" {
			t.Error(diff)
		}
	})
	t.Run("new names the function", func(t *testing.T) {
		_, err := functions.Reconcile.New(ctx, none, functions.Clients{})
		if err == nil || !strings.Contains(err.Error(), "ReconcileFunction configuration: missing environment variables: CASE_TABLE") {
			t.Errorf("got %v", err)
		}
	})
}
