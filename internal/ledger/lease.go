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
}

// ShardBusy is returned by LeaseShard when another run holds the shard.
type ShardBusy struct {
	// Until is when the other run's lease ends.
	Until time.Time
}

func (e *ShardBusy) Error() string {
	return "ledger: shard held by another send run until " + e.Until.UTC().Format(time.RFC3339)
}

func leaseKey(caseID string, shard int) Key {
	return Key{PK: casetable.SendPK(caseID, shard), SK: casetable.LeaseSK}
}

// LeaseShard takes the shard's send lease until until, if nobody holds it
// or the last holder's lease ended before now (it crashed or ran out of
// time). One conditional write claims every person of the shard for the
// run. When another run holds it, the error is a *ShardBusy.
func (l *Ledger) LeaseShard(ctx context.Context, caseID string, shard int, now, until time.Time) (Lease, error) {
	k := leaseKey(caseID, shard)
	out, err := l.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:           aws.String(l.Table),
		Key:                 k.av(),
		UpdateExpression:    aws.String("SET lease_until = :l, taken_at = :n ADD tokens :one"),
		ConditionExpression: aws.String("attribute_not_exists(lease_until) OR lease_until < :n"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":l": num(until.UnixMilli()), ":n": num(now.UnixMilli()), ":one": num(1),
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
	n, ok := out.Attributes["tokens"].(*types.AttributeValueMemberN)
	if !ok {
		return Lease{}, fmt.Errorf("lease shard %d: no token returned", shard)
	}
	token, err := strconv.ParseInt(n.Value, 10, 64)
	if err != nil {
		return Lease{}, fmt.Errorf("lease shard %d: token %q: %w", shard, n.Value, err)
	}
	return Lease{CaseID: caseID, Shard: shard, Token: token, Until: time.UnixMilli(until.UnixMilli())}, nil
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

// CheckLease confirms the lease is still the holder's, recording how far the run
// has got (cursor, a user id) for whoever looks at the shard. The send stage
// calls it before each page, so a run whose lease was taken over stops
// within a page. ErrLeaseLost means another run holds the shard now.
func (l *Ledger) CheckLease(ctx context.Context, lease Lease, cursor string, now time.Time) error {
	_, err := l.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:           aws.String(l.Table),
		Key:                 leaseKey(lease.CaseID, lease.Shard).av(),
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
		Key:                       leaseKey(lease.CaseID, lease.Shard).av(),
		UpdateExpression:          aws.String("SET released_at = :n REMOVE lease_until"),
		ConditionExpression:       aws.String("tokens = :t"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":t": num(lease.Token), ":n": num(now.UnixMilli())},
	})
	if err != nil && errors.Is(conditional(err, ErrLeaseLost, ""), ErrLeaseLost) {
		return nil
	}
	return wrap(err, fmt.Sprintf("release lease on shard %d", lease.Shard))
}
