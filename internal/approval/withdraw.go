package approval

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
)

// Withdraw ends a case's pending approval round because the report it
// drafts was amended (to version): the request is superseded, so no link
// or vote can decide it any more, and the workflow's wait fails with
// ErrorAmended, which the state machine routes back to the start of a
// pass on the amended version. It reports whether a round was withdrawn:
// false when none was pending, or when the approvers' quorum closed it
// first (then the approved version is sent and the amendment is taken up
// at the close). Only ids and numbers go to the execution history.
func (s *Service) Withdraw(ctx context.Context, caseID string, version int) (bool, error) {
	r, err := s.pending(ctx, caseID)
	if errors.Is(err, ErrNotFound) || errors.Is(err, ErrClosed) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := s.Store.SetStatus(ctx, caseID, r.RequestID, StatusPending, StatusSuperseded, s.now()); errors.Is(err, ErrConflict) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("withdraw %s/%s: %w", caseID, r.RequestID, err)
	}
	if err := s.audit(ctx, caseID, "approval", "approval.withdrawn", map[string]string{
		"request_id": r.RequestID, "version": fmt.Sprint(version),
	}); err != nil {
		return true, err
	}
	cause, _ := json.Marshal(map[string]any{"case_id": caseID, "request_id": r.RequestID, "version": version})
	_, err = s.Tasks.SendTaskFailure(ctx, &sfn.SendTaskFailureInput{
		TaskToken: aws.String(r.TaskToken), Error: aws.String(ErrorAmended), Cause: aws.String(string(cause)),
	})
	if err := ignoreTaskGone(err); err != nil {
		return true, fmt.Errorf("withdraw %s/%s: %w", caseID, r.RequestID, err)
	}
	s.log().InfoContext(ctx, "approval withdrawn", "case_id", caseID, "request_id", r.RequestID, "version", version)
	return true, nil
}
