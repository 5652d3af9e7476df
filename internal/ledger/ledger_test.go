package ledger

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"

	"breachflow/internal/casetable"
)

// pagedDB answers Query from a fixed list of pages per partition and
// UpdateItem with a given error.
type pagedDB struct {
	pages     map[string][][]casetable.Subject
	updateErr error
}

func (d pagedDB) Query(_ context.Context, in *dynamodb.QueryInput, _ ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	pk := in.ExpressionAttributeValues[":pk"].(*types.AttributeValueMemberS).Value
	pages := d.pages[pk]
	i := 0
	if in.ExclusiveStartKey != nil {
		i = 1 // two pages at most in these tests
	}
	out := &dynamodb.QueryOutput{}
	if i >= len(pages) {
		return out, nil
	}
	for _, s := range pages[i] {
		item, err := attributevalue.MarshalMap(s)
		if err != nil {
			return nil, err
		}
		out.Items = append(out.Items, item)
	}
	if i+1 < len(pages) {
		last := pages[i][len(pages[i])-1]
		out.LastEvaluatedKey = Key{PK: pk, SK: casetable.SubjectSK(last.UserID)}.av()
	}
	return out, nil
}

func (d pagedDB) UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	return &dynamodb.UpdateItemOutput{}, d.updateErr
}

func (d pagedDB) GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	return &dynamodb.GetItemOutput{}, nil
}

func (d pagedDB) PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	return &dynamodb.PutItemOutput{}, nil
}

func (d pagedDB) BatchWriteItem(context.Context, *dynamodb.BatchWriteItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	return &dynamodb.BatchWriteItemOutput{}, d.updateErr
}

func TestExportFallbackCSV(t *testing.T) {
	db := pagedDB{pages: map[string][][]casetable.Subject{
		casetable.SubjectPK("c1", 0): {{
			{UserID: "u1", Jurisdiction: "KR", Locale: "ko", Status: casetable.StatusNoContact, Phone: "+821012345678"},
			{UserID: "u2", Jurisdiction: "KR", Locale: "ko", Status: casetable.StatusFailed, Reason: "invalid_address", Email: "=HYPERLINK(\"x\")"},
			{UserID: "u5", Jurisdiction: "KR", Locale: "ko", Status: casetable.StatusFailed, Reason: "invalid_address", Email: "-2+3+cmd|' /C calc'!A0", Phone: "+1+HYPERLINK(\"x\")"},
		}},
		casetable.SubjectPK("c1", 1): {
			{{UserID: "u3", Jurisdiction: "US-CA", Locale: "en-US", Status: casetable.StatusBounced, Reason: "bounce:Permanent/General", Email: "kim@example.org"}},
			{{UserID: "u4", Jurisdiction: "JP", Locale: "ja", Status: casetable.StatusNoContact}},
		},
		// The amendment's subject set: u4 still has no contact, u6 is new.
		casetable.SubjectPK(casetable.SetID("c1", 2), 1): {{
			{UserID: "u4", Jurisdiction: "JP", Locale: "ja", Status: casetable.StatusNoContact},
			{UserID: "u6", Jurisdiction: "KR", Locale: "ko", Status: casetable.StatusFailed, Reason: "unknown_country", Phone: "+353851234567"},
		}},
	}}
	// Shard 0 is one page of three; shard 1 two pages of one. Every cell
	// that a spreadsheet would evaluate comes out as text.
	l := &Ledger{DB: db, Table: "cases"}
	var buf bytes.Buffer
	n, err := l.ExportFallbackCSV(context.Background(), &buf, "c1", 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		CSVHeader,
		{"u1", "KR", "ko", "no_contact", "no_email", "true", "false", "'+821012345678", "", "1"},
		{"u2", "KR", "ko", "failed", "invalid_address", "false", "true", "", "'=HYPERLINK(\"x\")", "1"},
		{"u5", "KR", "ko", "failed", "invalid_address", "true", "true", "'+1+HYPERLINK(\"x\")", "'-2+3+cmd|' /C calc'!A0", "1"},
		{"u3", "US-CA", "en-US", "bounced", "bounce:Permanent/General", "false", "true", "", "kim@example.org", "1"},
		{"u4", "JP", "ja", "no_contact", "no_email", "false", "false", "", "", "1"},
		{"u4", "JP", "ja", "no_contact", "no_email", "false", "false", "", "", "2"},
		{"u6", "KR", "ko", "failed", "unknown_country", "true", "false", "'+353851234567", "", "2"},
	}
	if diff := cmp.Diff(want, rows); diff != "" || n != 7 {
		t.Errorf("CSV (%d rows) (-want +got):\n%s", n, diff)
	}
}

