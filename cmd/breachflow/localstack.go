package main

import (
	"breachflow/internal/stage"
	"context"
	"encoding/json"
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
	"syscall"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/logging"

	"breachflow/internal/approval"
	"breachflow/internal/awsenv"
	"breachflow/internal/casetable"
	"breachflow/internal/functions"
	"breachflow/internal/local/deploy"
	"breachflow/internal/local/emulators"
	"breachflow/internal/local/locals3"
	"breachflow/internal/local/loopback"
	"breachflow/internal/local/sam"
	"breachflow/internal/posting"
	"breachflow/internal/usertable"
)

// localOptions are what `local up` and `demo` set beyond the emulators.
type localOptions struct {
	template string
	// envVars is a file of environment overrides, as `sam local invoke
	// --env-vars` takes, over the local stack's own (localEnvFile).
	envVars     string
	sfnPort     int
	consolePort int
	sitePort    int
	// stateDir keeps the engine's executions and the approval key; "" keeps
	// executions in memory (the key then lives in a temporary folder).
	stateDir string
	log      io.Writer
}

// localEnvFile holds the local stack's values of what template.yaml leaves
// to the deployment (approvers, filing addresses) or sets for AWS (the SES
// rate), as environment overrides; it sits in infra/ beside the template.
const localEnvFile = "infra/local-env.json"

const defaultConsole = 8080

// defaultSite is the notice site's port: the company's domain, locally.
const defaultSite = 8008

// localUp is the whole local stack: the emulators, the tables, the template
// deployed on the in-process Step Functions engine, and the console.
type localUp struct {
	stack     *emulators.Stack
	keyDir    string
	runtime   *deploy.Runtime
	console   *http.Server
	consoleAt string
	site      *http.Server
	siteAt    string
	caseTable string
	userTable string
	cancel    context.CancelFunc
	// stageDue is the stage sweeper's handler (StageDueFunction): a ticker
	// runs it as the schedule does in AWS, and tests call it with the time
	// they stand for.
	stageDue functions.Handler[events.EventBridgeEvent, stage.SweepOutput]
}

// localBounceWindow is the local stack's BounceWindowSeconds.
const localBounceWindow = "8"

