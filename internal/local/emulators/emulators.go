package emulators

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"breachflow/internal/audit"
	"breachflow/internal/local/localkms"
	"breachflow/internal/local/locals3"
	"breachflow/internal/local/localsms"
)

// Default ports, as DESIGN.md fixes them.
const (
	DefaultDynamoDBPort = 8000
	DefaultSESPort      = 8005
	DefaultKMSPort      = 8006
	DefaultSMSPort      = 8007
	DefaultS3Port       = 8009
)

// NoticeBucket is the local notice bucket's name (template.yaml's
// NoticeBucket), created versioned when the stack starts.
const NoticeBucket = "breachflow-notices"

// Options says where and how to run the emulators.
type Options struct {
	// InfraDir holds infra/node_modules. Empty: $BREACHFLOW_INFRA, else the
	// infra folder of the module that contains the working directory.
	InfraDir string
	// DynamoDBPort and SESPort are the ports to bind on 127.0.0.1; 0 picks a
	// free one.
	DynamoDBPort, SESPort int
	// DataDir, when set, keeps DynamoDB data on disk there, so it survives a
	// restart of the stack. Empty keeps it in memory.
	DataDir string
	// SES, when set, is the URL of an SES v2 emulator already running on
	// loopback, which the stack uses instead of starting its own. The SES
	// emulator keeps its mailbox in memory only: a crash test that kills
	// the stack keeps the mailbox outside it, as AWS's SES is outside a
	// crashed Lambda.
	SES string
	// KMSPort is the local KMS's port on 127.0.0.1; 0 picks a free one.
	KMSPort int
	// KMSDir keeps the local KMS's keys (the audit key) across restarts.
	// Empty: the folder "kms" beside DataDir when DataDir is set, else a
	// temporary folder.
	KMSDir string
	// SMSPort is the local SMS endpoint's port on 127.0.0.1; 0 picks a free
	// one.
	SMSPort int
	// SMSConfigurationSets are the configuration sets the local SMS
	// account has; texts that name one get delivery receipts (SetSMSEvents).
	SMSConfigurationSets []string
	// S3Port is the local S3's port on 127.0.0.1; 0 picks a free one.
	S3Port int
	// Log receives the emulators' own output; nil discards it.
	Log io.Writer
	// StartTimeout bounds the wait for each emulator to answer (default 20 s).
	StartTimeout time.Duration
}

// Stack is a running set of emulators.
type Stack struct {
	// DynamoDB and SES are the endpoints, e.g. "http://127.0.0.1:8000".
	DynamoDB, SES string
	// KMS is the local KMS's endpoint; its audit key exists (AuditKeyARN).
	KMS string
	// AuditKeyARN is the audit key behind audit.DefaultKey.
	AuditKeyARN string
	// SMS is the local End User Messaging SMS endpoint (package localsms),
	// in process; SMSServer lists what it accepted.
	SMS       string
	SMSServer *localsms.Server
	// S3 is the local S3's endpoint; NoticeBucket exists, versioned.
	S3    string
	s3    *locals3.Server
	procs []*process
	kms   *localkms.Server
}

