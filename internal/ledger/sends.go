package ledger

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"breachflow/internal/casetable"
)

// Send is one notice SES accepted: who, which message, when, and the page
// of the shard the person was read from (its start cursor).
type Send struct {
	UserID    string
	Page      string
	MessageID string
	SentAt    time.Time
	// Failed, on a channel other than e-mail, is why the person could not
	// be sent on it (a short code, never personal data: "invalid_number",
	// "no_sender", "too_long"); MessageID is then empty. The record is the
	// person's fallback entry on that channel, and the channel is done with
	// them. E-mail failures are written on the subject (FailSubject).
	Failed string
}

// sendRecord is one stored batch of sends, all from one page of a shard:
// sort key "PAGE#<page>#<lease token>#<batch>#<n>". Records are written
// after SendEmail returns and never changed; SES events update the
// subject, not the record. The sends are one JSON string attribute (user
// id to entry), not a DynamoDB map: a database checks and sizes every
// member of a map on every write, a string once.
type sendRecord struct {
	Page  string `dynamodbav:"page"`
	Token int64  `dynamodbav:"token"`
	Sends string `dynamodbav:"sends"`
}

type sentEntry struct {
	MessageID string `json:"m"`
	SentAt    int64  `json:"t"`           // Unix ms
	Failed    string `json:"f,omitempty"` // a channel failure's code
}

// MaxRecordBatch is the most sends one record write carries.
const MaxRecordBatch = 25

// ErrNotPending means a subject could not be marked failed because it is no
// longer pending: an SES event or another run got there first.
var ErrNotPending = errors.New("ledger: subject not pending")

// ErrNoSubject means the case has no such subject.
var ErrNoSubject = errors.New("ledger: no such subject")

// Querier is the read side of the table, for callers that only read.
type Querier interface {
	Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

func recordPrefix(page string) string { return "PAGE#" + page + "#" }

// RecordSends writes one batch of a run's sends (at most MaxRecordBatch):
// one item per page the batch touches, in one request. batch numbers the
// run's batches; with the lease token it makes each item's key unique, so a
// write never replaces another run's record.
func (l *Ledger) RecordSends(ctx context.Context, lease Lease, batch int, sends []Send) error {
	if len(sends) > MaxRecordBatch {
		return fmt.Errorf("record sends: %d sends in one batch, at most %d", len(sends), MaxRecordBatch)
	}
	byPage := map[string]map[string]sentEntry{}
	var pages []string
	for _, s := range sends {
		entries := byPage[s.Page]
		if entries == nil {
			entries = map[string]sentEntry{}
			byPage[s.Page] = entries
			pages = append(pages, s.Page)
		}
		entries[s.UserID] = sentEntry{MessageID: s.MessageID, SentAt: s.SentAt.UnixMilli(), Failed: s.Failed}
	}
	pk := casetable.ChannelSendPK(lease.CaseID, lease.Shard, lease.Channel)
	reqs := make([]types.WriteRequest, 0, len(pages))
	for i, page := range pages {
		js, err := json.Marshal(byPage[page])
		if err != nil {
			return fmt.Errorf("record sends: %w", err)
		}
		item, err := attributevalue.MarshalMap(sendRecord{Page: page, Token: lease.Token, Sends: string(js)})
		if err != nil {
			return fmt.Errorf("record sends: %w", err)
		}
		item[casetable.AttrPK] = str(pk)
		item[casetable.AttrSK] = str(fmt.Sprintf("%s%d#%d#%d", recordPrefix(page), lease.Token, batch, i))
		reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: item}})
	}
	var err error
	if len(reqs) == 1 {
		// The usual case, a batch from one page: a plain put costs the
		// database less than a batch of one.
		_, err = l.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(l.Table), Item: reqs[0].PutRequest.Item})
	} else {
		err = l.batchWrite(ctx, reqs)
	}
	if err != nil {
		return fmt.Errorf("record sends on shard %d: %w", lease.Shard, err)
	}
	return nil
}

// batchWrite writes reqs, retrying unprocessed items with capped backoff.
func (l *Ledger) batchWrite(ctx context.Context, reqs []types.WriteRequest) error {
	wait := 5 * time.Millisecond
	for try := 0; ; try++ {
		out, err := l.DB.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{l.Table: reqs}})
		if err != nil {
			return err
		}
		reqs = out.UnprocessedItems[l.Table]
		if len(reqs) == 0 {
			return nil
		}
		if try == 10 {
			return fmt.Errorf("%d items unprocessed after %d tries", len(reqs), try+1)
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return ctx.Err()
		}
		wait = min(2*wait, time.Second)
	}
}

