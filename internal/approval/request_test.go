package approval_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"breachflow/internal/approval"
	"breachflow/internal/cases"
	"breachflow/internal/report"
	"breachflow/internal/rules"
)

type caseReader struct{ c cases.Case }

func (r caseReader) Get(context.Context, string) (cases.Case, error) { return r.c, nil }
func (r caseReader) Report(context.Context, string) (*report.Report, string, error) {
	return &report.Report{Submitter: carol}, "v1", nil
}

type noAssessment struct{}

func (noAssessment) Get(context.Context, string) (rules.Assessment, error) {
	return rules.Assessment{}, nil
}

// The approvers' e-mail shows how many people each channel reaches, from
// the counts scoping left on the case (issue 18: approvers see the counts
// per channel).
func TestApprovalMailCarriesChannelCounts(t *testing.T) {
	e := newEnv(t)
	c := cases.Case{
		ContentHash: "content-h1", RecipientSetHash: "recipients-h1",
		Channels: map[string]int{"email": 1200, "sms": 340, "sms_fallback": 1100, "postal": 12, "posted": 7},
	}
	req := &approval.Requester{Service: e.svc, Cases: caseReader{c}, Assessments: noAssessment{}}
	out, err := req.Handle(context.Background(), approval.CaseRequest{CaseID: "c1", TaskToken: "token-1"})
	if err != nil {
		t.Fatal(err)
	}
	if out.LinksIssued != 2 || len(e.mail.sent) != 2 {
		t.Fatalf("links issued %d, mails %d, want 2 and 2", out.LinksIssued, len(e.mail.sent))
	}
	for _, m := range e.mail.sent {
		body := aws.ToString(m.Content.Simple.Body.Text.Data)
		for _, line := range []string{"  email: 1200\n", "  sms: 340\n", "  sms_fallback: 1100\n", "  postal: 12\n", "  posted: 7\n"} {
			if !strings.Contains(body, line) {
				t.Errorf("approval mail lacks %q:\n%s", line, body)
			}
		}
		if i, j := strings.Index(body, "  email:"), strings.Index(body, "  sms:"); i < 0 || j < i {
			t.Errorf("channels are not listed in order:\n%s", body)
		}
	}
	r, err := e.store.Request(context.Background(), "c1", out.RequestID)
	if err != nil {
		t.Fatal(err)
	}
	if r.Channels["sms_fallback"] != 1100 {
		t.Errorf("stored request channels = %v", r.Channels)
	}
}

// A case scoped without channel plans has no counts, and its mail no
// channel section.
func TestApprovalMailWithoutChannelCounts(t *testing.T) {
	e := newEnv(t)
	req := &approval.Requester{Service: e.svc, Cases: caseReader{cases.Case{ContentHash: "content-h1", RecipientSetHash: "recipients-h1"}}, Assessments: noAssessment{}}
	if _, err := req.Handle(context.Background(), approval.CaseRequest{CaseID: "c1", TaskToken: "token-1"}); err != nil {
		t.Fatal(err)
	}
	for _, m := range e.mail.sent {
		if body := aws.ToString(m.Content.Simple.Body.Text.Data); strings.Contains(body, "by channel plan") {
			t.Errorf("mail shows channel counts the case does not have:\n%s", body)
		}
	}
}
