//go:build integration

package localrun_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"breachflow/internal/cases"
	"breachflow/internal/localrun"
	"breachflow/internal/localstack/localtest"
	"breachflow/internal/report"
)

func TestMain(m *testing.M) { os.Exit(localtest.Main(m)) }

// TestDeployedDefinitionRunsOverTheAPI drives the template's state machine
// through the Go SDK against the local API, with the real case table.
func TestDeployedDefinitionRunsOverTheAPI(t *testing.T) {
	ctx := context.Background()
	db := localtest.DynamoDB(t)
	table := localtest.NewTable(t, db)
	cfg := localtest.Config(t)
	rt, err := localrun.Start(ctx, localrun.Options{
		Template: "../../template.yaml",
		Dir:      t.TempDir(),
		Addr:     "127.0.0.1:0",
		Deps:     localrun.Deps{AWS: cfg, CaseTable: table},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()

	raw, err := os.ReadFile("../cases/testdata/report.json")
	if err != nil {
		t.Fatal(err)
	}
	r, err := report.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	store := &cases.Store{DB: db, Table: table}
	caseID, _, err := store.PutReport(ctx, raw, r)
	if err != nil {
		t.Fatal(err)
	}

	client := sfn.NewFromConfig(cfg, func(o *sfn.Options) { o.BaseEndpoint = aws.String(rt.Endpoint) })
	smArn := rt.StateMachines["BreachStateMachine"]
	start := func() (*sfn.StartExecutionOutput, error) {
		return client.StartExecution(ctx, &sfn.StartExecutionInput{
			StateMachineArn: aws.String(smArn),
			Name:            aws.String(cases.ExecutionName(caseID)),
			Input:           aws.String(`{"case_id":"` + caseID + `"}`),
		})
	}
	out, err := start()
	if err != nil {
		t.Fatal(err)
	}
	var d *sfn.DescribeExecutionOutput
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		d, err = client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: out.ExecutionArn})
		if err != nil {
			t.Fatal(err)
		}
		if d.Status != sfntypes.ExecutionStatusRunning {
			break
		}
	}
	if d.Status != sfntypes.ExecutionStatusSucceeded {
		t.Fatalf("execution %s: %s %s", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
	}
	c, err := store.Get(ctx, caseID)
	if err != nil {
		t.Fatal(err)
	}
	if c.ExecutionArn != aws.ToString(out.ExecutionArn) {
		t.Errorf("case records execution %q, want %q", c.ExecutionArn, aws.ToString(out.ExecutionArn))
	}
	// A finished execution's name is taken: starting the case again says so.
	if _, err := start(); err == nil || !strings.Contains(err.Error(), "ExecutionAlreadyExists") {
		t.Errorf("second start: %v, want ExecutionAlreadyExists", err)
	}
}
