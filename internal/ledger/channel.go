package ledger

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"breachflow/internal/casetable"
)

// ChannelSend is one person's record on a channel other than e-mail: the
// message the channel accepted, or why it could not send (Failed).
type ChannelSend struct {
	UserID    string
	MessageID string
	SentAt    time.Time
	Failed    string
	// Receipt is the last delivery receipt filed for the person on the
	// channel (ApplyReceipt); zero when none has come.
	Receipt Receipt
}

// ChannelSends calls fn for every person of the shard with a record on
// channel, in key order, with their first record (the notice of record).
// It pages the shard as the channel's sends were paged and holds one page
// at a time. A person the channel skipped has no record and is not
// reported.
func (l *Ledger) ChannelSends(ctx context.Context, caseID string, shard int, channel string, fn func(ChannelSend) error) error {
	return channelSends(ctx, l.DB, l.Table, caseID, shard, channel, l.page(), fn)
}

// ChannelSends is Ledger.ChannelSends for readers that hold only a Querier.
func ChannelSends(ctx context.Context, db Querier, table, caseID string, shard int, channel string, fn func(ChannelSend) error) error {
	return channelSends(ctx, db, table, caseID, shard, channel, DefaultPage, fn)
}

func channelSends(ctx context.Context, db Querier, table, caseID string, shard int, channel string, def int, fn func(ChannelSend) error) error {
	size, err := channelPage(ctx, db, table, caseID, shard, channel, def)
	if err != nil {
		return err
	}
	pk := casetable.ChannelSendPK(caseID, shard, channel)
	cursor := ""
	for {
		p, err := readPage(ctx, db, table, caseID, shard, cursor, size, false)
		if err != nil {
			return err
		}
		if len(p.Subjects) > 0 {
			sent, err := pageSends(ctx, db, table, pk, cursor)
			if err != nil {
				return err
			}
			receipts, err := pageReceipts(ctx, db, table, pk, p.Subjects[0].UserID, p.Subjects[len(p.Subjects)-1].UserID)
			if err != nil {
				return err
			}
			for _, s := range p.Subjects {
				e, ok := sent[s.UserID]
				if !ok {
					continue
				}
				if err := fn(ChannelSend{UserID: s.UserID, MessageID: e.MessageID, SentAt: time.UnixMilli(e.SentAt).UTC(), Failed: e.Failed, Receipt: receipts[s.UserID]}); err != nil {
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

// Receipt is a delivery receipt of a channel's message: what the carrier
// reported, when, and whether it is the message's last word.
type Receipt struct {
	UserID    string
	MessageID string
	// Status is "delivered", "successful" (handed to the carrier, which
	// reports nothing further), "pending", or "undelivered:<EVENT_TYPE>".
	Status string
	Final  bool
	At     time.Time
}

func receiptSK(userID string) string { return "EVENT#" + userID }

// ApplyReceipt files a delivery receipt of a channel's message in the
// channel's send partition, one item per person (never on the subject,
// whose state is e-mail's). Receipts arrive out of order and more than
// once: a receipt older than the one filed, or a non-final one after a
// final, changes nothing (Stale).
func (l *Ledger) ApplyReceipt(ctx context.Context, caseID string, shard int, channel string, r Receipt) (Outcome, error) {
	cond := "attribute_not_exists(receipt_at) OR receipt_at < :at"
	vals := map[string]types.AttributeValue{
		":at": num(r.At.UnixMilli()), ":s": str(r.Status), ":m": str(r.MessageID),
		":f": &types.AttributeValueMemberBOOL{Value: r.Final}, ":u": str(r.UserID),
	}
	if !r.Final {
		cond = "attribute_not_exists(receipt_at) OR (receipt_at < :at AND receipt_final = :no)"
		vals[":no"] = &types.AttributeValueMemberBOOL{Value: false}
	}
	_, err := l.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(l.Table),
		Key:                       Key{PK: casetable.ChannelSendPK(caseID, shard, channel), SK: receiptSK(r.UserID)}.av(),
		UpdateExpression:          aws.String("SET receipt_at = :at, receipt_status = :s, receipt_message = :m, receipt_final = :f, user_id = :u"),
		ConditionExpression:       aws.String(cond),
		ExpressionAttributeValues: vals,
	})
	if isConditional(err) {
		return Stale, nil
	}
	if err != nil {
		return "", fmt.Errorf("apply %s receipt on shard %d: %w", channel, shard, err)
	}
	return Applied, nil
}

type receiptItem struct {
	UserID  string `dynamodbav:"user_id"`
	At      int64  `dynamodbav:"receipt_at"`
	Status  string `dynamodbav:"receipt_status"`
	Message string `dynamodbav:"receipt_message"`
	Final   bool   `dynamodbav:"receipt_final"`
}

// pageReceipts reads the receipts of the users from first to last (a
// page's), by user.
func pageReceipts(ctx context.Context, db Querier, table, pk, first, last string) (map[string]Receipt, error) {
	pg := dynamodb.NewQueryPaginator(db, &dynamodb.QueryInput{
		TableName:              aws.String(table),
		KeyConditionExpression: aws.String("pk = :pk AND sk BETWEEN :a AND :b"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": str(pk), ":a": str(receiptSK(first)), ":b": str(receiptSK(last)),
		},
		ConsistentRead: aws.Bool(true),
	})
	out := map[string]Receipt{}
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("query %s receipts: %w", pk, err)
		}
		var items []receiptItem
		if err := attributevalue.UnmarshalListOfMaps(page.Items, &items); err != nil {
			return nil, fmt.Errorf("query %s receipts: decode: %w", pk, err)
		}
		for _, it := range items {
			out[it.UserID] = Receipt{UserID: it.UserID, MessageID: it.Message, Status: it.Status, Final: it.Final, At: time.UnixMilli(it.At).UTC()}
		}
	}
	return out, nil
}

// Reached reports whether the channel reached the person, as far as is
// known: the message was accepted and no receipt says it was not delivered
// (a refused send, or an "undelivered:..." receipt, moves the person on
// along their channel plan).
func (c ChannelSend) Reached() bool {
	return c.Failed == "" && !strings.HasPrefix(c.Receipt.Status, "undelivered")
}
