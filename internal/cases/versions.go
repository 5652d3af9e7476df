package cases

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"breachflow/internal/casetable"
	"breachflow/internal/report"
)

// skVersionPrefix starts the sort key of an amendment's stored report:
// "REPORT#<sha256>". Amendments are stored by content, so storing one
// twice (a retry) writes nothing new, and an amendment that lost a race
// for its version number leaves only an item no version names.
const skVersionPrefix = "REPORT#"

// FieldError is an amendment refused for one field of the report; it
// names the field, never its value.
type FieldError struct {
	CaseID, Field, Problem string
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("case %s: %s: %s", e.CaseID, e.Field, e.Problem)
}

// UnchangedError is an amendment identical to the latest version.
type UnchangedError struct {
	CaseID  string
	Version int
}

func (e *UnchangedError) Error() string {
	return fmt.Sprintf("case %s: the report is identical to version %d; nothing to amend", e.CaseID, e.Version)
}

// AmendConflictError is an amendment that lost the race for its version
// number to another amendment recorded at the same time. Nothing of it
// was recorded; the winner is version Version.
type AmendConflictError struct {
	CaseID  string
	Version int
}

func (e *AmendConflictError) Error() string {
	return fmt.Sprintf("case %s: another amendment was recorded as version %d at the same time; review it (breachflow status %s) and amend again if still needed", e.CaseID, e.Version, e.CaseID)
}

// Amend records raw (parsed and validated into r by the caller, as intake
// does) as the next version of the case's report. The case must exist and
// r must carry the case's own report_id. The version number is claimed by
// a conditional write on the case record that expects the latest version
// the amendment was based on, so of two amendments at once exactly one
// becomes the next version and the other gets *AmendConflictError. The
// returned case is the record as written: its Status and ExecutionArn say
// whether an execution is at work on the case (which then takes the new
// version up) or has finished (and a new one must start). Earlier versions
// are kept, unchanged.
func (s *Store) Amend(ctx context.Context, caseID string, raw []byte, r *report.Report, by string) (Case, error) {
	c, err := s.Get(ctx, caseID)
	if err != nil {
		return Case{}, err
	}
	if r.ReportID != c.ReportID {
		return Case{}, &FieldError{CaseID: caseID, Field: "report_id", Problem: "differs from the case's report_id; an amendment keeps the report_id of the case it amends"}
	}
	sum := sha256.Sum256(raw)
	sha := hex.EncodeToString(sum[:])
	base := c.Latest()
	if sha == c.ReportSHA256 {
		return Case{}, &UnchangedError{CaseID: caseID, Version: base}
	}
	now := s.now()
	item := reportItem{
		PK: casetable.CasePK(caseID), SK: skVersionPrefix + sha, CaseID: caseID, ReportID: r.ReportID,
		SHA256: sha, Raw: raw, ReceivedAt: now, SubmittedBy: by,
	}
	av, err := attributevalue.MarshalMap(item)
	if err != nil {
		return Case{}, fmt.Errorf("amend %s: %w", caseID, err)
	}
	_, err = s.DB.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(s.Table), Item: av,
		ConditionExpression: aws.String("attribute_not_exists(pk)"),
	})
	if ccf := (*types.ConditionalCheckFailedException)(nil); err != nil && !errors.As(err, &ccf) {
		return Case{}, fmt.Errorf("amend %s: store version: %w", caseID, err)
	}
	return s.Update(ctx, caseID, func(c *Case) error {
		if c.Latest() != base {
			return &AmendConflictError{CaseID: caseID, Version: c.Latest()}
		}
		c.LatestVersion = base + 1
		c.ReportSHA256 = sha
		c.Versions = append(c.Versions, VersionRef{Version: base + 1, SHA256: sha, RecordedAt: now, By: by})
		return nil
	})
}

// ReportVersion returns version v of the case's report, parsed as of the
// moment it was received, with its SHA-256.
func (s *Store) ReportVersion(ctx context.Context, caseID string, v int) (*report.Report, string, error) {
	item, err := s.versionItem(ctx, caseID, v)
	if err != nil {
		return nil, "", err
	}
	return parseItem(item)
}

// RawReportVersion returns version v of the report byte for byte.
func (s *Store) RawReportVersion(ctx context.Context, caseID string, v int) ([]byte, error) {
	item, err := s.versionItem(ctx, caseID, v)
	return item.Raw, err
}

