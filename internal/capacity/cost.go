package capacity

import (
	"math"
	"time"

	"breachflow/internal/casetable"
)

// Prices, from research/LIMITS.md (USD, us-east-1, arm64 Lambda, on-demand
// DynamoDB).
const (
	SESPerMessage            = 0.10 / 1000
	StandardPerTransition    = 0.025 / 1000
	LambdaPerGBSecond        = 0.0000133334
	LambdaPerRequest         = 0.20 / 1e6
	DynamoDBPerReadUnit      = 0.125 / 1e6
	DynamoDBPerWriteUnit     = 0.625 / 1e6
	dynamoReadUnitBytes      = 4096
	eventuallyConsistentRead = 0.5
)

// Workflow constants: what the deployed state machine and the send stage do
// (statemachine/breach.asl.json, package ledger). SendCustomerNotices is a
// Distributed Map over the case's subject shards; each child, a Standard
// execution, loops SendBatch (one send Lambda run of up to SendRunSeconds)
// and the ShardFinished choice until its shard is done.
const (
	// Shards is how many subject shards, and so send children, a case has.
	Shards = casetable.DefaultShards
	// SendRunSeconds is how long one send invocation runs at most: the send
	// function's timeout, which its pipeline works up to.
	SendRunSeconds = 900
	// TransitionsPerChild is what the parent Standard workflow is billed
	// per Distributed Map child.
	TransitionsPerChild = 1
	// TransitionsPerRun are a child's transitions per send run (SendBatch,
	// ShardFinished); TransitionsPerChildRun its start and its end.
	TransitionsPerRun      = 2
	TransitionsPerChildRun = 2
	// LedgerWritesPerPerson: the send record (package ledger). Records are
	// written in batches, one item per page a batch touches, but at the
	// send function's per-invocation rate in AWS (tens a second) a batch
	// rarely holds more than one send, so each send is priced as a write.
	LedgerWritesPerPerson = 1
	// PageSubjects is a send page (ledger.DefaultPage); each costs one
	// lease check, a write.
	PageSubjects = 500
	// ScopeWritesPerPerson: the subject item scoping writes.
	ScopeWritesPerPerson = 1
	// EventWritesPerPerson: the delivery (or bounce) event applied.
	EventWritesPerPerson = 1
	// SubjectItemBytes is a subject item's size (ids, address, locale,
	// jurisdiction, categories, state): one write unit, and what the send
	// stage's shard queries read (strongly consistent: a resumed run must
	// see the records of the run before).
	SubjectItemBytes = 500
	// UserItemBytes is the assumed size of one user-table item when the
	// table's size is not given (40 GB for 40M users, as LIMITS.md).
	UserItemBytes = 1000
	// SendLatency is one SendEmail call from Lambda (LIMITS.md: 40-60 ms);
	// the send stage sizes its workers from it.
	SendLatency = 60 * time.Millisecond
	// SendMemoryGB is the send function's memory (256 MB); EventMemoryGB the
	// sesevents function's (128 MB).
	SendMemoryGB  = 0.25
	EventMemoryGB = 0.125
	// EventHandlerSeconds is one sesevents invocation (parse, one write).
	EventHandlerSeconds = 0.02
)

// Line is one priced item: what, how many units, and the cost in USD.
type Line struct {
	Service string  `json:"service"`
	Item    string  `json:"item"`
	Units   float64 `json:"units"`
	Unit    string  `json:"unit"`
	USD     float64 `json:"usd"`
}

// Cost is the priced send of one case.
type Cost struct {
	Lines []Line `json:"lines"`
	// ByService sums the lines per service.
	ByService map[string]float64 `json:"by_service"`
	Total     float64            `json:"total"`
	// BeyondSES is everything but SES, and its share of the SES cost.
	BeyondSES      float64 `json:"beyond_ses"`
	BeyondSESShare float64 `json:"beyond_ses_share"`
}

