// Package localtest gives integration tests the real local emulators.
//
// A test package that uses it declares
//
//	func TestMain(m *testing.M) { os.Exit(localtest.Main(m)) }
//
// and then calls DynamoDB(t), SES(t) or Audit(t, table) in its tests. The
// first call starts the emulators (dynalite and aws-ses-v2-local, on free
// ports of 127.0.0.1, and the in-process KMS with the audit key)
// once for the whole test binary and points the SDK's standard endpoint
// variables at them; Main stops them when the tests are done. If an emulator
// cannot start the test fails: integration tests never skip, because a
// silent skip under `make test` would hide exactly what they exist to check.
//
// Files that use it carry the `integration` build tag, so plain `go test
// ./...` runs unit tests only.
package localtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"breachflow/internal/audit"
	"breachflow/internal/awsenv"
	"breachflow/internal/casetable"
	"breachflow/internal/local/emulators"
	"breachflow/internal/local/locals3"
)

var (
	mu      sync.Mutex
	stack   *emulators.Stack
	started error
	once    bool
)

// Main runs the tests and then stops the emulators, if any test started them.
func Main(m *testing.M) int {
	code := m.Run()
	mu.Lock()
	defer mu.Unlock()
	if stack != nil {
		stack.Close()
	}
	return code
}

// Stack returns the running emulators, starting them on first use.
func Stack(t testing.TB) *emulators.Stack {
	t.Helper()
	mu.Lock()
	defer mu.Unlock()
	if !once {
		once = true
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		opts := emulators.Options{}
		if os.Getenv("BREACHFLOW_EMULATOR_LOG") != "" {
			opts.Log = os.Stderr // the emulators' own output, to diagnose a crash
		}
		stack, started = emulators.Start(ctx, opts)
		if started == nil {
			for _, kv := range stack.Env() {
				k, v, _ := strings.Cut(kv, "=")
				os.Setenv(k, v)
			}
		}
	}
	if started != nil {
		t.Fatalf("local emulators could not start: %v", started)
	}
	return stack
}

// Config returns an SDK configuration that points at the emulators.
func Config(t testing.TB) aws.Config {
	t.Helper()
	Stack(t)
	cfg, err := awsenv.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// DynamoDB returns a client of the dynalite emulator.
func DynamoDB(t testing.TB) *dynamodb.Client {
	t.Helper()
	return dynamodb.NewFromConfig(Config(t))
}

// SES returns a client of the SES emulator and its mailbox.
func SES(t testing.TB) (*sesv2.Client, emulators.Mailbox) {
	t.Helper()
	s := Stack(t)
	return sesv2.NewFromConfig(Config(t)), emulators.Mailbox{URL: s.SES}
}

// S3 returns a client of the local S3 (through the SDK's endpoint
// variables, as the functions make theirs) and a fresh versioned bucket.
func S3(t testing.TB) (*s3.Client, string) {
	t.Helper()
	c := s3.NewFromConfig(Config(t))
	bucket := TableName(t, "notices")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := locals3.EnsureBucket(ctx, c, bucket); err != nil {
		t.Fatal(err)
	}
	return c, bucket
}

// Audit returns the audit log of table, signed by the local KMS's audit key
// (the emulators create it), as the functions sign it.
func Audit(t testing.TB, table string) audit.Log {
	t.Helper()
	return audit.NewLog(Config(t), table, "")
}

// NewTable creates a case table with a fresh name, so tests do not see each
// other's items, and returns its name.
func NewTable(t testing.TB, db *dynamodb.Client) string {
	t.Helper()
	name := TableName(t, "cases")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := casetable.CreateTable(ctx, db, name); err != nil {
		t.Fatal(err)
	}
	return name
}

// TableName returns a unique table name with the given prefix.
func TableName(t testing.TB, prefix string) string {
	t.Helper()
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return prefix + "-" + hex.EncodeToString(b[:])
}
