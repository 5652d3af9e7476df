//go:build integration

package audit_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"breachflow/internal/audit"
	"breachflow/internal/casetable"
	"breachflow/internal/local/localtest"
)

func TestMain(m *testing.M) { os.Exit(localtest.Main(m)) }

func itemKey(caseID, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		casetable.AttrPK: &types.AttributeValueMemberS{Value: casetable.CasePK(caseID)},
		casetable.AttrSK: &types.AttributeValueMemberS{Value: sk},
	}
}

// TestChainOnDynamoDB runs the chain on dynalite with the local KMS's audit
// key, as the functions do, and then tampers with the table as an insider
// with write access to it (but no kms:Sign) would.
func TestChainOnDynamoDB(t *testing.T) {
	ctx := context.Background()
	db := localtest.DynamoDB(t)
	table := localtest.NewTable(t, db)
	log := localtest.Audit(t, table)

	// Concurrent appenders race for the same sequence numbers; the
	// conditional put lets one win each number and the chain stays linear.
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Go(func() {
			for j := range 3 {
				if _, err := log.Append(ctx, "case-1", audit.Record{Actor: fmt.Sprintf("w%d", i), Action: "test.append", Detail: map[string]string{"j": fmt.Sprint(j)}}); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	// Another case's log is separate.
	if _, err := log.Append(ctx, "case-2", audit.Record{Actor: "system", Action: "test.append"}); err != nil {
		t.Fatal(err)
	}
	chain, err := log.Verify(ctx, "case-1")
	if err != nil {
		t.Fatalf("fresh chain: %v", err)
	}
	if len(chain.Entries) != 18 || chain.Head == nil || chain.Head.Count != 18 {
		t.Fatalf("%d entries, head %+v; want 18 and a head counting 18", len(chain.Entries), chain.Head)
	}

	t.Run("an edited entry", func(t *testing.T) {
		_, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: aws.String(table), Key: itemKey("case-1", audit.SortKey(7)),
			UpdateExpression:          aws.String("SET actor = :a"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":a": &types.AttributeValueMemberS{Value: "mallory"}},
		})
		if err != nil {
			t.Fatal(err)
		}
		_, err = log.Verify(ctx, "case-1")
		var br *audit.BreakError
		if !errors.As(err, &br) || br.Seq != 7 {
			t.Fatalf("after tampering with entry 7: Verify = %v, want a break at 7", err)
		}
	})

	// Issue 22: delete the last two entries of a case, and the rejection
	// they held is gone; the signed head still counts them.
	t.Run("the last two entries deleted", func(t *testing.T) {
		for i := range 3 {
			if _, err := log.Append(ctx, "case-3", audit.Record{Actor: "approval", Action: "test", Detail: map[string]string{"i": fmt.Sprint(i)}}); err != nil {
				t.Fatal(err)
			}
		}
		for _, seq := range []int64{3, 2} {
			if _, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(table), Key: itemKey("case-3", audit.SortKey(seq))}); err != nil {
				t.Fatal(err)
			}
		}
		_, err := log.Verify(ctx, "case-3")
		var br *audit.BreakError
		if !errors.As(err, &br) || br.Seq != 2 || !strings.Contains(br.Reason, "entries 2 to 3 of the 3 the signed head counts are missing") {
			t.Fatalf("Verify = %v, want the gap named", err)
		}
		// The case's next step refuses to sign over the shorter chain.
		if _, err := log.Append(ctx, "case-3", audit.Record{Actor: "reconcile", Action: "case.closed"}); !errors.As(err, &br) || br.Seq != 2 {
			t.Fatalf("append after the cut: %v, want a break at 2", err)
		}
		// Deleting the head too leaves a chain without one.
		if _, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(table), Key: itemKey("case-3", "AUDITHEAD")}); err != nil {
			t.Fatal(err)
		}
		if _, err := log.Verify(ctx, "case-3"); !errors.As(err, &br) || !br.Head {
			t.Fatalf("Verify without a head = %v, want the missing head named", err)
		}
	})

	if _, err := log.Verify(ctx, "case-2"); err != nil {
		t.Errorf("case-2 chain: %v", err)
	}
}
