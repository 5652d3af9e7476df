package ledger

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"breachflow/internal/casetable"
)

// Lease is a send run's hold on one shard: while it lasts, only the holder
// sends to the shard's people.
type Lease struct {
	CaseID string
	Shard  int
	// Token is the lease's fencing token: the count of leases ever taken on
	// the shard. A later holder always has a larger one.
	Token int64
	Until time.Time
	// PageSize is the shard's page size, fixed by the first lease ever
	// taken on it: send records are filed by page, so every run and every
	// reader of the shard must page alike, whatever their own default.
	PageSize int
	// Channel is the channel whose send partition the lease holds: ""
	// (e-mail) or casetable.ChannelSMS. Each channel of a shard has its own
	// lease and records.
	Channel string
}

// ShardBusy is returned by LeaseShard when another run holds the shard.
type ShardBusy struct {
	// Until is when the other run's lease ends.
	Until time.Time
}

func (e *ShardBusy) Error() string {
	return "ledger: shard held by another send run until " + e.Until.UTC().Format(time.RFC3339)
}

func leaseKey(caseID string, shard int) Key { return channelLeaseKey(caseID, shard, "") }

func channelLeaseKey(caseID string, shard int, channel string) Key {
	return Key{PK: casetable.ChannelSendPK(caseID, shard, channel), SK: casetable.LeaseSK}
}

func (lease Lease) key() Key { return channelLeaseKey(lease.CaseID, lease.Shard, lease.Channel) }

// LeaseShard takes the shard's send lease until until, if nobody holds it
// or the last holder's lease ended before now (it crashed or ran out of
// time). One conditional write claims every person of the shard for the
// run. When another run holds it, the error is a *ShardBusy. The send stage
// takes short leases and renews them (RenewLease) while it runs, so a
// crashed holder's shard is free one lease term after its last renewal.
func (l *Ledger) LeaseShard(ctx context.Context, caseID string, shard int, now, until time.Time) (Lease, error) {
	return l.LeaseChannel(ctx, "", caseID, shard, now, until)
}

// LeaseChannel is LeaseShard for one channel's send partition of the shard
// ("" is e-mail's, as LeaseShard takes it).
func (l *Ledger) LeaseChannel(ctx context.Context, channel, caseID string, shard int, now, until time.Time) (Lease, error) {
	if channel == casetable.ChannelEmail {
		channel = ""
	}
	k := channelLeaseKey(caseID, shard, channel)
	out, err := l.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(l.Table),
		Key:       k.av(),
		// Taking the shard clears the failure the last run noted: it is
		// being worked again.
		UpdateExpression:    aws.String("SET lease_until = :l, taken_at = :n, page_size = if_not_exists(page_size, :ps) REMOVE failed_error, failed_cause, failed_at ADD tokens :one"),
		ConditionExpression: aws.String("attribute_not_exists(lease_until) OR lease_until < :n"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":l": num(until.UnixMilli()), ":n": num(now.UnixMilli()), ":one": num(1), ":ps": num(int64(l.page())),
		},
		ReturnValues: types.ReturnValueUpdatedNew,
	})
	if err != nil {
		if !isConditional(err) {
			return Lease{}, fmt.Errorf("lease shard %d: %w", shard, err)
		}
		held, err := l.leaseUntil(ctx, k)
		if err != nil {
			return Lease{}, fmt.Errorf("lease shard %d: %w", shard, err)
		}
		return Lease{}, &ShardBusy{Until: held}
	}
	token, err := numAttr(out.Attributes, "tokens")
	if err != nil {
		return Lease{}, fmt.Errorf("lease shard %d: %w", shard, err)
	}
	size, err := numAttr(out.Attributes, "page_size")
	if err != nil || size < 1 {
		return Lease{}, fmt.Errorf("lease shard %d: page size %d: %v", shard, size, err)
	}
	return Lease{CaseID: caseID, Shard: shard, Token: token, Until: time.UnixMilli(until.UnixMilli()), PageSize: int(size), Channel: channel}, nil
}

func numAttr(attrs map[string]types.AttributeValue, name string) (int64, error) {
	n, ok := attrs[name].(*types.AttributeValueMemberN)
	if !ok {
		return 0, fmt.Errorf("no %s returned", name)
	}
	v, err := strconv.ParseInt(n.Value, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s %q: %w", name, n.Value, err)
	}
	return v, nil
}

// shardPage is the page size a shard's records are filed by: the one its
// first lease fixed, or def when nobody has leased it (so nothing is
// recorded and any size reads it right).
func shardPage(ctx context.Context, db Querier, table, caseID string, shard, def int) (int, error) {
	return channelPage(ctx, db, table, caseID, shard, "", def)
}