// Estimate prices sending people notices at rate (sends per second, the
// SES account's). userTableBytes is the size of the user table scoping
// scans; 0 assumes UserItemBytes per person.
func Estimate(people int64, rate float64, userTableBytes int64) Cost {
	n := float64(people)
	if userTableBytes <= 0 {
		userTableBytes = people * UserItemBytes
	}
	// The Map runs enough children at once for one send in flight each at
	// SES latency (SendParallelism); each child's share of the rate then
	// sets how long its shard takes, and Lambda bills that wall time.
	parallel := math.Max(1, math.Ceil(rate*SendLatency.Seconds()))
	sendSeconds, runs := 0.0, float64(Shards)
	if rate > 0 {
		sendSeconds = n * parallel / rate
		shardSeconds := (n / Shards) / (rate / parallel)
		runs = Shards * math.Max(1, math.Ceil(shardSeconds/SendRunSeconds))
	}
	// The send Map's children and their loops, then the reconcile Map's:
	// one child a shard with one count task.
	transitions := Shards*(TransitionsPerChild+TransitionsPerChildRun) + runs*TransitionsPerRun +
		Shards*(TransitionsPerChild+TransitionsPerChildRun+1)
	readUnits := func(bytes float64) float64 {
		return math.Ceil(bytes/dynamoReadUnitBytes) * eventuallyConsistentRead
	}
	consistentReadUnits := func(bytes float64) float64 { return math.Ceil(bytes / dynamoReadUnitBytes) }
	ledgerWrites := n*LedgerWritesPerPerson + math.Ceil(n/PageSubjects)
	lines := []Line{
		{"SES", "notices", n, "messages", n * SESPerMessage},
		{"Step Functions", "send and reconcile Maps: shard children, send-run loops", transitions, "transitions", transitions * StandardPerTransition},
		{"Lambda", "send invocations", runs, "requests", runs * LambdaPerRequest},
		{"Lambda", "send duration (paced wall time)", sendSeconds * SendMemoryGB, "GB-s", sendSeconds * SendMemoryGB * LambdaPerGBSecond},
		{"Lambda", "SES event invocations", n, "requests", n * LambdaPerRequest},
		{"Lambda", "SES event duration", n * EventHandlerSeconds * EventMemoryGB, "GB-s", n * EventHandlerSeconds * EventMemoryGB * LambdaPerGBSecond},
		{"DynamoDB", "user table parallel scan", readUnits(float64(userTableBytes)), "read units", readUnits(float64(userTableBytes)) * DynamoDBPerReadUnit},
		{"DynamoDB", "subject writes (scoping)", n * ScopeWritesPerPerson, "write units", n * ScopeWritesPerPerson * DynamoDBPerWriteUnit},
		{"DynamoDB", "send records and lease checks", ledgerWrites, "write units", ledgerWrites * DynamoDBPerWriteUnit},
		{"DynamoDB", "send-stage shard reads", consistentReadUnits(n * SubjectItemBytes), "read units", consistentReadUnits(n*SubjectItemBytes) * DynamoDBPerReadUnit},
		{"DynamoDB", "SES event updates", n * EventWritesPerPerson, "write units", n * EventWritesPerPerson * DynamoDBPerWriteUnit},
		{"DynamoDB", "reconcile: one more read of every shard", consistentReadUnits(n * SubjectItemBytes), "read units", consistentReadUnits(n*SubjectItemBytes) * DynamoDBPerReadUnit},
	}
	c := Cost{Lines: lines, ByService: map[string]float64{}}
	for _, l := range lines {
		c.ByService[l.Service] += l.USD
		c.Total += l.USD
	}
	c.BeyondSES = c.Total - c.ByService["SES"]
	if ses := c.ByService["SES"]; ses > 0 {
		c.BeyondSESShare = c.BeyondSES / ses
	}
	return c
}

// Find returns the line whose item is item, for reports and tests.
func (c Cost) Find(item string) (Line, bool) {
	for _, l := range c.Lines {
		if l.Item == item {
			return l, true
		}
	}
	return Line{}, false
}