// startLocal starts everything. Each function reads its settings from the
// environment template.yaml gives it, resolved to local values, with the
// overrides of localEnvFile and lo.envVars over it; nothing else configures
// them. Then this process's environment is set to the lines `local up`
// prints (env), so the CLI commands it runs afterwards see the stack as a
// command in another terminal does.
func startLocal(ctx context.Context, opts emulators.Options, lo localOptions) (*localUp, error) {
	overrides, err := sam.ReadOverrides(filepath.Join(filepath.Dir(lo.template), localEnvFile))
	if err != nil {
		return nil, err
	}
	if lo.envVars != "" {
		theirs, err := sam.ReadOverrides(lo.envVars)
		if err != nil {
			return nil, err
		}
		overrides = overrides.Over(theirs)
	}
	stack, err := emulators.Start(ctx, opts)
	if err != nil {
		return nil, err
	}
	up := &localUp{stack: stack}
	var consoleLn, siteLn net.Listener
	fail := func(err error) (*localUp, error) {
		if consoleLn != nil && up.console == nil {
			consoleLn.Close()
		}
		if siteLn != nil && up.site == nil {
			siteLn.Close()
		}
		up.Close()
		return nil, err
	}
	keyDir := lo.stateDir
	if keyDir == "" {
		if keyDir, err = os.MkdirTemp("", "breachflow-key-"); err != nil {
			return fail(err)
		}
	}
	if up.keyDir, err = filepath.Abs(keyDir); err != nil {
		return fail(err)
	}
	key, err := approval.LocalKey(up.keyDir)
	if err != nil {
		return fail(err)
	}
	consoleLn, err = loopback.Listen("console", "127.0.0.1:"+strconv.Itoa(lo.consolePort))
	if err != nil {
		return fail(fmt.Errorf("approval console: %w (choose another port with --console-port or BREACHFLOW_CONSOLE_PORT)", err))
	}
	up.consoleAt = "http://" + consoleLn.Addr().(*net.TCPAddr).String()
	// The notice site stands for the company's domain: the functions that
	// publish pages and issue links write its address into them.
	siteLn, err = loopback.Listen("notice site", "127.0.0.1:"+strconv.Itoa(lo.sitePort))
	if err != nil {
		return fail(fmt.Errorf("notice site: %w (choose another port with --site-port or BREACHFLOW_SITE_PORT)", err))
	}
	up.siteAt = "http://" + siteLn.Addr().(*net.TCPAddr).String()
	overrides.Set(sam.Shared, "NOTICE_SITE_URL", up.siteAt)
	mapping, err := json.Marshal(usertable.DefaultMapping())
	if err != nil {
		return fail(err)
	}

	// The functions' clients take their endpoints from their environment;
	// this configuration gives them region, credentials and logging.
	endpoints := map[string]string{}
	for _, kv := range stack.Env() {
		k, v, _ := strings.Cut(kv, "=")
		endpoints[k] = v
		os.Setenv(k, v) // for the tables below, made with this process's own clients
	}
	cfg, err := awsenv.Load(ctx)
	if err != nil {
		return fail(err)
	}
	if lo.log != nil {
		cfg.Logger = logging.NewStandardLogger(lo.log) // the SDK's warnings too
	}
	// The functions log as they would in Lambda; locally that goes to the
	// --verbose writer or nowhere, never into the command's own output.
	log := slog.New(slog.DiscardHandler)
	if lo.log != nil {
		log = slog.New(slog.NewJSONHandler(lo.log, nil))
	}
	slog.SetDefault(log)
	engineDir := ""
	if lo.stateDir != "" {
		engineDir = filepath.Join(lo.stateDir, "stepfunctions")
	}
	up.runtime, err = deploy.Start(ctx, deploy.Options{
		Template: lo.template, Dir: engineDir, Addr: "127.0.0.1:" + strconv.Itoa(lo.sfnPort),
		// What only a deployment decides: the case table's name, the
		// console's URL, and the synthetic user table that `seed` writes.
		Local: map[string]string{
			"CaseTable": defaultCaseTable, "ConsoleFunctionUrl.FunctionUrl": up.consoleAt, "UserMapping": string(mapping),
			"NoticeBucket": emulators.NoticeBucket,
			// No real mailbox bounces locally: the SMS fallback's second
			// round waits seconds, not SES's minutes.
			"BounceWindowSeconds": localBounceWindow,
		},
		Env: overrides, Endpoints: endpoints, ApprovalKey: key, AWS: cfg, Log: log,
	})
	if errors.Is(err, syscall.EADDRINUSE) {
		return fail(fmt.Errorf("local Step Functions: %w (choose another port with --sfn-port or BREACHFLOW_SFN_PORT)", err))
	}
	if err != nil {
		// A function's configuration (template.yaml, infra/local-env.json,
		// --env-vars) or the template itself: no port would help.
		return fail(fmt.Errorf("local Step Functions: %w", err))
	}

	// The tables the functions read, as their environment names them.
	scope := up.runtime.Functions[functions.Scope.LogicalID]
	up.caseTable, up.userTable = scope.Environment["CASE_TABLE"], scope.Environment["USER_TABLE"]
	m, err := usertable.LoadMapping(scope.Environment["USER_MAPPING"])
	if err != nil {
		return fail(err)
	}
	db := dynamodb.NewFromConfig(cfg)
	if err := casetable.CreateTable(ctx, db, up.caseTable); err != nil {
		return fail(err)
	}
	if err := usertable.CreateTable(ctx, db, up.userTable, m); err != nil {
		return fail(err)
	}

	// The console and the escalation check run as they would in AWS (a
	// function URL and a schedule), here in process, each from its own
	// function's environment.
	con := up.runtime.Functions[functions.Console.LogicalID]
	cs, err := functions.Console.Env(ctx, con.Lookup, con.Clients.AWS)
	if err != nil {
		return fail(err)
	}
	esc := up.runtime.Functions[functions.ApprovalEscalate.LogicalID]
	es, err := functions.ApprovalEscalate.Env(ctx, esc.Lookup, esc.Clients.AWS)
	if err != nil {
		return fail(err)
	}
	// The notice site serves the bucket's pages (CloudFront's S3 origin in
	// AWS) and the link pages, from the link function's own environment.
	nl := up.runtime.Functions[functions.NoticeLink.LogicalID]
	ns, err := functions.NoticeLink.Env(ctx, nl.Lookup, nl.Clients.AWS)
	if err != nil {
		return fail(err)
	}
	up.site = loopback.NewServer(siteLn, locals3.Site(s3.NewFromConfig(nl.Clients.AWS), ns.Bucket, posting.LinkPath, functions.LinkPages(ns, nl.Clients)))
	go up.site.Serve(siteLn)
	bg, cancel := context.WithCancel(context.Background())
	up.cancel = cancel
	up.console = loopback.NewServer(consoleLn, functions.ConsoleHandler(cs, con.Clients))
	go up.console.Serve(consoleLn)
	go functions.ApprovalService(es, esc.Clients).EscalateEvery(bg, time.Minute)
	sd := up.runtime.Functions[functions.StageDue.LogicalID]
	if up.stageDue, err = functions.StageDue.New(ctx, sd.Lookup, sd.Clients); err != nil {
		return fail(err)
	}
	go sweepStages(bg, up.stageDue, time.Minute)

	// Delivery receipts of texts: the local SMS endpoint hands each text's
	// event to the SmsEventsFunction, as the SMS configuration set's event
	// destination and its SNS topic do in AWS.
	smsEvents := up.runtime.Functions[functions.SmsEvents.LogicalID]
	if set := up.runtime.Functions[functions.Send.LogicalID].Environment["SMS_CONFIGURATION_SET"]; set != "" {
		stack.SMSServer.AddConfigurationSet(set)
	}
	stack.SetSMSEvents(func(ctx context.Context, ev []byte) {
		if _, err := smsEvents.Invoke(ctx, ev); err != nil {
			log.Warn("sms event not filed", "function", functions.SmsEvents.LogicalID, "error", err)
		}
	})

	for _, kv := range up.env() {
		k, v, _ := strings.Cut(kv, "=")
		os.Setenv(k, v)
	}
	return up, nil
}

