package functions

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"breachflow/internal/audit"
	"breachflow/internal/awsenv"
	"breachflow/internal/cases"
	"breachflow/internal/envconfig"
	"breachflow/internal/lambdamain"
)

// Function is one AWS::Serverless::Function of template.yaml. S is the
// settings its handler is built from besides its clients; In and Out are
// the handler's event and result, so a Build whose handler has any other
// signature does not compile.
type Function[S, In, Out any] struct {
	// LogicalID is the function's logical id in template.yaml.
	LogicalID string
	// Env reads the settings once at cold start through lookup: the
	// variables template.yaml gives the function (os.LookupEnv in Lambda;
	// the local stack resolves the same variables from the template). aws
	// serves what a variable only names, such as the approval key's secret.
	Env func(ctx context.Context, lookup envconfig.Lookup, aws aws.Config) (S, error)
	// Build assembles the handler from the settings and the clients.
	Build func(ctx context.Context, s S, c Clients) (Handler[In, Out], error)
	// GCPercent is the function's GOGC in Lambda (lambdamain.TuneGC); 0
	// keeps Go's default.
	GCPercent int
}

// Handler is a Lambda handler of event In and result Out: what
// lambda.NewHandler runs through its JSON path.
type Handler[In, Out any] func(ctx context.Context, in In) (Out, error)

// Clients are what a handler talks to and writes to besides its settings.
type Clients struct {
	// AWS configures every SDK client the handler builds.
	AWS aws.Config
	// Log is the function's logger; nil discards.
	Log *slog.Logger
	// Metrics receives CloudWatch embedded-metric lines: standard output in
	// Lambda, where CloudWatch Logs picks them up; nil discards them.
	Metrics io.Writer
}

// Any is a Function of whatever types, as the local stack keeps them all in
// one list (All).
type Any interface {
	// ID is the function's logical id in template.yaml.
	ID() string
	// NewHandler is the handler built from the environment lookup gives,
	// wrapped by lambda.NewHandler: what the local stack invokes.
	NewHandler(ctx context.Context, lookup envconfig.Lookup, c Clients) (lambda.Handler, error)
}

// ID returns the logical id.
func (f Function[S, In, Out]) ID() string { return f.LogicalID }

// New is the cold start: the settings read through lookup, then the
// handler built from them. Lambda (Start) and the local stack both call it.
func (f Function[S, In, Out]) New(ctx context.Context, lookup envconfig.Lookup, c Clients) (Handler[In, Out], error) {
	s, err := f.Env(ctx, lookup, c.AWS)
	if err != nil {
		return nil, fmt.Errorf("%s configuration: %w", f.LogicalID, err)
	}
	return f.Build(ctx, s, c)
}

// NewHandler is New wrapped by lambda.NewHandler.
func (f Function[S, In, Out]) NewHandler(ctx context.Context, lookup envconfig.Lookup, c Clients) (lambda.Handler, error) {
	h, err := f.New(ctx, lookup, c)
	if err != nil {
		return nil, err
	}
	return lambda.NewHandler(h), nil
}

// Start is the function's main in Lambda: the settings from the process
// environment, the handler built once, then lambda.Start. A failure before
// that ends the cold start with the error logged, so Lambda reports a failed
// start instead of a handler that fails on every call.
func (f Function[S, In, Out]) Start() {
	log := lambdacontext.NewLogger()
	slog.SetDefault(log)
	h, err := f.coldStart(context.Background(), log)
	if err != nil {
		log.Error("cold start", "error", err)
		os.Exit(1)
	}
	lambda.Start(h)
}

func (f Function[S, In, Out]) coldStart(ctx context.Context, log *slog.Logger) (Handler[In, Out], error) {
	if f.GCPercent > 0 {
		gc, err := lambdamain.TuneGC(f.GCPercent, os.LookupEnv)
		if err != nil {
			return nil, fmt.Errorf("garbage collector: %w", err)
		}
		log.Info("garbage collector", "gogc", gc.Percent, "memory_limit_bytes", gc.MemoryLimit, "from_env", gc.FromEnv)
	}
	cfg, err := awsenv.Load(ctx)
	if err != nil {
		return nil, err
	}
	return f.New(ctx, os.LookupEnv, Clients{AWS: cfg, Log: log, Metrics: os.Stdout})
}

// fromEnv reads a settings type whose fields carry their own `env` tags
// (see envconfig.Load).
func fromEnv[S any](_ context.Context, lookup envconfig.Lookup, _ aws.Config) (S, error) {
	var s S
	if err := envconfig.Load(&s, lookup); err != nil {
		var zero S
		return zero, err
	}
	return s, nil
}

// secrets reads a secret through a Secrets Manager client made on first
// use: in Lambda that is the cold start; in the local stack, which gives
// the approval key directly, never, so no client exists there that could
// reach AWS.
type secrets struct{ aws aws.Config }

// GetSecretValue reads the secret through a client made for the call.
func (s secrets) GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	return secretsmanager.NewFromConfig(s.aws).GetSecretValue(ctx, in, opts...)
}

func (c Clients) log() *slog.Logger {
	if c.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return c.Log
}

func (c Clients) metrics() io.Writer {
	if c.Metrics == nil {
		return io.Discard
	}
	return c.Metrics
}

func (c Clients) db(opts ...func(*dynamodb.Options)) *dynamodb.Client {
	return dynamodb.NewFromConfig(c.AWS, opts...)
}

// Table is the settings of a function that needs only the case table (and,
// if it appends to a case's audit log, the audit key that signs it).
type Table struct {
	CaseTable string `env:"CASE_TABLE"`
	// AuditKey is the audit key's id or alias (template.yaml sets it on
	// the functions that append); empty means audit.DefaultKey.
	AuditKey string `env:"AUDIT_KEY_ID,optional"`
}

func (t Table) cases(db *dynamodb.Client) *cases.Store {
	return &cases.Store{DB: db, Table: t.CaseTable}
}
func (t Table) audit(c Clients) audit.Log { return audit.NewLog(c.AWS, t.CaseTable, t.AuditKey) }

// All are the functions template.yaml declares. The local stack deploys
// each of them, and its tests hold this list and the template in step.
var All = []Any{
	Intake, Scope, Aggregate, Assess, Draft,
	ApprovalRequest, ApprovalEscalate, Console,
	Publish, NoticeLink,
	Send, SesEvents, SmsEvents, ReconcileShard, Reconcile,
	Stage, StageDue,
}
