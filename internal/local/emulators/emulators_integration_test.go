//go:build integration

package emulators_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"breachflow/internal/casetable"
	"breachflow/internal/local/emulators"
	"breachflow/internal/local/localtest"
)

func TestMain(m *testing.M) { os.Exit(localtest.Main(m)) }

func TestDynamoDBRoundTrip(t *testing.T) {
	ctx := context.Background()
	db := localtest.DynamoDB(t)
	table := localtest.NewTable(t, db)

	desc, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(desc.Table.GlobalSecondaryIndexes); n != 1 || aws.ToString(desc.Table.GlobalSecondaryIndexes[0].IndexName) != casetable.IndexGSI1 {
		t.Fatalf("table has %d indexes, want %s", n, casetable.IndexGSI1)
	}

	item := map[string]types.AttributeValue{
		"pk":     &types.AttributeValueMemberS{Value: casetable.CasePK("c1")},
		"sk":     &types.AttributeValueMemberS{Value: "META"},
		"gsi1pk": &types.AttributeValueMemberS{Value: "CASES"},
		"gsi1sk": &types.AttributeValueMemberS{Value: "2026-11-23T00:00:00Z#c1"},
	}
	put := &dynamodb.PutItemInput{
		TableName:           aws.String(table),
		Item:                item,
		ConditionExpression: aws.String("attribute_not_exists(pk)"),
	}
	if _, err := db.PutItem(ctx, put); err != nil {
		t.Fatalf("first conditional put: %v", err)
	}
	_, err = db.PutItem(ctx, put)
	var ccf *types.ConditionalCheckFailedException
	if !errors.As(err, &ccf) {
		t.Fatalf("second conditional put: got %v, want ConditionalCheckFailedException", err)
	}

	q, err := db.Query(ctx, &dynamodb.QueryInput{
		TableName:                 aws.String(table),
		IndexName:                 aws.String(casetable.IndexGSI1),
		KeyConditionExpression:    aws.String("#p = :p"),
		ExpressionAttributeNames:  map[string]string{"#p": casetable.AttrGSI1PK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": &types.AttributeValueMemberS{Value: "CASES"}},
	})
	if err != nil || q.Count != 1 {
		t.Fatalf("query on the index: count %d, err %v; want 1 item", q.Count, err)
	}
}

func TestParallelScanCoversEveryItemOnce(t *testing.T) {
	ctx := context.Background()
	db := localtest.DynamoDB(t)
	table := localtest.NewTable(t, db)
	const n, segments = 300, 4

	for start := 0; start < n; start += 25 {
		var reqs []types.WriteRequest
		for i := start; i < start+25 && i < n; i++ {
			reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: map[string]types.AttributeValue{
				"pk": &types.AttributeValueMemberS{Value: casetable.SubjectPK("c1", casetable.Shard(fmt.Sprint(i), 8))},
				"sk": &types.AttributeValueMemberS{Value: casetable.SubjectSK(fmt.Sprint(i))},
			}}})
		}
		out, err := db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{table: reqs}})
		if err != nil || len(out.UnprocessedItems) > 0 {
			t.Fatalf("batch write: %v (unprocessed %d)", err, len(out.UnprocessedItems))
		}
	}

	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	errs := make(chan error, segments)
	for seg := range segments {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := dynamodb.NewScanPaginator(db, &dynamodb.ScanInput{
				TableName: aws.String(table), Segment: aws.Int32(int32(seg)), TotalSegments: aws.Int32(segments), Limit: aws.Int32(37),
			})
			for p.HasMorePages() {
				page, err := p.NextPage(ctx)
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				for _, it := range page.Items {
					seen[it["sk"].(*types.AttributeValueMemberS).Value]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("scan: %v", err)
	}
	if len(seen) != n {
		t.Fatalf("segments saw %d distinct items, want %d", len(seen), n)
	}
	for k, c := range seen {
		if c != 1 {
			t.Fatalf("item %s seen %d times", k, c)
		}
	}
}

func TestSESSendShowsInMailbox(t *testing.T) {
	ctx := context.Background()
	ses, mailbox := localtest.SES(t)
	subject := fmt.Sprintf("round trip %d", time.Now().UnixNano())
	out, err := ses.SendEmail(ctx, &sesv2.SendEmailInput{
		FromEmailAddress: aws.String("privacy@example.com"),
		Destination:      &sestypes.Destination{ToAddresses: []string{"person@example.org"}},
		Content: &sestypes.EmailContent{Simple: &sestypes.Message{
			Subject: &sestypes.Content{Data: aws.String(subject), Charset: aws.String("UTF-8")},
			Body:    &sestypes.Body{Text: &sestypes.Content{Data: aws.String("개인정보 유출 통지"), Charset: aws.String("UTF-8")}},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := mailbox.Messages(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var found *emulators.Message
	for i := range msgs {
		if msgs[i].MessageID == aws.ToString(out.MessageId) {
			found = &msgs[i]
		}
	}
	if found == nil {
		t.Fatalf("message %s not in the mailbox (%d messages)", aws.ToString(out.MessageId), len(msgs))
	}
	if found.Subject != subject || strings.Join(found.Destination.To, ",") != "person@example.org" || found.Body.Text != "개인정보 유출 통지" {
		t.Errorf("stored message = %+v", *found)
	}
}

// TestStackLifecycle starts a second stack of its own to check what Start
// and Close promise: loopback only, a clear error for a taken port, and no
// process left behind.
func TestStackLifecycle(t *testing.T) {
	ctx := context.Background()
	s, err := emulators.Start(ctx, emulators.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pids := s.PIDs()
	for _, ep := range []string{s.DynamoDB, s.SES} {
		port := ep[strings.LastIndex(ep, ":")+1:]
		if !strings.HasPrefix(ep, "http://127.0.0.1:") {
			t.Errorf("endpoint %s is not on 127.0.0.1", ep)
		}
		// Nothing answers on the machine's other addresses at that port.
		for _, ip := range nonLoopbackIPs(t) {
			c, err := net.DialTimeout("tcp", net.JoinHostPort(ip, port), 300*time.Millisecond)
			if err == nil {
				c.Close()
				t.Errorf("port %s answers on %s: the emulator must bind 127.0.0.1 only", port, ip)
			}
		}
		// A second stack on a taken port says so, and names the way out.
		var dport int
		fmt.Sscan(port, &dport)
		_, err := emulators.Start(ctx, emulators.Options{DynamoDBPort: dport})
		if ep == s.DynamoDB && (err == nil || !strings.Contains(err.Error(), "is taken")) {
			t.Errorf("start on taken port %d: got %v, want an error saying it is taken", dport, err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, pid := range pids {
		if err := syscall.Kill(pid, 0); err == nil {
			t.Errorf("process %d still runs after Close", pid)
		}
	}
}

func nonLoopbackIPs(t *testing.T) []string {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	var ips []string
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && n.IP.To4() != nil {
			ips = append(ips, n.IP.String())
		}
	}
	return ips
}

// TestStartWithAnSESAlreadyRunning: a stack given an SES endpoint starts
// only dynalite and uses that SES, whose mailbox outlives the stack; an SES
// off loopback is refused.
func TestStartWithAnSESAlreadyRunning(t *testing.T) {
	ctx := context.Background()
	ses := localtest.Stack(t).SES
	s, err := emulators.Start(ctx, emulators.Options{SES: ses + "/"})
	if err != nil {
		t.Fatal(err)
	}
	if s.SES != ses || len(s.PIDs()) != 1 {
		t.Errorf("stack SES %s with %d processes; want %s and dynalite only", s.SES, len(s.PIDs()), ses)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(ses + "/health-check")
	if err != nil {
		t.Fatalf("the SES given to the stack stopped with it: %v", err)
	}
	resp.Body.Close()
	for _, bad := range []string{"http://192.0.2.1:8005", "https://127.0.0.1:8005", "127.0.0.1:8005"} {
		if s, err := emulators.Start(ctx, emulators.Options{SES: bad}); err == nil {
			s.Close()
			t.Errorf("Start with SES %s succeeded", bad)
		}
	}
}
