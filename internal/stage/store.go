package stage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"breachflow/internal/casetable"
	"breachflow/internal/rules"
)

// DB is the part of the DynamoDB client the store uses.
type DB interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

// Sort keys and the due index.
const (
	// skPrefix starts a task's sort key under the case: "STAGE#<obligation id>".
	skPrefix = "STAGE#"
	// DueIndexPK is the gsi1 partition of scheduled tasks; gsi1sk is the
	// due time (UTC, fixed width) + "#<case>#<obligation>". Only scheduled
	// tasks are in it, so the sweeper reads exactly what may come due.
	DueIndexPK = "STAGES#SCHEDULED"
	// StartedIndexPK is the gsi1 partition of started tasks, keyed the
	// same way: the sweeper reads it to find runs that ended, or never
	// began, without giving their task back (Sweeper.recover).
	StartedIndexPK = "STAGES#STARTED"
)

// Errors.
var (
	// ErrNotFound: the case has no such staged duty.
	ErrNotFound = errors.New("staged duty not found")
	// ErrConflict: the task changed since it was read (another writer, or
	// a state it cannot move from).
	ErrConflict = errors.New("staged duty changed concurrently or is not in the expected state")
)

// Store keeps a case's staged duties in the case table, one item per task
// under the case's partition, each written with a version check.
type Store struct {
	DB    DB
	Table string
}

func sk(obligationID string) string { return skPrefix + obligationID }

func dueSK(t Task) string {
	return t.DueAt.UTC().Format("2006-01-02T15:04:05.000Z") + "#" + t.CaseID + "#" + t.ObligationID
}

// put writes t if the stored version is prev (0: the item must not exist),
// with t.Version = prev+1.
func (s Store) put(ctx context.Context, t Task, prev int64) error {
	t.Version = prev + 1
	item, err := attributevalue.MarshalMapWithOptions(t, func(o *attributevalue.EncoderOptions) { o.OmitEmptyTime = true })
	if err != nil {
		return fmt.Errorf("stage %s/%s: %w", t.CaseID, t.ObligationID, err)
	}
	item[casetable.AttrPK] = &types.AttributeValueMemberS{Value: casetable.CasePK(t.CaseID)}
	item[casetable.AttrSK] = &types.AttributeValueMemberS{Value: sk(t.ObligationID)}
	switch {
	case t.Status == StatusScheduled && !t.DueAt.IsZero():
		item[casetable.AttrGSI1PK] = &types.AttributeValueMemberS{Value: DueIndexPK}
		item[casetable.AttrGSI1SK] = &types.AttributeValueMemberS{Value: dueSK(t)}
	case t.Status == StatusStarted:
		item[casetable.AttrGSI1PK] = &types.AttributeValueMemberS{Value: StartedIndexPK}
		item[casetable.AttrGSI1SK] = &types.AttributeValueMemberS{Value: dueSK(t)}
	}
	in := &dynamodb.PutItemInput{TableName: aws.String(s.Table), Item: item}
	if prev == 0 {
		in.ConditionExpression = aws.String("attribute_not_exists(#sk)")
		in.ExpressionAttributeNames = map[string]string{"#sk": casetable.AttrSK}
	} else {
		in.ConditionExpression = aws.String("#v = :v")
		in.ExpressionAttributeNames = map[string]string{"#v": "version"}
		in.ExpressionAttributeValues = map[string]types.AttributeValue{":v": &types.AttributeValueMemberN{Value: fmt.Sprint(prev)}}
	}
	_, err = s.DB.PutItem(ctx, in)
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return fmt.Errorf("stage %s/%s: %w", t.CaseID, t.ObligationID, ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("stage %s/%s: %w", t.CaseID, t.ObligationID, err)
	}
	return nil
}

// Get reads one task.
func (s Store) Get(ctx context.Context, caseID, obligationID string) (Task, error) {
	out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.Table), ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{
			casetable.AttrPK: &types.AttributeValueMemberS{Value: casetable.CasePK(caseID)},
			casetable.AttrSK: &types.AttributeValueMemberS{Value: sk(obligationID)},
		},
	})
	if err != nil {
		return Task{}, fmt.Errorf("stage %s/%s: %w", caseID, obligationID, err)
	}
	if out.Item == nil {
		return Task{}, fmt.Errorf("stage %s/%s: %w", caseID, obligationID, ErrNotFound)
	}
	var t Task
	if err := attributevalue.UnmarshalMap(out.Item, &t); err != nil {
		return Task{}, fmt.Errorf("stage %s/%s: %w", caseID, obligationID, err)
	}
	return t, nil
}

// List returns a case's staged duties, by obligation id.
func (s Store) List(ctx context.Context, caseID string) ([]Task, error) {
	in := &dynamodb.QueryInput{
		TableName:              aws.String(s.Table),
		KeyConditionExpression: aws.String("#pk = :pk AND begins_with(#sk, :p)"),
		ExpressionAttributeNames: map[string]string{
			"#pk": casetable.AttrPK, "#sk": casetable.AttrSK,
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": &types.AttributeValueMemberS{Value: casetable.CasePK(caseID)},
			":p":  &types.AttributeValueMemberS{Value: skPrefix},
		},
		ConsistentRead: aws.Bool(true),
	}
	return s.query(ctx, in, "stages of "+caseID)
}

