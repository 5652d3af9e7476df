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

	"breachflow/internal/breach"
	"breachflow/internal/casetable"
	"breachflow/internal/channelplan"
	"breachflow/internal/criteria"
	"breachflow/internal/report"
)

// DB is the part of the DynamoDB client the store uses.
type DB interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

// Store reads and writes case records in the case table.
type Store struct {
	DB    DB
	Table string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

const (
	skReport = "REPORT"
	skMeta   = "META"
	// gsiCases is the gsi1pk every case record carries, so List can find them.
	gsiCases = "CASES"
)

type reportItem struct {
	PK         string    `dynamodbav:"pk"`
	SK         string    `dynamodbav:"sk"`
	CaseID     string    `dynamodbav:"case_id"`
	ReportID   string    `dynamodbav:"report_id"`
	SHA256     string    `dynamodbav:"sha256"`
	Raw        []byte    `dynamodbav:"raw"`
	ReceivedAt time.Time `dynamodbav:"received_at"`
	// SubmittedBy is the staff email of the authenticated principal that
	// stored the report (breachflow start in AWS); empty when identities
	// were asserted (the local stack).
	SubmittedBy string `dynamodbav:"submitted_by,omitempty"`
}

type metaItem struct {
	PK     string `dynamodbav:"pk"`
	SK     string `dynamodbav:"sk"`
	GSI1PK string `dynamodbav:"gsi1pk"`
	GSI1SK string `dynamodbav:"gsi1sk"`
	Case
}

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// PutReport stores the raw report under its case, once. Storing the same
// report again is a no-op that returns the same case id; a different report
// under the same report id is a *ReportConflictError. The report must have
// been parsed (validated) from raw by the caller.
func (s *Store) PutReport(ctx context.Context, raw []byte, r *report.Report) (caseID string, created bool, err error) {
	return s.PutReportBy(ctx, raw, r, "")
}

// PutReportBy is PutReport for a submitter AWS authenticated: submittedBy
// (a staff email) replaces the report's own "submitter" wherever the case
// needs to know who submitted it (the rule that the submitter cannot
// approve), so naming someone else in the report changes nothing. The
// first store wins, as for the report.
func (s *Store) PutReportBy(ctx context.Context, raw []byte, r *report.Report, submittedBy string) (caseID string, created bool, err error) {
	caseID = CaseID(r.ReportID)
	sum := sha256.Sum256(raw)
	item := reportItem{
		PK: casetable.CasePK(caseID), SK: skReport, CaseID: caseID, ReportID: r.ReportID,
		SHA256: hex.EncodeToString(sum[:]), Raw: raw, ReceivedAt: s.now(), SubmittedBy: submittedBy,
	}
	av, err := attributevalue.MarshalMap(item)
	if err != nil {
		return "", false, fmt.Errorf("put report: %w", err)
	}
	_, err = s.DB.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(s.Table), Item: av,
		ConditionExpression: aws.String("attribute_not_exists(pk)"),
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		stored, _, err := s.storedReport(ctx, caseID)
		if err != nil {
			return "", false, err
		}
		if stored.SHA256 != item.SHA256 {
			return "", false, &ReportConflictError{CaseID: caseID, Stored: stored.SHA256, Offered: item.SHA256}
		}
		return caseID, false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("put report %s: %w", caseID, err)
	}
	return caseID, true, nil
}

// Report returns the stored report of a case, parsed as of the moment it was
// received (so a report valid then stays valid on a replay), with its
// SHA-256. When an authenticated principal stored it, its Submitter is that
// principal's email, not what the report says.
//
// Once the case is open, it is the version the execution works on
// (Case.WorkingVersion), so every stage of a pass reads the same version
// whatever amendments arrive meanwhile; LatestReport is the newest.
func (s *Store) Report(ctx context.Context, caseID string) (*report.Report, string, error) {
	v := 1
	if c, err := s.Get(ctx, caseID); err == nil {
		v = c.Working()
	} else if _, nf := errors.AsType[*NotFoundError](err); !nf {
		return nil, "", err
	}
	return s.ReportVersion(ctx, caseID, v)
}

// LatestReport returns the newest version of the report and its number.
func (s *Store) LatestReport(ctx context.Context, caseID string) (*report.Report, int, error) {
	v := 1
	if c, err := s.Get(ctx, caseID); err == nil {
		v = c.Latest()
	} else if _, nf := errors.AsType[*NotFoundError](err); !nf {
		return nil, 0, err
	}
	r, _, err := s.ReportVersion(ctx, caseID, v)
	return r, v, err
}

// RawReport returns the first version of the report exactly as it was
// stored, byte for byte (RawReportVersion gives the others).
func (s *Store) RawReport(ctx context.Context, caseID string) ([]byte, error) {
	item, _, err := s.storedReport(ctx, caseID)
	return item.Raw, err
}

