// Package approval is the human sign-off between drafting and sending.
//
// The workflow's approval task (`.waitForTaskToken`, functions/approval-request)
// calls Service.Open: it records the task token with the case together with
// the content hash of the drafts, the hash of the recipient set and the
// deadlines, and emails each configured approver a signed, expiring,
// single-use link to the console (package console).
//
// Service.Decide applies the rules, whoever asks (the console after a POST
// with a valid CSRF token, or `breachflow approve|reject` for scripted use):
//   - the approver is on the configured list and was asked in this request;
//   - the submitter of the case cannot approve it;
//   - the drafts and the recipient set are still exactly what the request
//     bound (a link issued before a change is void);
//   - a link is used once (a conditional write consumes it);
//   - each approver counts once (a conditional write records the vote), and
//     the configured number of distinct approvers (default 2) is a quorum.
//
// On quorum the service sends SendTaskSuccess with a Record that holds ids,
// hashes and timestamps only (Step Functions history is widely readable, so
// no emails and no comments go there); a rejection sends SendTaskFailure
// with the error name "ApprovalRejected", which the state machine routes to
// its documented end or back to drafting. Every link issued, vote, decision
// and escalation is appended to the case's audit log (package audit).
//
// While a request is pending, Escalate (run on a schedule, or by the local
// stack) emails the escalation contacts once per case and threshold when the
// earliest deadline comes within a configured margin, and WaitTimeout gives
// the state machine a wait timeout derived from the deadlines.
//
// The approval state in ASL (JSONPath) looks like this; WaitTimeoutSeconds
// (or the assess stage's approval_timeout_seconds) feeds TimeoutSecondsPath:
//
//	"Approve": {
//	  "Type": "Task",
//	  "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
//	  "Parameters": {"FunctionName": "${ApprovalRequestFunctionArn}", "Payload": {
//	    "case_id.$": "$.case_id", "task_token.$": "$$.Task.Token",
//	    "content_hash.$": "$.drafts.content_hash", "recipient_set_hash.$": "$.scope.recipient_set_hash",
//	    "deadlines.$": "$.assessment.deadlines", "submitter.$": "$.submitter_id"}},
//	  "TimeoutSecondsPath": "$.assessment.approval_timeout_seconds",
//	  "ResultPath": "$.approval",
//	  "Catch": [
//	    {"ErrorEquals": ["ApprovalRejected"], "ResultPath": "$.rejection", "Next": "Redraft or end"},
//	    {"ErrorEquals": ["ApprovalSuperseded"], "Next": "Superseded end"},
//	    {"ErrorEquals": ["States.Timeout"], "Next": "Approval overdue (escalate, ask again)"},
//	    {"ErrorEquals": ["InvalidRequestError"], "Next": "Fail"}],
//	  "Next": "Send"}
//
// The task's output ($.approval) is a Record. A new request for the same case
// (after a timeout or a re-draft) supersedes the old one: its links are void
// and its waiting task, if any, fails with ApprovalSuperseded.
//
// The task output is a claim, never a permission: the token is readable in
// the execution history, so anyone allowed SendTaskSuccess could forge it.
// The request and every vote therefore carry a seal (seal.go), and the send
// stage calls VerifyApproval, which accepts a case only when its latest
// request is sealed, approved and bound to the case's current hashes, with
// sealed votes of a quorum of distinct configured approvers.
//
// Storage goes through role interfaces of one to three methods (store.go:
// requests, statuses, links, votes, escalations), which Store composes for
// the Service; a reader takes only what it reads (VerifyApproval a
// RecordReader, ReadState a StateReader). DynamoStore keeps everything in
// the case table under casetable.CasePK (sort keys "APPROVAL#...");
// approvaltest.MemStore keeps it in memory for tests.
package approval