// Due returns the scheduled tasks of every case due at or before until,
// earliest first: what the sweeper starts.
func (s Store) Due(ctx context.Context, until time.Time) ([]Task, error) {
	in := &dynamodb.QueryInput{
		TableName:              aws.String(s.Table),
		IndexName:              aws.String(casetable.IndexGSI1),
		KeyConditionExpression: aws.String("#pk = :pk AND #sk <= :u"),
		ExpressionAttributeNames: map[string]string{
			"#pk": casetable.AttrGSI1PK, "#sk": casetable.AttrGSI1SK,
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": &types.AttributeValueMemberS{Value: DueIndexPK},
			// "~" sorts after every case id character, so a task due
			// exactly at until is included.
			":u": &types.AttributeValueMemberS{Value: until.UTC().Format("2006-01-02T15:04:05.000Z") + "#~"},
		},
	}
	return s.query(ctx, in, "due stages")
}

// Started returns the started tasks of every case: each has a stage run
// under way, or had one that stopped without giving the task back.
func (s Store) Started(ctx context.Context) ([]Task, error) {
	in := &dynamodb.QueryInput{
		TableName:              aws.String(s.Table),
		IndexName:              aws.String(casetable.IndexGSI1),
		KeyConditionExpression: aws.String("#pk = :pk"),
		ExpressionAttributeNames: map[string]string{
			"#pk": casetable.AttrGSI1PK,
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": &types.AttributeValueMemberS{Value: StartedIndexPK},
		},
	}
	return s.query(ctx, in, "started stages")
}

func (s Store) query(ctx context.Context, in *dynamodb.QueryInput, what string) ([]Task, error) {
	var out []Task
	for {
		page, err := s.DB.Query(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		for _, item := range page.Items {
			var t Task
			if err := attributevalue.UnmarshalMap(item, &t); err != nil {
				return nil, fmt.Errorf("%s: %w", what, err)
			}
			out = append(out, t)
		}
		if len(page.LastEvaluatedKey) == 0 {
			return out, nil
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
	}
}

// Sync makes the case's stored tasks follow an assessment: a staged duty
// new to it is added; one not yet started takes the assessment's date and
// status (an amendment may start a waiting task's clock); one the
// assessment no longer requires is cancelled unless it was filed or its
// run has started (a started run finishes, or fails back to scheduled and
// is then reconciled). Filed tasks are never touched. It returns the
// case's tasks after the change.
func (s Store) Sync(ctx context.Context, caseID string, a rules.Assessment, now time.Time) ([]Task, error) {
	have, err := s.List(ctx, caseID)
	if err != nil {
		return nil, err
	}
	byID := map[string]Task{}
	for _, t := range have {
		byID[t.ObligationID] = t
	}
	want := map[string]bool{}
	for _, t := range Tasks(caseID, a) {
		want[t.ObligationID] = true
		t.UpdatedAt = now
		old, ok := byID[t.ObligationID]
		switch {
		case !ok:
			if err := s.put(ctx, t, 0); err != nil {
				return nil, err
			}
		case old.Status == StatusWaiting || old.Status == StatusScheduled || old.Status == StatusCancelled:
			if old.Status == t.Status && old.DueAt.Equal(t.DueAt) && old.Note == t.Note {
				continue
			}
			t.Attempts, t.Run = old.Attempts, old.Run
			if err := s.put(ctx, t, old.Version); err != nil {
				return nil, err
			}
		}
	}
	for _, old := range have {
		if want[old.ObligationID] || (old.Status != StatusWaiting && old.Status != StatusScheduled) {
			continue
		}
		old.Status, old.Note, old.UpdatedAt = StatusCancelled, "no longer required by the current version of the report", now
		if err := s.put(ctx, old, old.Version); err != nil {
			return nil, err
		}
	}
	return s.List(ctx, caseID)
}

// Start moves a scheduled task to started under run (the stage run's
// execution name), once: a second caller gets ErrConflict.
func (s Store) Start(ctx context.Context, t Task, run string, now time.Time) (Task, error) {
	if t.Status != StatusScheduled {
		return Task{}, fmt.Errorf("stage %s/%s is %s: %w", t.CaseID, t.ObligationID, t.Status, ErrConflict)
	}
	prev := t.Version
	// The note said why the task waited; the audit log keeps it.
	t.Status, t.Run, t.Attempts, t.Note, t.UpdatedAt = StatusStarted, run, t.Attempts+1, "", now
	if err := s.put(ctx, t, prev); err != nil {
		return Task{}, err
	}
	t.Version = prev + 1
	return t, nil
}

// Update reads a task, lets change edit it, and writes it back if nobody
// wrote in between.
func (s Store) Update(ctx context.Context, caseID, obligationID string, change func(*Task) error) (Task, error) {
	t, err := s.Get(ctx, caseID, obligationID)
	if err != nil {
		return Task{}, err
	}
	prev := t.Version
	if err := change(&t); err != nil {
		return Task{}, err
	}
	if err := s.put(ctx, t, prev); err != nil {
		return Task{}, err
	}
	t.Version = prev + 1
	return t, nil
}