// FailSubject marks a pending subject failed for reason (a short code,
// never personal data), which puts them on the fallback list.
func (l *Ledger) FailSubject(ctx context.Context, k Key, reason string, now time.Time) error {
	_, err := l.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(l.Table),
		Key:                      k.av(),
		UpdateExpression:         aws.String("SET #s = :f, reason = :r, updated_at = :now"),
		ConditionExpression:      aws.String("#s = :p"),
		ExpressionAttributeNames: map[string]string{"#s": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":f": str(string(casetable.StatusFailed)), ":p": str(string(casetable.StatusPending)),
			":r": str(reason), ":now": str(now.UTC().Format(time.RFC3339Nano)),
		},
	})
	return conditional(err, ErrNotPending, "fail "+k.SK)
}

// Page is one page of a shard's subjects.
type Page struct {
	// Start is the page's cursor: the user id before its first subject
	// (empty for the shard's first page).
	Start    string
	Subjects []casetable.Subject
	// Next is the cursor of the following page; empty when this was the last.
	Next string
}

// Unsent returns the subjects of the leased shard's page at cursor that are
// pending and have no send record. On a channel other than e-mail
// (lease.Channel) the subject's status, which is e-mail's, does not count:
// every subject without a record on the channel is returned, and the
// channel decides whom it sends to. A page is always the next
// lease.PageSize subjects in key order, whatever their state (DynamoDB
// filters the rest out after counting them), so pages fall at the same
// places on every read: cursor must be "" or a Next this ledger returned. The page may
// hold none while Next is still set. Reads are strongly consistent: a
// record written by the run before must be seen. attrs, when given, are
// the only subject attributes read besides the keys and the user id (a
// channel that needs few of them: less for the database to send and for
// the caller to decode); the others read as zero values.
func (l *Ledger) Unsent(ctx context.Context, lease Lease, cursor string, attrs ...string) (Page, error) {
	caseID, shard := lease.CaseID, lease.Shard
	p, err := readPage(ctx, l.DB, l.Table, caseID, shard, cursor, lease.PageSize, lease.Channel == "", attrs...)
	if err != nil || len(p.Subjects) == 0 {
		return p, err
	}
	sent, err := pageSends(ctx, l.DB, l.Table, casetable.ChannelSendPK(caseID, shard, lease.Channel), cursor)
	if err != nil {
		return Page{}, err
	}
	keep := p.Subjects[:0]
	for _, s := range p.Subjects {
		if _, done := sent[s.UserID]; !done {
			keep = append(keep, s)
		}
	}
	p.Subjects = keep
	return p, nil
}

// readPage reads the page of size subjects after cursor, in as many
// queries as DynamoDB's 1 MB limit takes; pending limits the result to
// pending subjects without moving the page's bounds; attrs, when given,
// limit the attributes read (the keys and user id always are). A page's
// bounds count items, whatever is read of them.
func readPage(ctx context.Context, db Querier, table, caseID string, shard int, cursor string, size int, pending bool, attrs ...string) (Page, error) {
	pk := casetable.SubjectPK(caseID, shard)
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(table),
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(pk)},
		ExpressionAttributeNames:  map[string]string{},
		ConsistentRead:            aws.Bool(true),
	}
	if pending {
		in.FilterExpression = aws.String("#s = :p")
		in.ExpressionAttributeNames["#s"] = "status"
		in.ExpressionAttributeValues[":p"] = str(string(casetable.StatusPending))
	}
	if len(attrs) > 0 {
		names := make([]string, 0, len(attrs)+3)
		for i, a := range append([]string{casetable.AttrPK, casetable.AttrSK, "user_id"}, attrs...) {
			n := "#a" + strconv.Itoa(i)
			in.ExpressionAttributeNames[n] = a
			names = append(names, n)
		}
		in.ProjectionExpression = aws.String(strings.Join(names, ", "))
	}
	if len(in.ExpressionAttributeNames) == 0 {
		in.ExpressionAttributeNames = nil
	}
	p := Page{Start: cursor}
	if cursor != "" {
		in.ExclusiveStartKey = Key{PK: pk, SK: casetable.SubjectSK(cursor)}.av()
	}
	for scanned := 0; scanned < size; {
		in.Limit = aws.Int32(int32(size - scanned))
		out, err := db.Query(ctx, in)
		if err != nil {
			return Page{}, fmt.Errorf("query %s: %w", pk, err)
		}
		var subjects []casetable.Subject
		if err := attributevalue.UnmarshalListOfMaps(out.Items, &subjects); err != nil {
			return Page{}, fmt.Errorf("query %s: decode: %w", pk, err)
		}
		p.Subjects = append(p.Subjects, subjects...)
		scanned += int(out.ScannedCount)
		sk, ok := out.LastEvaluatedKey[casetable.AttrSK].(*types.AttributeValueMemberS)
		if !ok {
			p.Next = ""
			return p, nil
		}
		p.Next = strings.TrimPrefix(sk.Value, "USER#")
		in.ExclusiveStartKey = out.LastEvaluatedKey
		if out.ScannedCount == 0 {
			break // a page that counts nothing must not loop forever
		}
	}
	return p, nil
}

