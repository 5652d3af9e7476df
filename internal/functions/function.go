package functions

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"breachflow/internal/audit"
	"breachflow/internal/cases"
	"breachflow/internal/lambdamain"
)

// Function is one AWS::Serverless::Function of template.yaml, with S the
// settings its handler is built from besides its clients.
type Function[S any] struct {
	// LogicalID is the function's logical id in template.yaml.
	LogicalID string
	// Env reads the settings from the process environment (what
	// template.yaml sets) once at cold start; aws serves what the
	// environment only names, such as the approval key's secret.
	Env func(ctx context.Context, aws aws.Config) (S, error)
	// Build assembles the handler, a value lambda.NewHandler accepts.
	Build func(ctx context.Context, s S, c Clients) (any, error)
	// GCPercent is the function's GOGC in Lambda (lambdamain.TuneGC); 0
	// keeps Go's default.
	GCPercent int
}

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

// Start is the function's main in Lambda: settings from the environment,
// the handler built once, then lambda.Start. A failure before that ends
// the cold start with the error logged.
func (f Function[S]) Start() {
	// lambdamain reads no struct of its own here: the settings are Env's
	// to read, the same Env that localrun's drift test runs.
	lambdamain.Start(&struct{}{}, func(ctx context.Context, _ *struct{}, cfg aws.Config, log *slog.Logger) (any, error) {
		if f.GCPercent > 0 {
			gc, err := lambdamain.TuneGC(f.GCPercent, os.LookupEnv)
			if err != nil {
				return nil, fmt.Errorf("garbage collector: %w", err)
			}
			log.Info("garbage collector", "gogc", gc.Percent, "memory_limit_bytes", gc.MemoryLimit, "from_env", gc.FromEnv)
		}
		s, err := f.Env(ctx, cfg)
		if err != nil {
			return nil, fmt.Errorf("configuration: %w", err)
		}
		return f.Build(ctx, s, Clients{AWS: cfg, Log: log, Metrics: os.Stdout})
	})
}

// fromEnv reads a settings type whose fields carry their own `env` tags
// (see lambdamain.Load).
func fromEnv[S any](context.Context, aws.Config) (S, error) {
	var s S
	if err := lambdamain.Load(&s, os.LookupEnv); err != nil {
		var zero S
		return zero, err
	}
	return s, nil
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

// Table is the settings of a function that needs only the case table.
type Table struct {
	CaseTable string `env:"CASE_TABLE"`
}

func (t Table) cases(db *dynamodb.Client) *cases.Store {
	return &cases.Store{DB: db, Table: t.CaseTable}
}
func (t Table) audit(db *dynamodb.Client) audit.Log { return audit.Log{DB: db, Table: t.CaseTable} }
