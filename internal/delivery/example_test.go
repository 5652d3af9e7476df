package delivery_test

import (
	"encoding/json"
	"fmt"
	"time"

	"breachflow/internal/delivery"
)

// The send function's input and output, as the state machine passes them:
// ids, counts and a cursor, never personal data.
func ExampleRequest() {
	in := delivery.Request{Stage: delivery.StageNotices, Batch: delivery.Batch{
		CaseID: "case-1", Shard: 7, Cursor: "u000000420", Deadline: time.Date(2026, 11, 24, 1, 5, 0, 0, time.UTC),
	}}
	b, _ := json.Marshal(in)
	fmt.Println(string(b))

	out := delivery.Response{Stage: delivery.StageNotices, Notices: &delivery.Result{
		CaseID: "case-1", Shard: 7, Sent: 97, Failed: 2, Skipped: 1, NextCursor: "u000000520",
	}}
	b, _ = json.Marshal(out)
	fmt.Println(string(b))

	filings := delivery.Request{Stage: delivery.StageFilings, Batch: delivery.Batch{CaseID: "case-1"}}
	b, _ = json.Marshal(filings)
	fmt.Println(string(b))
	// Output:
	// {"stage":"notices","case_id":"case-1","shard":7,"cursor":"u000000420","deadline":"2026-11-24T01:05:00Z"}
	// {"stage":"notices","notices":{"case_id":"case-1","shard":7,"sent":97,"failed":2,"skipped":1,"busy":0,"deferred":0,"lease_lost":0,"next_cursor":"u000000520","done":false}}
	// {"stage":"filings","case_id":"case-1","shard":0}
}
