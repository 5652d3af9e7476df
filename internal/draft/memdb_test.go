package draft_test

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// memDB is an in-memory stand-in for the four calls the store makes, with
// the two condition expressions it uses. The integration test runs the same
// store against dynalite.
type memDB struct {
	mu    sync.Mutex
	items map[string]map[string]types.AttributeValue
	// beforeSummary runs just before a summary write is applied.
	beforeSummary func()
}

func newMemDB() *memDB { return &memDB{items: map[string]map[string]types.AttributeValue{}} }

func s(av types.AttributeValue) string {
	if v, ok := av.(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	if v, ok := av.(*types.AttributeValueMemberN); ok {
		return v.Value
	}
	return ""
}

func k(m map[string]types.AttributeValue) string { return s(m["pk"]) + "|" + s(m["sk"]) }

func (m *memDB) GetItem(_ context.Context, in *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return &dynamodb.GetItemOutput{Item: m.items[k(in.Key)]}, nil
}

func (m *memDB) PutItem(_ context.Context, in *dynamodb.PutItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	if s(in.Item["sk"]) == "DRAFTS" && m.beforeSummary != nil {
		f := m.beforeSummary
		m.beforeSummary = nil
		f()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	old, exists := m.items[k(in.Item)]
	switch aws.ToString(in.ConditionExpression) {
	case "":
	case "attribute_not_exists(pk)":
		if exists {
			return nil, &types.ConditionalCheckFailedException{Message: aws.String("exists")}
		}
	case "version = :v":
		if !exists || s(old["version"]) != s(in.ExpressionAttributeValues[":v"]) {
			return nil, &types.ConditionalCheckFailedException{Message: aws.String("version")}
		}
	default:
		panic("memDB: unsupported condition " + aws.ToString(in.ConditionExpression))
	}
	m.items[k(in.Item)] = in.Item
	return &dynamodb.PutItemOutput{}, nil
}

func (m *memDB) Query(_ context.Context, in *dynamodb.QueryInput, _ ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	pk, prefix := s(in.ExpressionAttributeValues[":pk"]), s(in.ExpressionAttributeValues[":d"])
	var keys []string
	for key := range m.items {
		p, sk, _ := strings.Cut(key, "|")
		if p == pk && strings.HasPrefix(sk, prefix) {
			keys = append(keys, key)
		}
	}
	sort.Strings(keys)
	out := &dynamodb.QueryOutput{}
	for _, key := range keys {
		out.Items = append(out.Items, m.items[key])
	}
	return out, nil
}

func (m *memDB) DeleteItem(_ context.Context, in *dynamodb.DeleteItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if aws.ToString(in.ConditionExpression) == "set_version <= :v" {
		old := m.items[k(in.Key)]
		ov, _ := strconv.Atoi(s(old["set_version"]))
		v, _ := strconv.Atoi(s(in.ExpressionAttributeValues[":v"]))
		if old == nil || ov > v {
			return nil, &types.ConditionalCheckFailedException{Message: aws.String("newer")}
		}
	}
	delete(m.items, k(in.Key))
	return &dynamodb.DeleteItemOutput{}, nil
}

func (m *memDB) count(prefix string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for key := range m.items {
		if _, sk, _ := strings.Cut(key, "|"); strings.HasPrefix(sk, prefix) {
			n++
		}
	}
	return n
}
