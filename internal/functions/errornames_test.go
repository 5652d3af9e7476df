package functions_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdaurl"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"breachflow/internal/approval"
	"breachflow/internal/approval/approvaltest"
	"breachflow/internal/breach"
	"breachflow/internal/cases"
	"breachflow/internal/console"
	"breachflow/internal/criteria"
	"breachflow/internal/delivery"
	"breachflow/internal/draft"
	"breachflow/internal/functions"
	"breachflow/internal/intake"
	"breachflow/internal/ledger"
	"breachflow/internal/local/asl"
	"breachflow/internal/report"
	"breachflow/internal/rules"
	"breachflow/internal/scope"
	"breachflow/internal/stage"
	"breachflow/internal/usertable"
)

// serviceErrors are the prefixes of the names Step Functions and the Lambda
// service raise themselves, around a handler (a timeout, a throttled
// invoke, a process that exited, a sandbox that timed out): no handler
// returns them, so no handler is driven for them.
var serviceErrors = []string{"States.", "Lambda.", "Runtime.", "Sandbox."}

// TestErrorNamesTheStateMachineRoutesOn drives, for every name in every
// ErrorEquals of statemachine/*.asl.json, the handler that raises it,
// through lambda.NewHandler(...).Invoke (the JSON path of a deployed
// function and of the local engine), and checks that the error type Lambda
// reports is exactly that name: a wrapped error reaches Step Functions as
// wrapError, which no Catch matches. The approval
// outcomes a waiting task fails with are the Error of SendTaskFailure, which
// the approval request function (a superseded round) and the console (a
// rejection) send. The handlers' stores and clients are fakes of the narrow
// interfaces they consume; the rest is the real code.
func TestErrorNamesTheStateMachineRoutesOn(t *testing.T) {
	drivers := map[string]func(t *testing.T) string{
		"CaseNotFound": func(t *testing.T) string {
			h := &intake.Handler{Cases: &cases.Store{DB: newTable(), Table: "cases"}}
			return returned(t, h.Handle, `{"case_id":"no-such-case"}`)
		},
		"InvalidReport": func(t *testing.T) string {
			h := &intake.Handler{Cases: &cases.Store{DB: newTable(), Table: "cases"}}
			return returned(t, h.Handle, `{"case_id":""}`)
		},
		"CaseInProgress": func(t *testing.T) string {
			return secondExecution(t, cases.StatusScoped)
		},
		"CaseClosed": func(t *testing.T) string {
			return secondExecution(t, cases.StatusClosed)
		},
		"NothingOwed": func(t *testing.T) string {
			// A late round resume started for a closed case with no
			// failure filed since its close.
			db := newTable()
			caseID := openCase(t, db)
			store := &cases.Store{DB: db, Table: "cases"}
			const arn = "arn:aws:states:us-east-1:123456789012:execution:BreachStateMachine:late"
			if _, err := store.Update(context.Background(), caseID, func(c *cases.Case) error {
				c.Status, c.ExecutionArn = cases.StatusClosed, arn
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			return returned(t, (&intake.Handler{Cases: store}).Handle, `{"case_id":"`+caseID+`","execution_arn":"`+arn+`","action":"late_round"}`)
		},
		"InvalidCriteria": func(t *testing.T) string {
			s := scoper(t, newTable(), `{"attr":"no_such_attribute","op":"=","value":"x"}`)
			return returned(t, s.Segment, segment(4))
		},
		"ScopeConflict": func(t *testing.T) string {
			s := scoper(t, newTable(), `{"attr":"payment_service","op":"=","value":"kakaopay"}`)
			if _, err := lambda.NewHandler(s.Segment).Invoke(context.Background(), []byte(segment(4))); err != nil {
				t.Fatal(err)
			}
			return returned(t, s.Segment, segment(8)) // the same segment again, over other shards
		},
		"InvalidInput": func(t *testing.T) string {
			return returned(t, (&scope.AggregateHandler{}).Handle, `{"case_id":"c1","segments":[]}`)
		},
		"ConcurrentDraftError": func(t *testing.T) string {
			r, a := sample(t)
			db := newTable()
			db.lostRace = true // another drafting run replaces the set between this run's read and write
			h := &draft.Handler{Reports: reports{r}, Assessments: assessments{a}, DB: db, Table: "cases"}
			return returned(t, h.Handle, `{"case_id":"c1","now":"2024-06-01T00:00:00Z"}`)
		},
		"InvalidRequestError": func(t *testing.T) string {
			return returned(t, (&approval.Requester{}).Handle, `{"case_id":"c1"}`)
		},
		"ApprovalSuperseded": func(t *testing.T) string {
			a := newApprovals(t)
			a.request(t, "token-1")
			a.request(t, "token-2") // a re-draft's round replaces the first
			return a.failedWith(t, "token-1")
		},
		"ReportAmended": func(t *testing.T) string {
			a := newApprovals(t)
			a.request(t, "token-1")
			if ok, err := a.svc.Withdraw(context.Background(), "c1", 2); err != nil || !ok {
				t.Fatalf("withdraw: %v, %v", ok, err)
			}
			return a.failedWith(t, "token-1")
		},
		"ApprovalRejected": func(t *testing.T) string {
			a := newApprovals(t)
			a.request(t, "token-1")
			a.reject(t, "legal-lead@example.com")
			return a.failedWith(t, "token-1")
		},
		"NotApproved": func(t *testing.T) string {
			// A case the pipeline drafted, with no approval round at all:
			// what a forged SendTaskSuccess leads to.
			db := newTable()
			caseID := openCase(t, db)
			check := functions.ApprovalCheck(approvalConfig(), "cases", db)
			return returned(t, sender(t, db, check, nil).Handle, `{"stage":"filings","case_id":"`+caseID+`","content_hash":"h1"}`)
		},
		"MissingContentElement": func(t *testing.T) string {
			// A staged filing whose law asks for the reasons of a late
			// filing, drafted late with none given.
			r, a, db := stagedCase(t)
			for i := range a.Obligations {
				if a.Obligations[i].ID == "jp-appi-26-final" {
					a.Obligations[i].Elements = append(a.Obligations[i].Elements, breach.ElementDelayReason)
				}
			}
			sent := []ledger.FilingRecord{{ObligationID: "filing-jp-appi-26-preliminary", Status: "sent", MessageID: "m-1", SentAt: r.Timeline.Aware}}
			h := &stage.Runner{Tasks: stage.Store{DB: db, Table: "cases"}, Reports: reports{r}, Assessments: assessments{a},
				Filings: func(context.Context, string) ([]ledger.FilingRecord, error) { return sent, nil }}
			return returned(t, h.Handle, `{"action":"draft","case_id":"c1","obligation_id":"jp-appi-26-final","now":"2027-06-01T00:00:00Z"}`)
		},
		"FirstFilingNotSent": func(t *testing.T) string {
			// Japan's final report falls due, but the preliminary report
			// is not on record as sent.
			r, a, db := stagedCase(t)
			h := &stage.Runner{Tasks: stage.Store{DB: db, Table: "cases"}, Reports: reports{r}, Assessments: assessments{a},
				Filings: func(context.Context, string) ([]ledger.FilingRecord, error) { return nil, nil }}
			return returned(t, h.Handle, `{"action":"draft","case_id":"c1","obligation_id":"jp-appi-26-final"}`)
		},
		"StageNotRequired": func(t *testing.T) string {
			// An amendment changed the facts: the current assessment no
			// longer holds the staged duty.
			r, _, db := stagedCase(t)
			h := &stage.Runner{Tasks: stage.Store{DB: db, Table: "cases"}, Reports: reports{r}, Assessments: assessments{},
				Filings: func(context.Context, string) ([]ledger.FilingRecord, error) { return nil, nil }}
			return returned(t, h.Handle, `{"action":"draft","case_id":"c1","obligation_id":"jp-appi-26-final"}`)
		},
		"UnapprovedContent": func(t *testing.T) string {
			// The drafts changed after the approvers signed off h1.
			db := newTable()
			if _, err := draft.Store(context.Background(), db, "cases", "c1", nil, time.Now()); err != nil {
				t.Fatal(err)
			}
			approved := func(context.Context, string, string) (string, error) { return "h1", nil }
			docs := &draft.Approved{DB: db, Table: "cases"}
			return returned(t, sender(t, db, approved, docs).Handle, `{"stage":"filings","case_id":"c1","content_hash":"h1"}`)
		},
	}

	routed := errorEquals(t)
	if len(routed) == 0 {
		t.Fatal("no ErrorEquals names found in statemachine/*.asl.json")
	}
	for name, states := range routed {
		t.Run(name, func(t *testing.T) {
			drive, ok := drivers[name]
			if !ok {
				t.Fatalf("%s (ErrorEquals of %s) has no driver here: add the handler that raises it", name, strings.Join(states, ", "))
			}
			if got := drive(t); got != name {
				t.Errorf("Lambda reports %q, but %s route on %q", got, strings.Join(states, ", "), name)
			}
		})
	}
	for name := range drivers {
		if _, ok := routed[name]; !ok {
			t.Errorf("a driver for %s, which no ErrorEquals names", name)
		}
	}
}

// errorEquals returns every name of every ErrorEquals in the state
// machines, but those of serviceErrors, with the states that name it.
func errorEquals(t *testing.T) map[string][]string {
	t.Helper()
	files, err := filepath.Glob("../../statemachine/*.asl.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no state machines: %v", err)
	}
	out := map[string][]string{}
	var walk func(file, prefix string, states map[string]json.RawMessage)
	walk = func(file, prefix string, states map[string]json.RawMessage) {
		for name, raw := range states {
			var st struct {
				Retry, Catch  []struct{ ErrorEquals []string }
				ItemProcessor *struct{ States map[string]json.RawMessage }
				Iterator      *struct{ States map[string]json.RawMessage }
				Branches      []struct{ States map[string]json.RawMessage }
			}
			if err := json.Unmarshal(raw, &st); err != nil {
				t.Fatalf("%s: state %s: %v", file, name, err)
			}
			for _, r := range append(st.Retry, st.Catch...) {
				for _, e := range r.ErrorEquals {
					if !slices.ContainsFunc(serviceErrors, func(p string) bool { return strings.HasPrefix(e, p) }) &&
						!slices.Contains(out[e], prefix+name) {
						out[e] = append(out[e], prefix+name)
					}
				}
			}
			for _, inner := range []*struct{ States map[string]json.RawMessage }{st.ItemProcessor, st.Iterator} {
				if inner != nil {
					walk(file, prefix+name+"/", inner.States)
				}
			}
			for _, b := range st.Branches {
				walk(file, prefix+name+"/", b.States)
			}
		}
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var sm struct{ States map[string]json.RawMessage }
		if err := json.Unmarshal(raw, &sm); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		walk(filepath.Base(f), "", sm.States)
	}
	return out
}

// returned invokes handler with payload through lambda.NewHandler and
// returns the error type Lambda reports for its error.
func returned(t *testing.T, handler any, payload string) string {
	t.Helper()
	_, err := lambda.NewHandler(handler).Invoke(context.Background(), []byte(payload))
	if err == nil {
		t.Fatal("the handler succeeded")
	}
	return asl.LambdaErrorType(err)
}

// secondExecution runs intake for a case in status under its own
// execution, then under another one, and returns what the second reports.
func secondExecution(t *testing.T, status cases.Status) string {
	t.Helper()
	db := newTable()
	caseID := openCase(t, db)
	store := &cases.Store{DB: db, Table: "cases"}
	h := lambda.NewHandler((&intake.Handler{Cases: store}).Handle)
	const arn = "arn:aws:states:us-east-1:123456789012:execution:BreachStateMachine:"
	if _, err := h.Invoke(context.Background(), []byte(`{"case_id":"`+caseID+`","execution_arn":"`+arn+`first"}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Update(context.Background(), caseID, func(c *cases.Case) error { c.Status = status; return nil }); err != nil {
		t.Fatal(err)
	}
	return returned(t, (&intake.Handler{Cases: store}).Handle, `{"case_id":"`+caseID+`","execution_arn":"`+arn+`second"}`)
}

func sample(t *testing.T) (*report.Report, rules.Assessment) {
	t.Helper()
	raw, err := os.ReadFile("../../events/reports/kakaopay-alipay.json")
	if err != nil {
		t.Fatal(err)
	}
	r, err := report.ParseAt(raw, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	a, err := rules.Assess(r, nil, r.Timeline.Aware.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	return r, a
}

func scoper(t *testing.T, db scope.DB, selects string) *scope.Scoper {
	t.Helper()
	var c criteria.Criteria
	if err := json.Unmarshal([]byte(selects), &c); err != nil {
		t.Fatal(err)
	}
	return &scope.Scoper{
		DB: db, CaseTable: "cases", UserTable: "users", Mapping: usertable.DefaultMapping(),
		Stored: func(context.Context, string) (*criteria.Criteria, error) { return &c, nil },
	}
}

// segment is the scope function's payload as the state machine sends it.
func segment(shards int) string {
	return fmt.Sprintf(`{"case_id":"c1","segment":0,"total_segments":1,"report_categories":["email"],"stored_criteria":true,"shards":%d}`, shards)
}

// openCase stores the sample report in db and opens its case, through the
// case store itself, and records a recipient set as scoping would.
func openCase(t *testing.T, db cases.DB) string {
	t.Helper()
	raw, err := os.ReadFile("../../events/reports/kakaopay-alipay.json")
	if err != nil {
		t.Fatal(err)
	}
	r, err := report.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	store := &cases.Store{DB: db, Table: "cases"}
	caseID, _, err := store.PutReport(ctx, raw, r)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := store.Open(ctx, caseID); err != nil {
		t.Fatal(err)
	}
	if _, err := store.RecordScope(ctx, caseID, map[string]int64{"KR": 1}, nil, "r1"); err != nil {
		t.Fatal(err)
	}
	return caseID
}

func approvalConfig() approval.Config {
	return approval.Config{
		Approvers: []string{"legal-lead@example.com", "ciso@example.com"}, Key: []byte("0123456789abcdef0123456789abcdef"),
		ConsoleURL: "https://console.example.org",
	}
}

// sender is the send function's handler over db, with the approval check
// and the documents given; SES is never reached.
func sender(t *testing.T, db *table, check delivery.ApprovalCheck, docs delivery.Documents) *delivery.Handler {
	t.Helper()
	if docs == nil {
		docs = &draft.Approved{DB: db, Table: "cases"}
	}
	c := delivery.Config{Table: "cases", From: "privacy@example.com", AccountRate: 14, Parallel: 1, Latency: delivery.DefaultSESLatency}
	addrs := delivery.FilingAddresses{"*": "filings+{id}@regulators.example.org"}
	h, err := delivery.NewHandler(context.Background(), c, addrs, db, nil, docs, check, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// approvals is the approval request function's handler and the console's,
// over one approval service whose Step Functions and SES calls are recorded.
type approvals struct {
	svc     *approval.Service
	request func(t *testing.T, token string)
	console lambda.Handler
	tasks   *tasks
	mail    *mailbox
}

func newApprovals(t *testing.T) *approvals {
	t.Helper()
	r, a := sample(t)
	hashes := approval.Hashes{Content: "c1-drafts", RecipientSet: "c1-people"}
	ap := &approvals{tasks: &tasks{}, mail: &mailbox{}}
	ap.svc = &approval.Service{
		Config: approvalConfig(), Store: approvaltest.NewMemStore(), Tasks: ap.tasks, Mail: ap.mail, Audit: auditor{},
		Current: func(context.Context, string) (approval.Hashes, error) { return hashes, nil },
		Log:     slog.New(slog.DiscardHandler),
	}
	requester := lambda.NewHandler((&approval.Requester{
		Service: ap.svc, Assessments: assessments{a},
		Cases: caseReader{c: cases.Case{CaseID: "c1", ContentHash: hashes.Content, RecipientSetHash: hashes.RecipientSet}, r: r},
	}).Handle)
	ap.request = func(t *testing.T, token string) {
		t.Helper()
		if _, err := requester.Invoke(context.Background(), []byte(`{"case_id":"c1","task_token":"`+token+`"}`)); err != nil {
			t.Fatal(err)
		}
	}
	ap.console = lambda.NewHandler(lambdaurl.Wrap(console.New(console.Config{}, console.Deps{
		Approval: ap.svc, Cases: console.StaticCases{{ID: "c1", ContentHash: hashes.Content}}, Log: ap.svc.Log,
	})))
	return ap
}

var (
	linkRE = regexp.MustCompile(`https://console\.example\.org(/a/[A-Za-z0-9_.-]+)`)
	csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
)

// reject rejects the case through the console function, as the approver
// would from the emailed link: the confirmation page, then the form.
func (a *approvals) reject(t *testing.T, approver string) {
	t.Helper()
	m := linkRE.FindStringSubmatch(a.mail.last(approver))
	if m == nil {
		t.Fatalf("no approval link mailed to %s", approver)
	}
	page := a.call(t, "GET", m[1], "")
	csrf := csrfRE.FindStringSubmatch(page)
	if csrf == nil {
		t.Fatalf("no CSRF token on the link's page:\n%s", page)
	}
	form := url.Values{"csrf": {csrf[1]}, "decision": {"reject"}, "comment": {"wrong deadline"}}
	if body := a.call(t, "POST", m[1], form.Encode()); !strings.Contains(body, "Rejected") {
		t.Fatalf("the rejection was not taken:\n%s", body)
	}
}

// call sends one request to the console function as its URL would, and
// returns the body of the streamed response.
func (a *approvals) call(t *testing.T, method, path, form string) string {
	t.Helper()
	req := map[string]any{
		"rawPath": path, "body": form, "isBase64Encoded": false,
		"headers":        map[string]string{"content-type": "application/x-www-form-urlencoded", "host": "console.example.org"},
		"requestContext": map[string]any{"domainName": "console.example.org", "http": map[string]string{"method": method, "path": path, "sourceIp": "192.0.2.1"}},
	}
	payload, _ := json.Marshal(req)
	out, err := a.console.Invoke(context.Background(), payload)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	// A streamed response is its JSON prelude, eight zero bytes, the body.
	_, body, ok := bytes.Cut(out, make([]byte, 8))
	if !ok {
		t.Fatalf("%s %s: not a streamed response: %q", method, path, out)
	}
	return string(body)
}

// failedWith returns the Error of the SendTaskFailure that answered token.
func (a *approvals) failedWith(t *testing.T, token string) string {
	t.Helper()
	a.tasks.mu.Lock()
	defer a.tasks.mu.Unlock()
	for _, f := range a.tasks.failures {
		if aws.ToString(f.TaskToken) == token {
			return aws.ToString(f.Error)
		}
	}
	t.Fatalf("task %s was not failed (%d failures sent)", token, len(a.tasks.failures))
	return ""
}

// stagedCase is Japan's sample case with its final report (a staged duty)
// stored as a started task, in a fresh fake table.
func stagedCase(t *testing.T) (*report.Report, rules.Assessment, *table) {
	t.Helper()
	b, err := os.ReadFile("../../events/reports/japan-ecommerce-cards.json")
	if err != nil {
		t.Fatal(err)
	}
	r, err := report.ParseAt(b, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	a, err := rules.Assess(r, nil, r.Timeline.Aware)
	if err != nil {
		t.Fatal(err)
	}
	db := newTable()
	for _, task := range stage.Tasks("c1", a) {
		task.Status, task.Version = stage.StatusStarted, 1
		item, err := attributevalue.MarshalMap(task)
		if err != nil {
			t.Fatal(err)
		}
		item["pk"] = &types.AttributeValueMemberS{Value: "CASE#c1"}
		item["sk"] = &types.AttributeValueMemberS{Value: "STAGE#" + task.ObligationID}
		db.items[itemKey(item)] = item
	}
	return r, a, db
}
