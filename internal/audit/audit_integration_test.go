//go:build integration

package audit_test

import (
	"context"
	"errors"
	"fmt"
	"os"
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

func TestChainOnDynamoDB(t *testing.T) {
	ctx := context.Background()
	db := localtest.DynamoDB(t)
	table := localtest.NewTable(t, db)
	log := audit.Log{DB: db, Table: table}

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
	if _, err := audit.Append(ctx, db, table, "case-2", audit.Record{Actor: "system", Action: "test.append"}); err != nil {
		t.Fatal(err)
	}

	entries, err := log.Verify(ctx, "case-1")
	if err != nil {
		t.Fatalf("fresh chain: %v", err)
	}
	if len(entries) != 18 {
		t.Fatalf("%d entries, want 18", len(entries))
	}

	// Tamper with entry 7 directly in the table, as someone with write
	// access to the table but not to the chain's history might.
	_, err = db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(table),
		Key: map[string]types.AttributeValue{
			casetable.AttrPK: &types.AttributeValueMemberS{Value: casetable.CasePK("case-1")},
			casetable.AttrSK: &types.AttributeValueMemberS{Value: audit.SortKey(7)},
		},
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
	if _, err := log.Verify(ctx, "case-2"); err != nil {
		t.Errorf("case-2 chain: %v", err)
	}
}