// pageSends reads the send records of the page at cursor in the send
// partition pk, by user.
func pageSends(ctx context.Context, db Querier, table, pk, cursor string) (map[string]sentEntry, error) {
	return querySends(ctx, db, &dynamodb.QueryInput{
		TableName:              aws.String(table),
		KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :page)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": str(pk), ":page": str(recordPrefix(cursor)),
		},
		ConsistentRead: aws.Bool(true),
	}, pk, func(page string) bool {
		return page == cursor // not a page whose cursor merely starts with this one's
	}, nil)
}

// querySends runs in over a send partition (pk) and returns, by user, the
// first send (the notice of record) of the records whose page cursor
// keepPage accepts and the users keepUser accepts (nil: all).
func querySends(ctx context.Context, db Querier, in *dynamodb.QueryInput, pk string, keepPage, keepUser func(string) bool) (map[string]sentEntry, error) {
	pg := dynamodb.NewQueryPaginator(db, in)
	out := map[string]sentEntry{}
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("query %s: %w", pk, err)
		}
		for _, it := range page.Items {
			var rec sendRecord
			if err := attributevalue.UnmarshalMap(it, &rec); err != nil {
				return nil, fmt.Errorf("query %s: decode: %w", pk, err)
			}
			if keepPage != nil && !keepPage(rec.Page) {
				continue
			}
			var entries map[string]sentEntry
			if err := json.Unmarshal([]byte(rec.Sends), &entries); err != nil {
				return nil, fmt.Errorf("query %s: send record of page %q: %w", pk, rec.Page, err)
			}
			for user, e := range entries {
				if keepUser != nil && !keepUser(user) {
					continue
				}
				if prev, ok := out[user]; !ok || e.SentAt < prev.SentAt {
					out[user] = e
				}
			}
		}
	}
	return out, nil
}

// Walk calls fn for every subject of one shard in key order, as delivery
// sees it: a pending subject with a send record is reported sent, with the
// record's message id and send time. It pages the shard as its sends were
// paged (the size its first lease fixed) and reads a page of subjects and
// that page's send records at a time, so memory stays at one page however
// large the shard.
func (l *Ledger) Walk(ctx context.Context, caseID string, shard int, fn func(*casetable.Subject) error) error {
	return walk(ctx, l.DB, l.Table, caseID, shard, l.page(), fn)
}

// Walk is Ledger.Walk for readers that hold only a Querier.
func Walk(ctx context.Context, db Querier, table, caseID string, shard int, fn func(*casetable.Subject) error) error {
	return walk(ctx, db, table, caseID, shard, DefaultPage, fn)
}

func walk(ctx context.Context, db Querier, table, caseID string, shard, def int, fn func(*casetable.Subject) error) error {
	size, err := shardPage(ctx, db, table, caseID, shard, def)
	if err != nil {
		return err
	}
	cursor := ""
	for {
		p, err := readPage(ctx, db, table, caseID, shard, cursor, size, false)
		if err != nil {
			return err
		}
		if len(p.Subjects) > 0 {
			sent, err := pageSends(ctx, db, table, casetable.SendPK(caseID, shard), cursor)
			if err != nil {
				return err
			}
			for i := range p.Subjects {
				s := &p.Subjects[i]
				if e, ok := sent[s.UserID]; ok {
					withSend(s, e)
				}
				if err := fn(s); err != nil {
					return err
				}
			}
		}
		if p.Next == "" {
			return nil
		}
		cursor = p.Next
	}
}

// errFound stops a walk early.
var errFound = errors.New("found")

// Person reads one subject as Walk reports it. It walks the subject's
// shard, so it is for tests and single lookups, not for loops.
func (l *Ledger) Person(ctx context.Context, caseID string, shard int, userID string) (*casetable.Subject, error) {
	var got *casetable.Subject
	err := l.Walk(ctx, caseID, shard, func(s *casetable.Subject) error {
		if s.UserID != userID {
			return nil
		}
		c := *s
		got = &c
		return errFound
	})
	switch {
	case errors.Is(err, errFound):
		return got, nil
	case err != nil:
		return nil, fmt.Errorf("read subject %s: %w", userID, err)
	}
	return nil, fmt.Errorf("read subject %s: %w", userID, ErrNoSubject)
}

// withSend folds a send record into its subject.
func withSend(s *casetable.Subject, e sentEntry) {
	if s.Status == casetable.StatusPending {
		s.Status = casetable.StatusSent
	}
	if s.MessageID == "" {
		s.MessageID = e.MessageID
	}
	if s.SentAt == "" {
		s.SentAt = time.UnixMilli(e.SentAt).UTC().Format(time.RFC3339Nano)
	}
}