// Start runs dynalite and aws-ses-v2-local and returns once both answer. On
// error nothing it started is left running.
func Start(ctx context.Context, opts Options) (*Stack, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, errors.New("node not found on PATH: install Node.js 20 or newer; the local stack runs dynalite and aws-ses-v2-local on it")
	}
	infra, err := findInfra(opts.InfraDir)
	if err != nil {
		return nil, err
	}
	if opts.StartTimeout == 0 {
		opts.StartTimeout = 20 * time.Second
	}
	if opts.SES != "" {
		if err := loopbackURL(opts.SES); err != nil {
			return nil, fmt.Errorf("SES endpoint: %w", err)
		}
	}
	s := &Stack{}
	fail := func(err error) (*Stack, error) {
		s.Close()
		return nil, err
	}

	dport, err := reservePort("DynamoDB", opts.DynamoDBPort, "BREACHFLOW_DYNAMODB_PORT")
	if err != nil {
		return fail(err)
	}
	dargs := []string{script(infra, "dynalite", "cli.js"), "--host", "127.0.0.1", "--port", strconv.Itoa(dport), "--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0"}
	if opts.DataDir != "" {
		if err := os.MkdirAll(opts.DataDir, 0o700); err != nil {
			return fail(fmt.Errorf("dynamodb data dir: %w", err))
		}
		dargs = append(dargs, "--path", opts.DataDir)
	}
	s.DynamoDB = "http://127.0.0.1:" + strconv.Itoa(dport)
	p, err := startProcess(ctx, "dynalite", node, dargs, nil, opts.Log)
	if err != nil {
		return fail(err)
	}
	s.procs = append(s.procs, p)

	sport := 0
	if opts.SES != "" {
		s.SES = strings.TrimSuffix(opts.SES, "/")
	} else {
		if sport, err = reservePort("SES", opts.SESPort, "BREACHFLOW_SES_PORT"); err != nil {
			return fail(err)
		}
		s.SES = "http://127.0.0.1:" + strconv.Itoa(sport)
		sargs := []string{script(infra, "aws-ses-v2-local", "dist", "cli.js"), "--host", "127.0.0.1", "--port", strconv.Itoa(sport)}
		p, err = startProcess(ctx, "aws-ses-v2-local", node, sargs, []string{"AWS_SES_ACCOUNT=" + sesAccount}, opts.Log)
		if err != nil {
			return fail(err)
		}
		s.procs = append(s.procs, p)
	}

	// Ready means: this child says it listens on its port, and the port
	// answers. The first half matters when tests run in parallel: another
	// binary's emulator could hold the port this child failed to bind, and
	// would answer for it until that binary exits.
	dready := both(s.procs[0].said(fmt.Sprintf("listening at: http://127.0.0.1:%d", dport)), dynamoReady(s.DynamoDB))
	if err := s.procs[0].waitReady(ctx, opts.StartTimeout, dready); err != nil {
		return fail(err)
	}
	if opts.SES != "" {
		if err := httpReady(s.SES + "/health-check")(ctx); err != nil {
			return fail(fmt.Errorf("SES at %s does not answer: %w", s.SES, err))
		}
		return s, s.startKMS(ctx, opts)
	}
	sready := both(s.procs[1].said(fmt.Sprintf("server running at http://localhost:%d", sport)), httpReady(s.SES+"/health-check"))
	if err := s.procs[1].waitReady(ctx, opts.StartTimeout, sready); err != nil {
		return fail(err)
	}
	return s, s.startKMS(ctx, opts)
}

// startKMS serves the local KMS in process and makes sure the audit key
// exists behind its alias. On error the whole stack is closed.
func (s *Stack) startKMS(ctx context.Context, opts Options) error {
	dir := opts.KMSDir
	if dir == "" && opts.DataDir != "" {
		dir = filepath.Join(filepath.Dir(opts.DataDir), "kms")
	}
	var err error
	if s.kms, err = localkms.Start("127.0.0.1:"+strconv.Itoa(opts.KMSPort), dir, opts.Log); err != nil {
		s.Close()
		return fmt.Errorf("local KMS: %w (choose another port with BREACHFLOW_KMS_PORT)", err)
	}
	s.KMS = s.kms.Endpoint
	c := kms.New(kms.Options{
		Region: localkms.Region, BaseEndpoint: aws.String(s.KMS),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", ""),
	})
	if s.AuditKeyARN, err = localkms.EnsureSigningKey(ctx, c, audit.DefaultKey); err != nil {
		s.Close()
		return fmt.Errorf("local KMS: %w", err)
	}
	// No emulator of End User Messaging SMS exists (package localsms says
	// which were tried); the stack serves its own, in process. It accepts
	// every origination identity, as an account that has them all: which
	// identity sends to which country is breachflow's configuration
	// (SMS_SENDERS), checked before a text leaves.
	if s.SMSServer, err = localsms.Start(localsms.Options{Addr: "127.0.0.1:" + strconv.Itoa(opts.SMSPort), ConfigurationSets: opts.SMSConfigurationSets}); err != nil {
		s.Close()
		return fmt.Errorf("local SMS: %w (choose another port with BREACHFLOW_SMS_PORT)", err)
	}
	s.SMS = s.SMSServer.Endpoint
	return s.startS3(ctx, opts)
}

// SetSMSEvents sends the local SMS endpoint's delivery receipts to fn, as a
// configuration set's event destination sends them in AWS.
func (s *Stack) SetSMSEvents(fn func(ctx context.Context, event []byte)) {
	if s.SMSServer != nil {
		s.SMSServer.SetEvents(fn)
	}
}

