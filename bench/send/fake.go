package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
)

// syntheticDB is a case table of n pending people that exists only as
// arithmetic: Query makes each page of subjects from its cursor, the send
// partition is always empty, and writes are accepted and dropped. It holds
// no items, so the process's memory is the pipeline's own, which is what
// the RSS measurement is after.
type syntheticDB struct {
	n       int
	updates atomic.Int64
	records atomic.Int64
}

func userID(i int) string { return fmt.Sprintf("u%09d", i) }

func (d *syntheticDB) item(i int, status string) map[string]types.AttributeValue {
	s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	id := userID(i)
	return map[string]types.AttributeValue{
		"pk": s("CASE#bench#S#0"), "sk": s("USER#" + id), "case_id": s("bench"), "user_id": s(id),
		"shard": &types.AttributeValueMemberN{Value: "0"}, "name": s("고객 " + id), "email": s(id + "@example.org"),
		"locale": s("ko"), "jurisdiction": s("KR"), "status": s(status),
		"categories": &types.AttributeValueMemberSS{Value: []string{"credit_information", "name"}},
	}
}

func (d *syntheticDB) Query(_ context.Context, in *dynamodb.QueryInput, _ ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	if pk := in.ExpressionAttributeValues[":pk"].(*types.AttributeValueMemberS).Value; pk != "CASE#bench#S#0" {
		return &dynamodb.QueryOutput{}, nil // the send partition: nobody sent yet
	}
	start := 0
	if sk, ok := in.ExclusiveStartKey["sk"].(*types.AttributeValueMemberS); ok {
		i, err := strconv.Atoi(strings.TrimPrefix(sk.Value, "USER#u"))
		if err != nil {
			return nil, err
		}
		start = i + 1
	}
	limit := int(aws.ToInt32(in.Limit))
	out := &dynamodb.QueryOutput{}
	for i := start; i < min(start+limit, d.n); i++ {
		out.Items = append(out.Items, d.item(i, "pending"))
	}
	out.ScannedCount = int32(len(out.Items))
	if end := start + limit; end < d.n {
		out.LastEvaluatedKey = map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: "CASE#bench#S#0"},
			"sk": &types.AttributeValueMemberS{Value: "USER#" + userID(end-1)},
		}
	}
	return out, nil
}

func (d *syntheticDB) UpdateItem(_ context.Context, in *dynamodb.UpdateItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	d.updates.Add(1)
	if in.ReturnValues == types.ReturnValueUpdatedNew { // the shard lease
		return &dynamodb.UpdateItemOutput{Attributes: map[string]types.AttributeValue{
			"tokens":    &types.AttributeValueMemberN{Value: strconv.FormatInt(d.updates.Load(), 10)},
			"page_size": in.ExpressionAttributeValues[":ps"],
		}}, nil
	}
	return &dynamodb.UpdateItemOutput{}, nil
}

func (d *syntheticDB) GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	return &dynamodb.GetItemOutput{}, nil
}

func (d *syntheticDB) PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	d.records.Add(1)
	return &dynamodb.PutItemOutput{}, nil
}

func (d *syntheticDB) BatchWriteItem(_ context.Context, in *dynamodb.BatchWriteItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	for _, reqs := range in.RequestItems {
		d.records.Add(int64(len(reqs)))
	}
	return &dynamodb.BatchWriteItemOutput{}, nil
}

// instantSES accepts every message at once.
type instantSES struct{ n atomic.Int64 }

func (s *instantSES) SendEmail(context.Context, *sesv2.SendEmailInput, ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
	return &sesv2.SendEmailOutput{MessageId: aws.String("m-" + strconv.FormatInt(s.n.Add(1), 10))}, nil
}
