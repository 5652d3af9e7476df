package approval_test

import (
	"context"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"breachflow/internal/approval"
	"breachflow/internal/approval/approvaltest"
	"breachflow/internal/audit"
)

// tasks records what the service told Step Functions.
type tasks struct {
	mu        sync.Mutex
	successes []*sfn.SendTaskSuccessInput
	failures  []*sfn.SendTaskFailureInput
}

func (f *tasks) SendTaskSuccess(_ context.Context, in *sfn.SendTaskSuccessInput, _ ...func(*sfn.Options)) (*sfn.SendTaskSuccessOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.successes = append(f.successes, in)
	return &sfn.SendTaskSuccessOutput{}, nil
}

func (f *tasks) SendTaskFailure(_ context.Context, in *sfn.SendTaskFailureInput, _ ...func(*sfn.Options)) (*sfn.SendTaskFailureOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failures = append(f.failures, in)
	return &sfn.SendTaskFailureOutput{}, nil
}

// mailer records sent emails.
type mailer struct {
	mu   sync.Mutex
	sent []*sesv2.SendEmailInput
}

func (m *mailer) SendEmail(_ context.Context, in *sesv2.SendEmailInput, _ ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, in)
	return &sesv2.SendEmailOutput{MessageId: aws.String("m")}, nil
}

var linkRE = regexp.MustCompile(`http://console\.test/a/([A-Za-z0-9_.-]+)`)

// links returns the link token emailed to each address.
func (m *mailer) links() map[string]string {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]string{}
	for _, in := range m.sent {
		if sub := linkRE.FindStringSubmatch(aws.ToString(in.Content.Simple.Body.Text.Data)); sub != nil {
			out[in.Destination.ToAddresses[0]] = sub[1]
		}
	}
	return out
}

// auditLog records appended entries per case, unchained.
type auditLog struct {
	mu      sync.Mutex
	records []audit.Record
}

func (a *auditLog) Append(_ context.Context, caseID string, rec audit.Record) (audit.Entry, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.records = append(a.records, rec)
	return audit.Entry{CaseID: caseID, Seq: int64(len(a.records)), Actor: rec.Actor, Action: rec.Action}, nil
}

func (a *auditLog) actions() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []string
	for _, r := range a.records {
		out = append(out, r.Action)
	}
	return out
}

const (
	alice = "alice@corp.example"
	bob   = "bob@corp.example"
	carol = "carol@corp.example" // the submitter in most tests
	dave  = "dave@corp.example"
)

// env is a service wired to fakes, with a clock and hashes tests can move.
type env struct {
	svc    *approval.Service
	store  *approvaltest.MemStore
	tasks  *tasks
	mail   *mailer
	audit  *auditLog
	now    time.Time
	hashes approval.Hashes
}

var t0 = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{store: approvaltest.NewMemStore(), tasks: &tasks{}, mail: &mailer{}, audit: &auditLog{}, now: t0,
		hashes: approval.Hashes{Content: "content-h1", RecipientSet: "recipients-h1"}}
	e.svc = &approval.Service{
		Config: approval.Config{
			Approvers: []string{alice, bob, carol}, Key: []byte("0123456789abcdef0123456789abcdef"),
			ConsoleURL: "http://console.test", From: "approvals@corp.example",
			EscalateTo: []string{"ciso@corp.example"}, Margins: []time.Duration{24 * time.Hour, 6 * time.Hour},
		},
		Store: e.store, Tasks: e.tasks, Mail: e.mail, Audit: e.audit,
		Current: func(context.Context, string) (approval.Hashes, error) { return e.hashes, nil },
		Now:     func() time.Time { return e.now },
	}
	return e
}

// open makes a request for case c1 submitted by carol, due in three days.
func (e *env) open(t *testing.T) approval.OpenOutput {
	t.Helper()
	out, err := e.svc.Open(context.Background(), approval.OpenInput{
		CaseID: "c1", TaskToken: "token-1", ContentHash: "content-h1", RecipientSetHash: "recipients-h1",
		Deadlines: []approval.Deadline{{ID: "KR-PIPA/regulator", DueAt: t0.Add(72 * time.Hour)}, {ID: "GDPR/sa", DueAt: t0.Add(48 * time.Hour)}},
		Submitter: carol,
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