// startS3 serves the local S3 in process and creates the notice bucket.
// On error the whole stack is closed.
func (s *Stack) startS3(ctx context.Context, opts Options) error {
	var err error
	if s.s3, err = locals3.Start("127.0.0.1:" + strconv.Itoa(opts.S3Port)); err != nil {
		s.Close()
		return fmt.Errorf("local S3: %w (choose another port with BREACHFLOW_S3_PORT)", err)
	}
	s.S3 = s.s3.Endpoint
	if err := locals3.EnsureBucket(ctx, s.S3Client(), NoticeBucket); err != nil {
		s.Close()
		return fmt.Errorf("local S3: %w", err)
	}
	return nil
}

// S3Client is a client of the local S3, as the functions make theirs.
func (s *Stack) S3Client() *s3.Client {
	return s3.New(s3.Options{
		Region: localkms.Region, BaseEndpoint: aws.String(s.S3),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", ""),
	})
}

// loopbackURL accepts an http URL whose host is a loopback address.
func loopbackURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	host := u.Hostname()
	if host == "localhost" {
		host = "127.0.0.1"
	}
	if ip := net.ParseIP(host); u.Scheme != "http" || ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%q is not an http URL on loopback", raw)
	}
	return nil
}

// sesAccount is what the SES emulator answers to GetAccount: a production
// account with the common starting grant (research/LIMITS.md), so code that
// reads the account's rate sees a realistic one.
const sesAccount = `{"ProductionAccessEnabled":true,"SendQuota":{"Max24HourSend":50000,"MaxSendRate":14,"SentLast24Hours":0},"SendingEnabled":true}`

// Env returns the SDK endpoint variables that point clients at this stack.
func (s *Stack) Env() []string {
	return []string{
		"AWS_ENDPOINT_URL_DYNAMODB=" + s.DynamoDB,
		"AWS_ENDPOINT_URL_SESV2=" + s.SES,
		"AWS_ENDPOINT_URL_KMS=" + s.KMS,
		"AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2=" + s.SMS,
		"AWS_ENDPOINT_URL_S3=" + s.S3,
	}
}

// Close stops every emulator and waits for it to exit. It is safe to call
// more than once.
func (s *Stack) Close() error {
	var errs []error
	for i := len(s.procs) - 1; i >= 0; i-- {
		errs = append(errs, s.procs[i].stop())
	}
	s.procs = nil
	errs = append(errs, s.kms.Close())
	s.kms = nil
	if s.SMSServer != nil {
		errs = append(errs, s.SMSServer.Close())
		s.SMSServer = nil
	}
	errs = append(errs, s.s3.Close())
	s.s3 = nil
	return errors.Join(errs...)
}

// Checkout returns the breachflow checkout the working directory is in: the
// nearest folder above it that holds go.mod.
func Checkout() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod above %s: run inside the breachflow checkout", wd)
		}
	}
}

// findInfra locates the folder whose node_modules holds the emulators.
func findInfra(dir string) (string, error) {
	if dir == "" {
		dir = os.Getenv("BREACHFLOW_INFRA")
	}
	if dir == "" {
		root, err := Checkout()
		if err != nil {
			return "", fmt.Errorf("cannot find infra/: %w, or set BREACHFLOW_INFRA", err)
		}
		dir = filepath.Join(root, "infra")
	}
	for _, pkg := range []string{"dynalite", "aws-ses-v2-local"} {
		if _, err := os.Stat(filepath.Join(dir, "node_modules", pkg, "package.json")); err != nil {
			return "", fmt.Errorf("%s is not installed in %s: run `make deps` (npm ci in infra/)", pkg, dir)
		}
	}
	return dir, nil
}

func script(infra string, parts ...string) string {
	return filepath.Join(append([]string{infra, "node_modules"}, parts...)...)
}

// reservePort checks that port is free on 127.0.0.1, or picks a free one
// when port is 0. A picked port comes from 20000-29999, below the kernel's
// ephemeral range, so no outgoing connection takes it between this check
// and the emulator's bind; a parallel picker that draws the same one loses
// at bind, which the readiness check (the child's own "listening" line)
// turns into an error instead of a shared emulator.
func reservePort(what string, port int, envVar string) (int, error) {
	if port == 0 {
		for range 50 {
			p := 20000 + rand.IntN(10000)
			if l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p))); err == nil {
				l.Close()
				return p, nil
			}
		}
	}
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return 0, fmt.Errorf("%s port %d on 127.0.0.1 is taken (is another `breachflow local up` running?): stop that process or choose another port with %s: %w", what, port, envVar, err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// PIDs returns the process ids of the running emulators.
func (s *Stack) PIDs() []int {
	var pids []int
	for _, p := range s.procs {
		pids = append(pids, p.cmd.Process.Pid)
	}
	return pids
}
