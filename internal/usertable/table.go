package usertable

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// TableCreator is the part of the DynamoDB client CreateTable needs.
type TableCreator interface {
	CreateTable(ctx context.Context, in *dynamodb.CreateTableInput, opts ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error)
	DescribeTable(ctx context.Context, in *dynamodb.DescribeTableInput, opts ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error)
}

// CreateTable creates a user table as the mapping describes it (partition
// key m.ID, a string, and m.Indexes projecting all attributes) unless it
// exists, and waits until it is active. It is for the demo and tests: the
// customer's real table is theirs.
func CreateTable(ctx context.Context, db TableCreator, name string, m *Mapping) error {
	in := &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String(m.ID), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String(m.ID), KeyType: types.KeyTypeHash}},
	}
	for _, ix := range m.Indexes {
		attr, a, ok := m.Resolve(ix.PartitionKey)
		if !ok {
			return fmt.Errorf("create table %s: index %s: unknown attribute %q", name, ix.Name, ix.PartitionKey)
		}
		typ := types.ScalarAttributeTypeS
		if a.Type == TypeNumber {
			typ = types.ScalarAttributeTypeN
		}
		if attr != m.ID {
			in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{AttributeName: aws.String(attr), AttributeType: typ})
		}
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, types.GlobalSecondaryIndex{
			IndexName:  aws.String(ix.Name),
			KeySchema:  []types.KeySchemaElement{{AttributeName: aws.String(attr), KeyType: types.KeyTypeHash}},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
		})
	}
	_, err := db.CreateTable(ctx, in)
	var inUse *types.ResourceInUseException
	if err != nil && !errors.As(err, &inUse) {
		return fmt.Errorf("create table %s: %w", name, err)
	}
	w := dynamodb.NewTableExistsWaiter(db, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = 50*time.Millisecond, 500*time.Millisecond
	})
	if err := w.Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)}, 30*time.Second); err != nil {
		return fmt.Errorf("wait for table %s: %w", name, err)
	}
	return nil
}

// BatchWriter is the part of the DynamoDB client WriteAll needs.
type BatchWriter interface {
	BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
}

// MaxBatch is how many items one BatchWriteItem call takes.
const MaxBatch = 25

// maxAttempts bounds the retries of unprocessed items: with backoff doubling
// from 20 ms to a 2 s cap this waits about 15 s before giving up.
const maxAttempts = 12

// WriteAll puts items into table with BatchWriteItem, 25 at a time, and
// retries what DynamoDB leaves unprocessed with jittered exponential backoff.
// Puts are unconditional (BatchWriteItem takes no conditions), so WriteAll is
// for items whose content is the same however often they are written.
func WriteAll(ctx context.Context, db BatchWriter, table string, items []map[string]types.AttributeValue) error {
	for start := 0; start < len(items); start += MaxBatch {
		end := min(start+MaxBatch, len(items))
		reqs := make([]types.WriteRequest, 0, end-start)
		for _, it := range items[start:end] {
			reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: it}})
		}
		if err := writeBatch(ctx, db, table, reqs); err != nil {
			return err
		}
	}
	return nil
}

func writeBatch(ctx context.Context, db BatchWriter, table string, reqs []types.WriteRequest) error {
	delay := 20 * time.Millisecond
	for attempt := 1; ; attempt++ {
		out, err := db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{table: reqs}})
		if err != nil {
			return fmt.Errorf("batch write %s: %w", table, err)
		}
		reqs = out.UnprocessedItems[table]
		if len(reqs) == 0 {
			return nil
		}
		if attempt == maxAttempts {
			return fmt.Errorf("batch write %s: %d items still unprocessed after %d attempts", table, len(reqs), attempt)
		}
		sleep := delay/2 + rand.N(delay/2+1)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(sleep):
		}
		delay = min(2*delay, 2*time.Second)
	}
}