func (s *Store) storedReport(ctx context.Context, caseID string) (reportItem, bool, error) {
	var item reportItem
	found, err := s.get(ctx, caseID, skReport, &item)
	if err != nil {
		return item, false, err
	}
	if !found {
		return item, false, &NotFoundError{CaseID: caseID, What: "report"}
	}
	return item, true, nil
}

// Open creates the case record from the stored report, or returns the
// existing one: opening twice is the same as opening once.
func (s *Store) Open(ctx context.Context, caseID string) (Case, bool, error) {
	r, sum, err := s.Report(ctx, caseID)
	if err != nil {
		return Case{}, false, err
	}
	now := s.now()
	c := Case{
		CaseID: caseID, ReportID: r.ReportID, ReportSHA256: sum, Title: r.Title,
		Organisation: r.Organisation.Name, Status: StatusOpen, OpenedAt: now, UpdatedAt: now, Submitter: r.Submitter,
		Shards: casetable.DefaultShards, Version: 1, LatestVersion: 1, WorkingVersion: 1,
	}
	if err := s.write(ctx, c, 0); err != nil {
		var conflict *ConflictError
		if errors.As(err, &conflict) {
			existing, err := s.Get(ctx, caseID)
			return existing, false, err
		}
		return Case{}, false, err
	}
	return c, true, nil
}

// Get returns the case record, or a *NotFoundError.
func (s *Store) Get(ctx context.Context, caseID string) (Case, error) {
	var m metaItem
	found, err := s.get(ctx, caseID, skMeta, &m)
	if err != nil {
		return Case{}, err
	}
	if !found {
		return Case{}, &NotFoundError{CaseID: caseID, What: "case record"}
	}
	return m.Case, nil
}

// Update reads the case, applies change, and writes it back if no other
// writer got there first; on a lost race it reads again and retries a few
// times. change may return an error to abandon the update.
func (s *Store) Update(ctx context.Context, caseID string, change func(*Case) error) (Case, error) {
	for range 5 {
		c, err := s.Get(ctx, caseID)
		if err != nil {
			return Case{}, err
		}
		prev := c.Version
		if err := change(&c); err != nil {
			return Case{}, err
		}
		c.Version = prev + 1
		c.UpdatedAt = s.now()
		err = s.write(ctx, c, prev)
		var conflict *ConflictError
		if errors.As(err, &conflict) {
			continue
		}
		return c, err
	}
	return Case{}, &ConflictError{CaseID: caseID}
}

// List returns every case, newest first.
func (s *Store) List(ctx context.Context) ([]Case, error) {
	var out []Case
	p := dynamodb.NewQueryPaginator(s.DB, &dynamodb.QueryInput{
		TableName:                 aws.String(s.Table),
		IndexName:                 aws.String(casetable.IndexGSI1),
		KeyConditionExpression:    aws.String("#p = :p"),
		ExpressionAttributeNames:  map[string]string{"#p": casetable.AttrGSI1PK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": &types.AttributeValueMemberS{Value: gsiCases}},
		ScanIndexForward:          aws.Bool(false),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list cases: %w", err)
		}
		for _, it := range page.Items {
			var m metaItem
			if err := attributevalue.UnmarshalMap(it, &m); err != nil {
				return nil, fmt.Errorf("list cases: %w", err)
			}
			out = append(out, m.Case)
		}
	}
	return out, nil
}

// write puts the case record if its stored version is prev (0: not stored).
func (s *Store) write(ctx context.Context, c Case, prev int64) error {
	m := metaItem{
		PK: casetable.CasePK(c.CaseID), SK: skMeta,
		GSI1PK: gsiCases, GSI1SK: c.OpenedAt.Format(time.RFC3339Nano) + "#" + c.CaseID,
		Case: c,
	}
	av, err := attributevalue.MarshalMap(m)
	if err != nil {
		return fmt.Errorf("write case %s: %w", c.CaseID, err)
	}
	in := &dynamodb.PutItemInput{TableName: aws.String(s.Table), Item: av}
	if prev == 0 {
		in.ConditionExpression = aws.String("attribute_not_exists(pk)")
	} else {
		in.ConditionExpression = aws.String("version = :v")
		in.ExpressionAttributeValues = map[string]types.AttributeValue{
			":v": &types.AttributeValueMemberN{Value: fmt.Sprint(prev)},
		}
	}
	_, err = s.DB.PutItem(ctx, in)
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return &ConflictError{CaseID: c.CaseID}
	}
	if err != nil {
		return fmt.Errorf("write case %s: %w", c.CaseID, err)
	}
	return nil
}