func channelPage(ctx context.Context, db Querier, table, caseID string, shard int, channel string, def int) (int, error) {
	k := channelLeaseKey(caseID, shard, channel)
	out, err := db.Query(ctx, &dynamodb.QueryInput{
		TableName:                 aws.String(table),
		KeyConditionExpression:    aws.String("pk = :pk AND sk = :sk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(k.PK), ":sk": str(k.SK)},
		ProjectionExpression:      aws.String("page_size"),
		ConsistentRead:            aws.Bool(true),
	})
	if err != nil {
		return 0, fmt.Errorf("read the page size of shard %d: %w", shard, err)
	}
	if len(out.Items) == 0 {
		return def, nil
	}
	if _, ok := out.Items[0]["page_size"]; !ok {
		return def, nil // a failure noted on the item, no lease yet
	}
	size, err := numAttr(out.Items[0], "page_size")
	if err != nil || size < 1 {
		return 0, fmt.Errorf("read the %s page size of shard %d: %d: %v", channelName(channel), shard, size, err)
	}
	return int(size), nil
}

func channelName(channel string) string {
	if channel == "" {
		return casetable.ChannelEmail
	}
	return channel
}

// leaseUntil reads when the shard's current lease ends.
func (l *Ledger) leaseUntil(ctx context.Context, k Key) (time.Time, error) {
	out, err := l.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(l.Table), Key: k.av(), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return time.Time{}, err
	}
	n, ok := out.Item["lease_until"].(*types.AttributeValueMemberN)
	if !ok {
		// Released between the write and this read: busy for no time.
		return time.Time{}, nil
	}
	ms, err := strconv.ParseInt(n.Value, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("lease_until %q: %w", n.Value, err)
	}
	return time.UnixMilli(ms), nil
}

// RenewLease moves the end of the holder's lease to until, provided the
// lease is still the holder's and has not ended by now: a lease that ran
// out may already be another run's, and is never revived. The returned
// lease carries the new end. ErrLeaseLost means the lease ended or another
// run holds the shard; the holder must stop starting sends.
func (l *Ledger) RenewLease(ctx context.Context, lease Lease, now, until time.Time) (Lease, error) {
	_, err := l.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:           aws.String(l.Table),
		Key:                 lease.key().av(),
		UpdateExpression:    aws.String("SET lease_until = :l, renewed_at = :n"),
		ConditionExpression: aws.String("tokens = :t AND lease_until > :n"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":t": num(lease.Token), ":l": num(until.UnixMilli()), ":n": num(now.UnixMilli()),
		},
	})
	if err := conditional(err, ErrLeaseLost, fmt.Sprintf("renew lease on shard %d", lease.Shard)); err != nil {
		return lease, err
	}
	lease.Until = time.UnixMilli(until.UnixMilli())
	return lease, nil
}

// CheckLease confirms the lease is still the holder's, recording how far the run
// has got (cursor, a user id) for whoever looks at the shard. The send stage
// calls it before each page, so a run whose lease was taken over stops
// within a page. ErrLeaseLost means another run holds the shard now.
func (l *Ledger) CheckLease(ctx context.Context, lease Lease, cursor string, now time.Time) error {
	_, err := l.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:           aws.String(l.Table),
		Key:                 lease.key().av(),
		UpdateExpression:    aws.String("SET at_cursor = :c, checked_at = :n"),
		ConditionExpression: aws.String("tokens = :t AND lease_until > :n"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":t": num(lease.Token), ":c": str(cursor), ":n": num(now.UnixMilli()),
		},
	})
	return conditional(err, ErrLeaseLost, fmt.Sprintf("check lease on shard %d", lease.Shard))
}

// ReleaseLease ends the lease early, so the next run on the shard need not wait
// for it to expire. Releasing a lease that is no longer the holder's does
// nothing and is not an error.
func (l *Ledger) ReleaseLease(ctx context.Context, lease Lease, now time.Time) error {
	_, err := l.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(l.Table),
		Key:                       lease.key().av(),
		UpdateExpression:          aws.String("SET released_at = :n REMOVE lease_until"),
		ConditionExpression:       aws.String("tokens = :t"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":t": num(lease.Token), ":n": num(now.UnixMilli())},
	})
	if err != nil && errors.Is(conditional(err, ErrLeaseLost, ""), ErrLeaseLost) {
		return nil
	}
	return wrap(err, fmt.Sprintf("release lease on shard %d", lease.Shard))
}
