package main

import (
	"context"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"breachflow/internal/ledger"
)

// Requests counts the ledger's calls to the database in the throughput
// rounds, per thousand notices: what the pipeline adds to each send.
type Requests struct {
	Queries float64 `json:"queries"` // page reads and send-record reads
	Writes  float64 `json:"record_writes"`
	Leases  float64 `json:"lease_calls"` // take, check, give back
}

// countingDB passes every call on to the database and counts it.
type countingDB struct {
	ledger.DB
	queries, writes, updates, gets atomic.Int64
}

func (c *countingDB) Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	c.queries.Add(1)
	return c.DB.Query(ctx, in, opts...)
}

func (c *countingDB) PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	c.writes.Add(1)
	return c.DB.PutItem(ctx, in, opts...)
}

func (c *countingDB) BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	c.writes.Add(1)
	return c.DB.BatchWriteItem(ctx, in, opts...)
}

// UpdateItem is the lease (take, check, give back) and failing a person;
// the bench's people are all sendable, so these are lease calls.
func (c *countingDB) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	c.updates.Add(1)
	return c.DB.UpdateItem(ctx, in, opts...)
}

func (c *countingDB) GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	c.gets.Add(1)
	return c.DB.GetItem(ctx, in, opts...)
}

func (c *countingDB) perThousand(notices int) Requests {
	f := func(n int64) float64 { return 1000 * float64(n) / float64(notices) }
	return Requests{Queries: f(c.queries.Load()), Writes: f(c.writes.Load()), Leases: f(c.updates.Load() + c.gets.Load())}
}
