package posting_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"

	"breachflow/internal/approval"
	"breachflow/internal/draft"
	"breachflow/internal/posting"
	"breachflow/internal/rules"
)

type assessments struct{}

func (assessments) Get(context.Context, string) (rules.Assessment, error) {
	return rules.Assessment{}, nil
}

// TestHandlerRefusesUnderTheNamesTheStateMachineRoutesOn: nothing goes up
// without a verified approval of exactly the stored drafts, and the
// refusals reach Step Functions as NotApproved and UnapprovedContent,
// which PublishPostedNotices catches (routed to SendingStopped).
func TestHandlerRefusesUnderTheNamesTheStateMachineRoutesOn(t *testing.T) {
	drafts := []draft.Draft{{ID: "substitute-ko-kr", Kind: draft.KindSubstitute, HTML: "<p>x</p>"}}
	stored := draft.ContentHash(drafts)
	for _, tc := range []struct {
		name     string
		approval posting.ApprovalCheck
		want     string
	}{
		{"no quorum", func(_ context.Context, caseID, _ string) (string, error) {
			return "", &approval.NotApproved{CaseID: caseID, Reason: "1 of 2 approvals"}
		}, "NotApproved"},
		{"drafts changed after approval", func(context.Context, string, string) (string, error) {
			return "another-hash", nil
		}, "UnapprovedContent"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := &posting.Handler{
				Approval: tc.approval,
				Drafts: func(context.Context, string) ([]draft.Draft, string, error) {
					return drafts, stored, nil
				},
				Assessments: assessments{},
				Publisher:   &posting.Publisher{S3: nil},
			}
			_, err := lambda.NewHandler(h.Handle).Invoke(context.Background(), []byte(`{"case_id":"c1","content_hash":"`+stored+`"}`))
			// Lambda names an error by its dynamic type (the local engine
			// as the runtime does): it must be returned unwrapped.
			if err == nil {
				t.Fatal("published without a verified approval")
			}
			if got := reflect.TypeOf(err).Elem().Name(); got != tc.want {
				t.Errorf("error type %q, want %q: %v", got, tc.want, err)
			}
		})
	}
}
