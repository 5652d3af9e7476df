package ledger

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"breachflow/internal/casetable"
)

// ChannelOutcomes reads, for the subjects of one page of a leased shard (a
// Page as Unsent returned it: Start its cursor, Subjects in key order, any
// of them filtered out), their records on another channel of the same
// shard: each person's first record there with the receipt filed for them,
// by user id. A person without a record on the channel is absent. The
// e-mail send stage asks it before e-mailing people whose plan puts a text
// first: e-mail is due for them only once their text failed
// (ChannelSend.Reached).
//
// It costs a page a few queries, never one per person: the channel's lease
// item (its page size; a channel never leased has no records and costs
// nothing more), the records filed under the channel's pages that hold the
// page's people, and their receipts (one range query). When the channel's
// pages fall where this lease's do (the same page size, as every run of one
// deployment has), the records are those of the page with the same cursor,
// one query; otherwise a reverse query of one item finds the channel's
// page the first person falls in and a range query reads from there to the
// last person.
func (l *Ledger) ChannelOutcomes(ctx context.Context, lease Lease, channel string, p Page) (map[string]ChannelSend, error) {
	if len(p.Subjects) == 0 {
		return nil, nil
	}
	size, err := leasedPage(ctx, l.DB, l.Table, lease.CaseID, lease.Shard, channel)
	if err != nil {
		return nil, err
	}
	if size == 0 {
		return nil, nil // never leased: nobody has a record on the channel
	}
	pk := casetable.ChannelSendPK(lease.CaseID, lease.Shard, channel)
	first, last := p.Subjects[0].UserID, p.Subjects[len(p.Subjects)-1].UserID
	var sent map[string]sentEntry
	if size == lease.PageSize {
		sent, err = pageSends(ctx, l.DB, l.Table, pk, p.Start)
	} else {
		sent, err = rangeSends(ctx, l.DB, l.Table, pk, first, last)
	}
	if err != nil {
		return nil, err
	}
	if len(sent) == 0 {
		return nil, nil
	}
	receipts, err := pageReceipts(ctx, l.DB, l.Table, pk, first, last)
	if err != nil {
		return nil, err
	}
	out := make(map[string]ChannelSend, len(p.Subjects))
	for _, s := range p.Subjects {
		if e, ok := sent[s.UserID]; ok {
			out[s.UserID] = ChannelSend{UserID: s.UserID, MessageID: e.MessageID, SentAt: time.UnixMilli(e.SentAt).UTC(), Failed: e.Failed, Receipt: receipts[s.UserID]}
		}
	}
	return out, nil
}

// rangeSends reads the send records in partition pk of the people from
// first to last when its pages do not fall where the reader's do: every
// record filed under a page whose cursor lies from the last cursor before
// first up to last. That is a superset of the pages holding the people
// (the page before first's may end before it); entries of people outside
// first..last are dropped.
func rangeSends(ctx context.Context, db Querier, table, pk, first, last string) (map[string]sentEntry, error) {
	// The page first falls in starts after the greatest cursor below
	// first: the last record filed before "PAGE#<first>".
	prev, err := db.Query(ctx, &dynamodb.QueryInput{
		TableName:              aws.String(table),
		KeyConditionExpression: aws.String("pk = :pk AND sk BETWEEN :a AND :b"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": str(pk), ":a": str("PAGE#"), ":b": str("PAGE#" + first),
		},
		ScanIndexForward:     aws.Bool(false),
		Limit:                aws.Int32(1),
		ProjectionExpression: aws.String("page"),
		ConsistentRead:       aws.Bool(true),
	})
	if err != nil {
		return nil, fmt.Errorf("query %s: %w", pk, err)
	}
	from := ""
	if len(prev.Items) == 1 {
		var rec sendRecord
		if err := attributevalue.UnmarshalMap(prev.Items[0], &rec); err != nil {
			return nil, fmt.Errorf("query %s: decode: %w", pk, err)
		}
		from = rec.Page
	}
	return querySends(ctx, db, &dynamodb.QueryInput{
		TableName:              aws.String(table),
		KeyConditionExpression: aws.String("pk = :pk AND sk BETWEEN :a AND :b"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			// A page whose cursor is last holds only people after it.
			":pk": str(pk), ":a": str("PAGE#" + from), ":b": str("PAGE#" + last),
		},
		ConsistentRead: aws.Bool(true),
	}, pk, nil, func(user string) bool { return user >= first && user <= last })
}

// leasedPage is the page size the channel's first lease of the shard fixed,
// 0 when no lease was ever taken there (so nothing is recorded).
func leasedPage(ctx context.Context, db Querier, table, caseID string, shard int, channel string) (int, error) {
	return channelPage(ctx, db, table, caseID, shard, channel, 0)
}
