package sesevents

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestParseSampleEvents loads every sample event in events/ses, in both
// the SNS and the EventBridge shape, and checks what is read from it.
func TestParseSampleEvents(t *testing.T) {
	want := map[string]Event{
		"delivery":         {Type: TypeDelivery, MessageID: "010c019a-delivery-0001", At: at("2026-11-24T01:00:01.250Z"), CaseID: "case-demo-1", UserID: "u-0001", Shard: 7},
		"bounce-permanent": {Type: TypeBounce, MessageID: "010c019a-bounce-0002", At: at("2026-11-24T01:00:02Z"), CaseID: "case-demo-1", UserID: "u-0002", Shard: 3, BounceType: "Permanent", BounceSubType: "General"},
		"bounce-transient": {Type: TypeBounce, MessageID: "010c019a-bounce-0003", At: at("2026-11-24T01:00:03Z"), CaseID: "case-demo-1", UserID: "u-0003", Shard: 5, BounceType: "Transient", BounceSubType: "MailboxFull"},
		"complaint":        {Type: TypeComplaint, MessageID: "010c019a-complaint-0004", At: at("2026-11-24T02:00:00Z"), CaseID: "case-demo-1", UserID: "u-0004", Shard: 1, FeedbackType: "abuse"},
	}
	files, err := filepath.Glob("../../events/ses/*.json")
	if err != nil || len(files) != 2*len(want) {
		t.Fatalf("sample events: %v (%d files), want %d", err, len(files), 2*len(want))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			evs, err := Parse(b)
			if err != nil {
				t.Fatal(err)
			}
			name := strings.TrimSuffix(filepath.Base(f), ".json")
			name = name[strings.Index(name, "-")+1:]
			if diff := cmp.Diff([]Event{want[name]}, evs); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseBareAndSQS(t *testing.T) {
	bare := `{"eventType":"Delivery","mail":{"messageId":"m1","timestamp":"2026-11-24T01:00:00Z","tags":{"case_id":["c1"],"user_id":["b64_a2ltQGV4YW1wbGUub3Jn"]}}}`
	sqs := `{"Records":[{"body":` + quote(bare) + `}]}`
	for name, in := range map[string]string{"bare": bare, "sqs": sqs} {
		t.Run(name, func(t *testing.T) {
			evs, err := Parse([]byte(in))
			if err != nil {
				t.Fatal(err)
			}
			want := []Event{{Type: TypeDelivery, MessageID: "m1", At: at("2026-11-24T01:00:00Z"), CaseID: "c1", UserID: "kim@example.org", Shard: -1}}
			if diff := cmp.Diff(want, evs); diff != "" {
				t.Error(diff)
			}
		})
	}
	for _, bad := range []string{`{`, `{"mail":{}}`, `{"Records":[{}]}`} {
		if _, err := Parse([]byte(bad)); err == nil {
			t.Errorf("Parse(%s) accepted", bad)
		}
	}
}

func quote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"` }

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}