func (s *Store) versionItem(ctx context.Context, caseID string, v int) (reportItem, error) {
	if v <= 1 {
		item, _, err := s.storedReport(ctx, caseID)
		return item, err
	}
	c, err := s.Get(ctx, caseID)
	if err != nil {
		return reportItem{}, err
	}
	for _, ref := range c.Versions {
		if ref.Version != v {
			continue
		}
		var item reportItem
		found, err := s.get(ctx, caseID, skVersionPrefix+ref.SHA256, &item)
		if err != nil {
			return item, err
		}
		if !found {
			return item, &NotFoundError{CaseID: caseID, What: fmt.Sprintf("report version %d", v)}
		}
		if first, _, err := s.storedReport(ctx, caseID); err == nil && first.SubmittedBy != "" {
			// The case's submitter is who opened it, whoever amends.
			item.SubmittedBy = first.SubmittedBy
		}
		return item, nil
	}
	return reportItem{}, &NotFoundError{CaseID: caseID, What: fmt.Sprintf("report version %d", v)}
}

func parseItem(item reportItem) (*report.Report, string, error) {
	r, err := report.ParseAt(item.Raw, item.ReceivedAt)
	if err != nil {
		return nil, "", err
	}
	if item.SubmittedBy != "" {
		r.Submitter = item.SubmittedBy
	}
	return r, item.SHA256, nil
}

// BeginVersion moves the case's working version to its latest: the
// execution calls it (intake) when it begins a pass, and every stage of
// the pass then reads that version.
func (s *Store) BeginVersion(ctx context.Context, caseID string) (Case, error) {
	return s.Update(ctx, caseID, func(c *Case) error {
		c.WorkingVersion = c.Latest()
		c.Waiting, c.RevisionToken = "", ""
		c.Status = StatusOpen
		c.PassBegan = s.now()
		return nil
	})
}

// ErrNewerVersion is CloseVersion's answer when an amendment arrived
// while the pass worked: the case stays open and the execution begins a
// pass on the newer version.
var ErrNewerVersion = errors.New("a newer version of the report arrived")

// CloseVersion closes the case at its working version, if that is still
// the latest: the same conditional write on the case record as Amend's,
// so an amendment either lands before (ErrNewerVersion: the execution
// takes it up) or sees the case closed (and starts a new execution).
func (s *Store) CloseVersion(ctx context.Context, caseID string, status Status) (Case, error) {
	return s.Update(ctx, caseID, func(c *Case) error {
		if c.Latest() != c.Working() {
			return ErrNewerVersion
		}
		c.Status = status
		return nil
	})
}

// AwaitRevision records that the execution waits for an amendment or a
// re-draft after a rejection, with the task token to hand it back by.
func (s *Store) AwaitRevision(ctx context.Context, caseID, token string) (Case, error) {
	return s.Update(ctx, caseID, func(c *Case) error {
		c.Status = StatusRejected
		c.Waiting, c.RevisionToken = WaitingRevision, token
		return nil
	})
}

// RecordRejection keeps the approver's reason with the case.
func (s *Store) RecordRejection(ctx context.Context, caseID, by, reason string, at time.Time) (Case, error) {
	return s.Update(ctx, caseID, func(c *Case) error {
		c.Rejection = &Rejection{Version: c.Working(), By: by, Reason: reason, At: at.UTC()}
		return nil
	})
}

// TakeRevision clears the revision wait, returning the token to hand the
// revision back with; an empty token means the case was not waiting (or
// another amend or redraft took it first). Taking is a conditional write,
// so one token is handed back once.
func (s *Store) TakeRevision(ctx context.Context, caseID string) (string, Case, error) {
	token := ""
	c, err := s.Update(ctx, caseID, func(c *Case) error {
		token = c.RevisionToken
		if token == "" {
			return errNotWaiting
		}
		c.Waiting, c.RevisionToken = "", ""
		return nil
	})
	if errors.Is(err, errNotWaiting) {
		c, err = s.Get(ctx, caseID)
		return "", c, err
	}
	return token, c, err
}

var errNotWaiting = errors.New("not waiting")

// WorkingSet is the id of the subject set of the version the execution
// works on (casetable.SetID).
func (s *Store) WorkingSet(ctx context.Context, caseID string) (string, error) {
	c, err := s.Get(ctx, caseID)
	if _, nf := errors.AsType[*NotFoundError](err); nf {
		return caseID, nil
	}
	if err != nil {
		return "", err
	}
	return casetable.SetID(caseID, c.Working()), nil
}
