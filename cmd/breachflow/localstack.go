package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/logging"

	"breachflow/internal/approval"
	"breachflow/internal/awsenv"
	"breachflow/internal/casetable"
	"breachflow/internal/delivery"
	"breachflow/internal/local/deploy"
	"breachflow/internal/local/emulators"
	"breachflow/internal/local/loopback"
	"breachflow/internal/usertable"
)

// localOptions are what `local up` and `demo` set beyond the emulators.
type localOptions struct {
	template    string
	sfnPort     int
	consolePort int
	// stateDir keeps the engine's executions and the approval key; "" keeps
	// executions in memory (the key then lives in a temporary folder).
	stateDir string
	// approvers is used when BREACHFLOW_APPROVERS is not set.
	approvers []string
	log       io.Writer
}

// Local defaults that stand in for what template.yaml's parameters say in AWS.
const (
	// localSendRate is the local "account" rate: the SES emulator takes
	// ~1,000 sends a second, and a demo should not take an hour at 14/s.
	localSendRate = "1000"
	localSender   = "privacy@example.com"
	// localFilings sends each filing to its own reserved-domain mailbox.
	localFilings   = `{"*":"filings+{id}@regulators.example.org"}`
	defaultConsole = 8080
)

// localUp is the whole local stack: the emulators, the tables, the template
// deployed on the in-process Step Functions engine, and the console.
type localUp struct {
	stack     *emulators.Stack
	keyDir    string
	runtime   *deploy.Runtime
	console   *http.Server
	consoleAt string
	caseTable string
	userTable string
	cancel    context.CancelFunc
}

// startLocal starts everything and points this process's SDK variables at
// it, so every client the CLI builds afterwards talks to the local stack.
func startLocal(ctx context.Context, opts emulators.Options, lo localOptions) (*localUp, error) {
	stack, err := emulators.Start(ctx, opts)
	if err != nil {
		return nil, err
	}
	up := &localUp{stack: stack, caseTable: defaultCaseTable, userTable: envString("BREACHFLOW_USER_TABLE", defaultUserTable)}
	fail := func(err error) (*localUp, error) {
		up.Close()
		return nil, err
	}
	for _, kv := range stack.Env() {
		k, v, _ := strings.Cut(kv, "=")
		os.Setenv(k, v)
	}
	cfg, err := awsenv.Load(ctx)
	if err != nil {
		return fail(err)
	}
	if lo.log != nil {
		cfg.Logger = logging.NewStandardLogger(lo.log) // the SDK's warnings too
	}
	db := dynamodb.NewFromConfig(cfg)
	mapping := usertable.DefaultMapping()
	if err := casetable.CreateTable(ctx, db, up.caseTable); err != nil {
		return fail(err)
	}
	if err := usertable.CreateTable(ctx, db, up.userTable, mapping); err != nil {
		return fail(err)
	}

	keyDir := lo.stateDir
	if keyDir == "" {
		keyDir, err = os.MkdirTemp("", "breachflow-key-")
		if err != nil {
			return fail(err)
		}
	}
	if up.keyDir, err = filepath.Abs(keyDir); err != nil {
		return fail(err)
	}
	setDefault("BREACHFLOW_APPROVERS", strings.Join(lo.approvers, ","))
	setDefault("SES_MAX_SEND_RATE", localSendRate)
	setDefault("SENDER_ADDRESS", localSender)
	setDefault("SEND_PARALLELISM", "8")
	setDefault("FILING_ADDRESSES", localFilings)
	setDefault("CASE_TABLE", up.caseTable)

	consoleLn, err := loopback.Listen("console", "127.0.0.1:"+strconv.Itoa(lo.consolePort))
	if err != nil {
		return fail(fmt.Errorf("approval console: %w (choose another port with --console-port or BREACHFLOW_CONSOLE_PORT)", err))
	}
	up.consoleAt = "http://" + consoleLn.Addr().(*net.TCPAddr).String()
	setDefault("BREACHFLOW_CONSOLE_URL", up.consoleAt)

	ac, err := approval.ConfigFromEnv(keyDir)
	if err != nil {
		consoleLn.Close()
		return fail(fmt.Errorf("approval: %w", err))
	}
	sc, err := delivery.LoadConfig(os.Getenv)
	if err != nil {
		consoleLn.Close()
		return fail(err)
	}
	addrs, err := delivery.ParseFilingAddresses(os.Getenv("FILING_ADDRESSES"))
	if err != nil {
		consoleLn.Close()
		return fail(err)
	}
	// The functions log as they would in Lambda; locally that goes to the
	// --verbose writer or nowhere, never into the command's own output.
	log := slog.New(slog.DiscardHandler)
	if lo.log != nil {
		log = slog.New(slog.NewJSONHandler(lo.log, nil))
	}
	slog.SetDefault(log)
	deps := deploy.Deps{
		AWS: cfg, CaseTable: up.caseTable, UserTable: up.userTable, Mapping: mapping,
		Approval: ac, Send: sc, FilingAddresses: addrs, Log: log,
	}
	engineDir := ""
	if lo.stateDir != "" {
		engineDir = filepath.Join(lo.stateDir, "stepfunctions")
	}
	up.runtime, err = deploy.Start(ctx, deploy.Options{
		Template: lo.template, Dir: engineDir, Addr: "127.0.0.1:" + strconv.Itoa(lo.sfnPort), Deps: deps,
	})
	if err != nil {
		consoleLn.Close()
		return fail(fmt.Errorf("local Step Functions: %w (choose another port with --sfn-port or BREACHFLOW_SFN_PORT)", err))
	}
	os.Setenv("AWS_ENDPOINT_URL_SFN", up.runtime.Endpoint)
	os.Setenv("BREACHFLOW_CASE_TABLE", up.caseTable)
	os.Setenv(envApprovalKeyDir, up.keyDir)

	// The console and the escalation check run as they would in AWS (a
	// function URL and a schedule), here in process.
	bg, cancel := context.WithCancel(context.Background())
	up.cancel = cancel
	up.console = loopback.NewServer(consoleLn, deps.Console(true))
	go up.console.Serve(consoleLn)
	go deps.ApprovalService().EscalateEvery(bg, time.Minute)
	return up, nil
}

// setDefault sets an environment variable unless the user set it.
func setDefault(name, value string) {
	if os.Getenv(name) == "" && value != "" {
		os.Setenv(name, value)
	}
}

func (u *localUp) env() []string {
	// The approvers and the key folder let `breachflow approve` in another
	// terminal cast votes the send stage accepts.
	// The static credentials and region are for the AWS CLI, which, unlike
	// breachflow, does not supply them itself for a loopback endpoint.
	return append(u.stack.Env(), "AWS_ENDPOINT_URL_SFN="+u.runtime.Endpoint, "BREACHFLOW_CASE_TABLE="+u.caseTable,
		"BREACHFLOW_APPROVERS="+os.Getenv("BREACHFLOW_APPROVERS"), envApprovalKeyDir+"="+u.keyDir,
		"AWS_ACCESS_KEY_ID=local", "AWS_SECRET_ACCESS_KEY=local", "AWS_REGION=us-east-1", "AWS_DEFAULT_REGION=us-east-1")
}

func (u *localUp) machineNames() []string {
	var names []string
	for id := range u.runtime.StateMachines {
		names = append(names, id)
	}
	sort.Strings(names)
	return names
}

// Close stops the console, then the engine (it persists waiting
// executions), then the emulators.
func (u *localUp) Close() error {
	var errs []error
	if u.cancel != nil {
		u.cancel()
	}
	if u.console != nil {
		errs = append(errs, u.console.Close())
		u.console = nil
	}
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