func (s *Store) get(ctx context.Context, caseID, sk string, into any) (bool, error) {
	out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.Table),
		Key:            key(casetable.CasePK(caseID), sk),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return false, fmt.Errorf("get %s %s: %w", caseID, sk, err)
	}
	if out.Item == nil {
		return false, nil
	}
	if err := attributevalue.UnmarshalMap(out.Item, into); err != nil {
		return false, fmt.Errorf("decode %s %s: %w", caseID, sk, err)
	}
	return true, nil
}

func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		casetable.AttrPK: &types.AttributeValueMemberS{Value: pk},
		casetable.AttrSK: &types.AttributeValueMemberS{Value: sk},
	}
}

// NoteChangeAfterClose records on a closed case that the ledger filed a
// failure in shard of set (a version's subject set, casetable.SetID) after
// the close counted it: the case's Reach may no longer say who is owed a
// notice. It reports false, and changes nothing, when the case is not
// closed: the count still to come reads the failure from the ledger.
//
// It is one conditional update of the case record, never a read: the
// events functions call it for every failure they file, which during a
// send is a steady trickle of refused conditions and never a hot read.
// Noting a shard twice changes nothing but ChangedAt, so an event filed
// again (its source retries, or a crash came between the ledger's write
// and this one) is safe. It moves the record's version on, so an Update
// racing it reads again instead of writing the note away.
//
// A failure filed between the close's count and its write is in neither:
// a window of one conditional write.
func (s *Store) NoteChangeAfterClose(ctx context.Context, set string, shard int) (bool, error) {
	caseID, version := casetable.CaseOfSet(set)
	_, err := s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(s.Table),
		Key:                      key(casetable.CasePK(caseID), skMeta),
		UpdateExpression:         aws.String("ADD changed_after_close :k, version :one SET changed_at = :now, changed_since = if_not_exists(changed_since, :now)"),
		ConditionExpression:      aws.String("#st = :closed"),
		ExpressionAttributeNames: map[string]string{"#st": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":k":      &types.AttributeValueMemberSS{Value: []string{ChangeKey(version, shard)}},
			":one":    &types.AttributeValueMemberN{Value: "1"},
			":now":    &types.AttributeValueMemberS{Value: s.now().Format(time.RFC3339Nano)},
			":closed": &types.AttributeValueMemberS{Value: string(StatusClosed)},
		},
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("note a change after the close of %s: %w", caseID, err)
	}
	return true, nil
}

// ErrTakenUp is ClaimClosed's answer when the case is no longer closed
// under the execution that closed it: another starter took it up first.
var ErrTakenUp = errors.New("another execution took the case up")

// ClaimClosed records arn as the execution of a closed case (closed, or no
// notification required), if the case still stands closed under the
// execution old that closed it, so intake lets that execution (and only
// it) run the case: of several starters racing, one wins and the others
// get ErrTakenUp. A starter whose StartExecution then fails gives the case
// back with ClaimClosed(caseID, arn, old).
func (s *Store) ClaimClosed(ctx context.Context, caseID, old, arn string) error {
	_, err := s.Update(ctx, caseID, func(c *Case) error {
		if c.ExecutionArn != old || (c.Status != StatusClosed && c.Status != StatusNoNotification) {
			return ErrTakenUp
		}
		c.ExecutionArn = arn
		return nil
	})
	return err
}

// RecordScope keeps what scoping found with the case: people by
// jurisdiction and by channel plan (scope.Totals.ByChannel) and the
// recipient-set hash approval binds to.
func (s *Store) RecordScope(ctx context.Context, caseID string, byJurisdiction, byChannel map[string]int64, recipientSetHash string) (Case, error) {
	return s.Update(ctx, caseID, func(c *Case) error {
		c.Subjects = make(map[breach.Jurisdiction]int, len(byJurisdiction))
		for j, n := range byJurisdiction {
			c.Subjects[breach.Jurisdiction(j)] = int(n)
		}
		c.Channels = nil
		for ch, n := range byChannel {
			if c.Channels == nil {
				c.Channels = map[string]int{}
			}
			c.Channels[ch] = int(n)
		}
		c.RecipientSetHash = recipientSetHash
		if c.Status == StatusOpen {
			c.Status = StatusScoped
		}
		return nil
	})
}

// ScopeCriteria returns the scope criteria of the case's stored report: what
// the scope function reads instead of carrying criteria in its payload.
func (s *Store) ScopeCriteria(ctx context.Context, caseID string) (*criteria.Criteria, error) {
	r, _, err := s.Report(ctx, caseID)
	if err != nil {
		return nil, err
	}
	return r.Scope, nil
}

// ChannelPolicy returns the channel policy of the case's stored report (nil:
// the default), which scoping turns into each person's channel plan.
func (s *Store) ChannelPolicy(ctx context.Context, caseID string) (*channelplan.Policy, error) {
	r, _, err := s.Report(ctx, caseID)
	if err != nil {
		return nil, err
	}
	return r.ChannelPolicy, nil
}