func TestConditionalFailuresBecomeSentinels(t *testing.T) {
	ccf := &types.ConditionalCheckFailedException{}
	l := &Ledger{DB: pagedDB{updateErr: ccf}, Table: "cases"}
	k := SubjectKey("c1", 0, "u1")
	ctx := context.Background()
	if _, err := l.ClaimFiling(ctx, k, zero, zero); !errors.Is(err, ErrNotClaimable) {
		t.Errorf("ClaimFiling: %v, want ErrNotClaimable", err)
	}
	for name, err := range map[string]error{
		"complete": l.Complete(ctx, k, 1, "m", zero),
		"fail":     l.Fail(ctx, k, 1, "x", zero),
		"release":  l.Release(ctx, k, 1, true, zero),
	} {
		if !errors.Is(err, ErrLeaseLost) {
			t.Errorf("%s: %v, want ErrLeaseLost", name, err)
		}
	}
	if err := l.FailSubject(ctx, k, "x", zero); !errors.Is(err, ErrNotPending) {
		t.Errorf("FailSubject: %v, want ErrNotPending", err)
	}
	if err := l.CheckLease(ctx, Lease{CaseID: "c1", Token: 3}, "u1", zero); !errors.Is(err, ErrLeaseLost) {
		t.Errorf("CheckLease: %v, want ErrLeaseLost", err)
	}
	if err := l.ReleaseLease(ctx, Lease{CaseID: "c1", Token: 3}, zero); err != nil {
		t.Errorf("ReleaseLease of a lease taken over: %v, want nil", err)
	}
	if out, err := l.ApplyEvent(ctx, k, casetable.StatusDelivered, "m", "", zero); err != nil || out != Stale {
		t.Errorf("ApplyEvent: %v %v, want Stale", out, err)
	}
	if _, err := l.ApplyEvent(ctx, k, casetable.StatusSent, "m", "", zero); err == nil {
		t.Error("ApplyEvent to sent: want an error, events never move a subject to sent")
	}
	other := errors.New("network")
	l.DB = pagedDB{updateErr: other}
	if _, err := l.ClaimFiling(ctx, k, zero, zero); !errors.Is(err, other) || errors.Is(err, ErrNotClaimable) {
		t.Errorf("ClaimFiling on a network error: %v", err)
	}
	if err := l.ReleaseLease(ctx, Lease{CaseID: "c1", Token: 3}, zero); !errors.Is(err, other) {
		t.Errorf("ReleaseLease on a network error: %v", err)
	}
}

var zero = time.Time{}

func TestCleanCause(t *testing.T) {
	for in, want := range map[string]string{
		"connection refused": "connection refused",
		"Email address is not verified. The following identities failed the check in region US-EAST-1: kim.minsu@example.org": "Email address is not verified. The following identities failed the check in region US-EAST-1: <address>",
		`rejected "a.b+c@example.co.kr", <x@y.z>`: `rejected "<address>", <<address>>`,
	} {
		if got := cleanCause(in); got != want {
			t.Errorf("cleanCause(%q) = %q, want %q", in, got, want)
		}
	}
	long := cleanCause(strings.Repeat("가", 600))
	if len(long) > MaxCauseLen+len("…") || !utf8.ValidString(long) || !strings.HasSuffix(long, "…") {
		t.Errorf("a long cause is cut to %d bytes, valid UTF-8 %v", len(long), utf8.ValidString(long))
	}
}

func TestShardFailureString(t *testing.T) {
	at := time.Date(2026, 11, 24, 1, 2, 3, 0, time.UTC)
	for _, tc := range []struct {
		f    ShardFailure
		want string
	}{
		{ShardFailure{Shard: 7, Error: "SendingPaused", Cause: "SES sending paused (SendingPausedException)", At: at},
			"shard 7 at 2026-11-24T01:02:03Z: SendingPaused: SES sending paused (SendingPausedException)"},
		{ShardFailure{Shard: 0, Error: "wrapError", Cause: "send shard 0: send email: 6 tries: connection refused", At: at},
			"shard 0 at 2026-11-24T01:02:03Z: send shard 0: send email: 6 tries: connection refused"},
	} {
		if got := tc.f.String(); got != tc.want {
			t.Errorf("String() = %q, want %q", got, tc.want)
		}
	}
}
