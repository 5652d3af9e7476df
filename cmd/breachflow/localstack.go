package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"breachflow/internal/awsenv"
	"breachflow/internal/casetable"
	"breachflow/internal/localrun"
	"breachflow/internal/localstack"
)

// localUp is the whole local stack: the emulators, the case table, and the
// template deployed on the in-process Step Functions engine.
type localUp struct {
	stack     *localstack.Stack
	runtime   *localrun.Runtime
	caseTable string
}

// startLocal starts everything and points this process's SDK variables at
// it, so every client the CLI builds afterwards talks to the local stack.
func startLocal(ctx context.Context, opts localstack.Options, template string, sfnPort int) (*localUp, error) {
	stack, err := localstack.Start(ctx, opts)
	if err != nil {
		return nil, err
	}
	up := &localUp{stack: stack, caseTable: defaultCaseTable}
	for _, kv := range stack.Env() {
		k, v, _ := strings.Cut(kv, "=")
		os.Setenv(k, v)
	}
	cfg, err := awsenv.Load(ctx)
	if err != nil {
		up.Close()
		return nil, err
	}
	if err := casetable.CreateTable(ctx, dynamodb.NewFromConfig(cfg), up.caseTable); err != nil {
		up.Close()
		return nil, err
	}
	dir := ""
	if opts.DataDir != "" {
		dir = filepath.Join(filepath.Dir(opts.DataDir), "stepfunctions")
	}
	up.runtime, err = localrun.Start(ctx, localrun.Options{
		Template: template,
		Dir:      dir,
		Addr:     "127.0.0.1:" + strconv.Itoa(sfnPort),
		Deps:     localrun.Deps{AWS: cfg, CaseTable: up.caseTable, Log: slog.New(slog.DiscardHandler)},
	})
	if err != nil {
		up.Close()
		return nil, fmt.Errorf("local Step Functions: %w (choose another port with --sfn-port or BREACHFLOW_SFN_PORT)", err)
	}
	os.Setenv("AWS_ENDPOINT_URL_SFN", up.runtime.Endpoint)
	os.Setenv("BREACHFLOW_CASE_TABLE", up.caseTable)
	return up, nil
}

func (u *localUp) env() []string {
	return append(u.stack.Env(), "AWS_ENDPOINT_URL_SFN="+u.runtime.Endpoint, "BREACHFLOW_CASE_TABLE="+u.caseTable)
}

func (u *localUp) machineNames() []string {
	var names []string
	for id := range u.runtime.StateMachines {
		names = append(names, id)
	}
	sort.Strings(names)
	return names
}

// Close stops the engine first (it persists waiting executions), then the
// emulators.
func (u *localUp) Close() error {
	var errs []error
	if u.runtime != nil {
		errs = append(errs, u.runtime.Close())
		u.runtime = nil
	}
	if u.stack != nil {
		errs = append(errs, u.stack.Close())
		u.stack = nil
	}
	return errors.Join(errs...)
}