// approvers are the approvers the approval functions were configured with.
func (u *localUp) approvers() string {
	return u.runtime.Functions[functions.ApprovalRequest.LogicalID].Environment["BREACHFLOW_APPROVERS"]
}

// env is every line another terminal needs to drive the stack, as `local
// up` prints them.
func (u *localUp) env() []string {
	// The approvers, the quorum and the key folder let `breachflow approve`
	// cast votes the send stage accepts. The static credentials and region
	// are for the AWS CLI, which, unlike breachflow, does not supply them
	// itself for a loopback endpoint.
	approvals := u.runtime.Functions[functions.ApprovalRequest.LogicalID].Environment
	return append(u.stack.Env(), "AWS_ENDPOINT_URL_SFN="+u.runtime.Endpoint,
		"CASE_TABLE="+u.caseTable, "USER_TABLE="+u.userTable,
		"NOTICE_BUCKET="+emulators.NoticeBucket, "NOTICE_SITE_URL="+u.siteAt,
		"BREACHFLOW_APPROVERS="+approvals["BREACHFLOW_APPROVERS"],
		"BREACHFLOW_APPROVALS_REQUIRED="+approvals["BREACHFLOW_APPROVALS_REQUIRED"],
		envApprovalKeyDir+"="+u.keyDir,
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
	if u.site != nil {
		errs = append(errs, u.site.Close())
		u.site = nil
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

// sweepStages runs the stage sweeper now and at every interval until ctx
// ends: the local stand-in for StageDueFunction's schedule. A failed sweep
// is retried at the next tick (its claims make reruns safe).
func sweepStages(ctx context.Context, sweep functions.Handler[events.EventBridgeEvent, stage.SweepOutput], interval time.Duration) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		sweep(ctx, events.EventBridgeEvent{Time: time.Now()})
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
