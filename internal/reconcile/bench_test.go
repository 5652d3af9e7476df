package reconcile_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"breachflow/internal/ledger"
	"breachflow/internal/reconcile"
)

// recorder answers from a memTable and keeps each answer by request.
type recorder struct {
	db  *memTable
	out map[string]*dynamodb.QueryOutput
}

func (r *recorder) Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	out, err := r.db.Query(ctx, in, opts...)
	start := ""
	if in.ExclusiveStartKey != nil {
		start = sval(in.ExclusiveStartKey["sk"])
	}
	page := ""
	if v, ok := in.ExpressionAttributeValues[":page"]; ok {
		page = sval(v)
	}
	r.out[requestKey(*in.KeyConditionExpression, start, page)] = out
	return out, err
}

// requestKey tells a shard's queries apart: subjects or send records, from
// where, of which page.
func requestKey(cond, start, page string) string { return cond + "|" + start + "|" + page }

// wireRequest is the part of a Query request on the wire requestKey needs.
type wireRequest struct {
	KeyConditionExpression    string
	ExclusiveStartKey         map[string]map[string]string
	ExpressionAttributeValues map[string]map[string]string
}

// wire renders an attribute value as DynamoDB's JSON protocol does (the
// kinds a subject and a send record use).
func wire(av types.AttributeValue) any {
	switch v := av.(type) {
	case *types.AttributeValueMemberS:
		return map[string]string{"S": v.Value}
	case *types.AttributeValueMemberN:
		return map[string]string{"N": v.Value}
	case *types.AttributeValueMemberSS:
		return map[string][]string{"SS": v.Value}
	}
	panic(fmt.Sprintf("wire: %T", av))
}

func wireItem(item map[string]types.AttributeValue) map[string]any {
	m := make(map[string]any, len(item))
	for k, v := range item {
		m[k] = wire(v)
	}
	return m
}

// BenchmarkCountShardClient measures what counting costs the Lambda itself
// (the SDK's HTTP and JSON decoding, attributevalue, the ledger's paging and
// send-record merge), against a loopback server that replays the queries of a
// recorded shard of 4 pages (2,000 subjects, realistic fields, every other pending
// one sent) with no database work. ns/subject bounds a shard's CPU time:
// at 632k subjects, multiply by 632k and by 1769/MemorySize for Lambda's
// CPU share.
func BenchmarkCountShardClient(b *testing.B) {
	db := newMemTable()
	seedShard(b, db, "kakaopay-alipay-2024", 7, 4*ledger.DefaultPage)
	rec := &recorder{db: db, out: map[string]*dynamodb.QueryOutput{}}
	if _, err := reconcile.CountShard(context.Background(), rec, "cases", "kakaopay-alipay-2024", 7); err != nil {
		b.Fatal(err)
	}
	bodies := make(map[string][]byte, len(rec.out))
	for key, out := range rec.out {
		items := make([]map[string]any, len(out.Items))
		for j, it := range out.Items {
			items[j] = wireItem(it)
		}
		resp := map[string]any{"Items": items, "Count": out.Count, "ScannedCount": out.ScannedCount}
		if out.LastEvaluatedKey != nil {
			resp["LastEvaluatedKey"] = wireItem(out.LastEvaluatedKey)
		}
		body, err := json.Marshal(resp)
		if err != nil {
			b.Fatal(err)
		}
		bodies[key] = body
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in wireRequest
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		body, ok := bodies[requestKey(in.KeyConditionExpression, in.ExclusiveStartKey["sk"]["S"], in.ExpressionAttributeValues[":page"]["S"])]
		if !ok {
			http.Error(w, "no such recorded query", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	client := dynamodb.New(dynamodb.Options{
		BaseEndpoint: aws.String(srv.URL), Region: "ap-northeast-2",
		Credentials: credentials.NewStaticCredentialsProvider("bench", "bench", ""),
	})
	subjects := 4 * ledger.DefaultPage
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		by, err := reconcile.CountShard(context.Background(), client, "cases", "kakaopay-alipay-2024", 7)
		if err != nil {
			b.Fatal(err)
		}
		if n := by["pending"] + by["sent"] + by["delivered"] + by["bounced"] + by["complained"] + by["failed"] + by["no_contact"] + by["duplicate"]; n != subjects {
			b.Fatalf("counted %d, want %d", n, subjects)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*subjects), "ns/subject")
}
