package console_test

import (
	"context"
	"net/http/httptest"
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
	"breachflow/internal/console"
)

const (
	alice     = "alice@corp.example"
	bob       = "bob@corp.example"
	submitter = "carol@corp.example"
)

// tasks records what the console's decisions told Step Functions.
type tasks struct {
	mu        sync.Mutex
	successes []*sfn.SendTaskSuccessInput
	failures  []*sfn.SendTaskFailureInput
	done      chan string // receives the output of each success
}

func (f *tasks) SendTaskSuccess(_ context.Context, in *sfn.SendTaskSuccessInput, _ ...func(*sfn.Options)) (*sfn.SendTaskSuccessOutput, error) {
	f.mu.Lock()
	f.successes = append(f.successes, in)
	f.mu.Unlock()
	select {
	case f.done <- aws.ToString(in.Output):
	default:
	}
	return &sfn.SendTaskSuccessOutput{}, nil
}

func (f *tasks) SendTaskFailure(_ context.Context, in *sfn.SendTaskFailureInput, _ ...func(*sfn.Options)) (*sfn.SendTaskFailureOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failures = append(f.failures, in)
	return &sfn.SendTaskFailureOutput{}, nil
}

func (f *tasks) count() (int, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.successes), len(f.failures)
}

type mailer struct {
	mu   sync.Mutex
	text map[string]string // last body per recipient
}

func (m *mailer) SendEmail(_ context.Context, in *sesv2.SendEmailInput, _ ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.text[in.Destination.ToAddresses[0]] = aws.ToString(in.Content.Simple.Body.Text.Data)
	return &sesv2.SendEmailOutput{MessageId: aws.String("m")}, nil
}

var linkRE = regexp.MustCompile(`http://\S+/a/[A-Za-z0-9_.-]+`)

// link returns the approval link emailed to addr.
func (m *mailer) link(t *testing.T, addr string) string {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	u := linkRE.FindString(m.text[addr])
	if u == "" {
		t.Fatalf("no link emailed to %s", addr)
	}
	return u
}

type memAudit struct {
	mu      sync.Mutex
	actions []string
}

func (a *memAudit) Append(_ context.Context, caseID string, rec audit.Record) (audit.Entry, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.actions = append(a.actions, rec.Action)
	return audit.Entry{CaseID: caseID, Action: rec.Action}, nil
}

// fixture is a running console with one case waiting for approval.
type fixture struct {
	srv   *httptest.Server
	svc   *approval.Service
	store *approvaltest.MemStore
	tasks *tasks
	mail  *mailer
	audit *memAudit
	case1 console.Case
}

func sampleCase(now time.Time) console.Case {
	return console.Case{
		ID: "kp-2024-001", Title: "Credit data passed to an overseas partner", OpenedAt: now.Add(-20 * time.Hour),
		Obligations: []console.Obligation{
			{ID: "KR-PIPA/regulator", Regime: "KR PIPA", Recipient: "PIPC", Citation: "PIPA art. 34(3)", Rationale: "over 1,000 people", Required: true, DueAt: now.Add(52 * time.Hour)},
			{ID: "GDPR/sa", Regime: "GDPR", Recipient: "supervisory authority", Citation: "GDPR art. 33(1)", Rationale: "EU residents affected", Required: true, DueAt: now.Add(28 * time.Hour)},
		},
		Affected: []console.JurisdictionCount{{Jurisdiction: "KR", Count: 40_450_000}, {Jurisdiction: "JP", Count: 120_000}, {Jurisdiction: "DE", Count: 3_100}},
		Drafts: []console.Draft{
			{ID: "f-kr", Kind: "regulator", Locale: "ko", Subject: "개인정보 유출 신고 (PIPC)", HTML: "<h1>개인정보 유출 신고</h1><p>유출된 항목: 신용정보</p>"},
			{ID: "n-ko", Kind: "customer", Locale: "ko", Subject: "개인정보 유출 안내", HTML: "<p>고객님의 개인정보가 유출되었습니다.</p><script>parent.document.title='pwned'</script>"},
			{ID: "n-ko-2", Kind: "customer", Locale: "ko", Subject: "second ko sample is not shown", HTML: "<p>dup: 개인정보 분쟁조정위원회(www.kopico.go.kr, 1833-6972)</p>"},
			{ID: "n-en", Kind: "customer", Locale: "en", Subject: "Notice of a data breach", Text: "We are writing to tell you <b>about</b> a breach."},
		},
		ContentHash: "content-h1",
	}
}

func newFixture(t *testing.T, browse bool) *fixture {
	t.Helper()
	now := time.Now().UTC()
	f := &fixture{store: approvaltest.NewMemStore(), tasks: &tasks{done: make(chan string, 4)}, mail: &mailer{text: map[string]string{}}, audit: &memAudit{}, case1: sampleCase(now)}
	f.svc = &approval.Service{
		Config: approval.Config{
			Approvers: []string{alice, bob, submitter}, Key: []byte("0123456789abcdef0123456789abcdef"),
			From: "approvals@corp.example", EscalateTo: []string{"ciso@corp.example"},
		},
		Store: f.store, Tasks: f.tasks, Mail: f.mail, Audit: f.audit,
		Current: func(context.Context, string) (approval.Hashes, error) {
			return approval.Hashes{Content: "content-h1", RecipientSet: "recipients-h1"}, nil
		},
	}
	f.srv = httptest.NewServer(console.New(console.Config{Browse: browse}, console.Deps{Approval: f.svc, Cases: console.StaticCases{f.case1}}))
	t.Cleanup(f.srv.Close)
	f.svc.Config.ConsoleURL = f.srv.URL
	if _, err := f.svc.Open(context.Background(), approval.OpenInput{
		CaseID: f.case1.ID, TaskToken: "token-1", ContentHash: "content-h1", RecipientSetHash: "recipients-h1",
		Deadlines: []approval.Deadline{{ID: "GDPR/sa", DueAt: now.Add(28 * time.Hour)}, {ID: "KR-PIPA/regulator", DueAt: now.Add(52 * time.Hour)}},
		Submitter: submitter,
	}); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) votes(t *testing.T) int {
	t.Helper()
	st, err := f.svc.CaseState(context.Background(), f.case1.ID)
	if err != nil {
		t.Fatal(err)
	}
	return len(st.Votes)
}
