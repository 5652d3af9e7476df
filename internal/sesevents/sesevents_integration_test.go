//go:build integration

package sesevents_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"breachflow/internal/casetable"
	"breachflow/internal/ledger"
	"breachflow/internal/local/localtest"
	"breachflow/internal/sesevents"
)

func TestMain(m *testing.M) { os.Exit(localtest.Main(m)) }

// TestEventsNeverRegress applies event sequences in the orders SES may
// deliver them (late, repeated, out of order) and checks the final state,
// and that permanent bounces reach the fallback list.
func TestEventsNeverRegress(t *testing.T) {
	ctx := context.Background()
	db := localtest.DynamoDB(t)
	table := localtest.NewTable(t, db)
	l := &ledger.Ledger{DB: db, Table: table}
	closed := &closedCases{}
	h := &sesevents.Handler{Applier: &sesevents.Applier{Ledger: l, Shards: 8, Cases: closed}}
	const caseID = "case-events"

	ev := func(typ, user, extra string) []byte {
		return []byte(`{"detail-type":"x","source":"aws.ses","detail":{"eventType":"` + typ + `","mail":{"messageId":"m-` + user +
			`","timestamp":"2026-11-24T01:00:00Z","tags":{"case_id":["` + caseID + `"],"user_id":["` + user + `"]}}` + extra + `}}`)
	}
	delivered := func(u string) []byte { return ev("Delivery", u, `,"delivery":{"timestamp":"2026-11-24T01:00:01Z"}`) }
	hard := func(u string) []byte {
		return ev("Bounce", u, `,"bounce":{"bounceType":"Permanent","bounceSubType":"NoEmail","timestamp":"2026-11-24T01:00:02Z"}`)
	}
	soft := func(u string) []byte {
		return ev("Bounce", u, `,"bounce":{"bounceType":"Transient","bounceSubType":"MailboxFull","timestamp":"2026-11-24T01:00:02Z"}`)
	}
	complaint := func(u string) []byte {
		return ev("Complaint", u, `,"complaint":{"complaintFeedbackType":"abuse","timestamp":"2026-11-24T02:00:00Z"}`)
	}

	for _, tc := range []struct {
		user   string
		start  casetable.Status
		events [][]byte
		want   casetable.Status
	}{
		{"u1", casetable.StatusSent, [][]byte{delivered("u1"), delivered("u1")}, casetable.StatusDelivered},
		{"u2", casetable.StatusSent, [][]byte{complaint("u2"), delivered("u2")}, casetable.StatusComplained},
		{"u3", casetable.StatusSent, [][]byte{hard("u3"), delivered("u3")}, casetable.StatusBounced},
		{"u4", casetable.StatusSent, [][]byte{soft("u4")}, casetable.StatusSent},
		{"u5", casetable.StatusClaimed, [][]byte{delivered("u5")}, casetable.StatusDelivered}, // the event beat the complete
		{"u6", casetable.StatusDelivered, [][]byte{complaint("u6")}, casetable.StatusComplained},
		// A notice's subject stays pending after the send (the send is
		// recorded apart), so its events start from pending.
		{"u7", casetable.StatusPending, [][]byte{delivered("u7")}, casetable.StatusDelivered},
		{"u8", casetable.StatusPending, [][]byte{hard("u8"), delivered("u8")}, casetable.StatusBounced},
		{"u9", casetable.StatusPending, [][]byte{soft("u9")}, casetable.StatusPending},
		{"u10", casetable.StatusFailed, [][]byte{delivered("u10")}, casetable.StatusFailed}, // never sent: SES refused it
	} {
		t.Run(tc.user, func(t *testing.T) {
			shard := casetable.Shard(tc.user, 8)
			s := casetable.Subject{PK: casetable.SubjectPK(caseID, shard), SK: casetable.SubjectSK(tc.user), CaseID: caseID, UserID: tc.user,
				Shard: shard, Email: tc.user + "@example.org", Phone: "+821012345678", Locale: "ko", Jurisdiction: "KR", Status: tc.start, Attempts: 1}
			item, _ := attributevalue.MarshalMap(s)
			if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: item}); err != nil {
				t.Fatal(err)
			}
			for _, e := range tc.events {
				if _, err := h.Handle(ctx, e); err != nil {
					t.Fatal(err)
				}
			}
			out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true), Key: map[string]types.AttributeValue{
				"pk": &types.AttributeValueMemberS{Value: s.PK}, "sk": &types.AttributeValueMemberS{Value: s.SK}}})
			if err != nil {
				t.Fatal(err)
			}
			var got casetable.Subject
			attributevalue.UnmarshalMap(out.Item, &got)
			if got.Status != tc.want {
				t.Errorf("status = %s, want %s", got.Status, tc.want)
			}
			if tc.want != tc.start && (got.MessageID != "m-"+tc.user || got.EventAt == "") {
				t.Errorf("message id %q, event at %q", got.MessageID, got.EventAt)
			}
		})
	}

	t.Run("filing", func(t *testing.T) {
		k := ledger.FilingKey(caseID, "kr-pipa-34-regulator")
		if _, err := l.ClaimFiling(ctx, k, time.Now(), time.Now().Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if err := l.Complete(ctx, k, 1, "m-filing", time.Now()); err != nil {
			t.Fatal(err)
		}
		e := []byte(`{"eventType":"Delivery","mail":{"messageId":"m-filing","timestamp":"2026-11-24T01:00:00Z","tags":{"case_id":["` + caseID +
			`"],"obligation_id":["kr-pipa-34-regulator"]}},"delivery":{"timestamp":"2026-11-24T01:00:01Z"}}`)
		if s, err := h.Handle(ctx, e); err != nil || s.Applied != 1 {
			t.Fatalf("filing delivery: %+v, %v", s, err)
		}
		out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true), Key: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: k.PK}, "sk": &types.AttributeValueMemberS{Value: k.SK}}})
		if err != nil {
			t.Fatal(err)
		}
		if st := out.Item["status"].(*types.AttributeValueMemberS).Value; st != "delivered" {
			t.Errorf("filing status = %s, want delivered", st)
		}
	})

	var fallback []string
	err := l.Fallback(ctx, caseID, 8, func(s *casetable.Subject) error {
		fallback = append(fallback, s.UserID+":"+string(s.Status)+":"+s.Reason)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(fallback)
	want := []string{"u10:failed:", "u3:bounced:bounce:Permanent/NoEmail", "u8:bounced:bounce:Permanent/NoEmail"}
	if !slices.Equal(fallback, want) {
		t.Errorf("fallback = %v, want %v", fallback, want)
	}
	// Only the permanent bounces are news to a closed case: u3's
	// delivery after its bounce changes nothing, and soft bounces,
	// complaints and the filing are not failures of a notice.
	noted := slices.Clone(closed.noted)
	sort.Strings(noted)
	want = []string{fmt.Sprintf("%s/%d", caseID, casetable.Shard("u3", 8)), fmt.Sprintf("%s/%d", caseID, casetable.Shard("u8", 8))}
	sort.Strings(want)
	if !slices.Equal(noted, want) {
		t.Errorf("noted to the case: %v, want %v", noted, want)
	}
}

// closedCases records what the applier notes to the case store
// (sesevents.Closed), as "set/shard".
type closedCases struct{ noted []string }

func (c *closedCases) NoteChangeAfterClose(_ context.Context, set string, shard int) (bool, error) {
	c.noted = append(c.noted, fmt.Sprintf("%s/%d", set, shard))
	return true, nil
}
