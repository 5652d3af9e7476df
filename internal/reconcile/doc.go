// Package reconcile is the workflow's last stage: it counts where every
// person of a case stands in delivery, straight from the subject set (the
// ledger), records the counts on the case and closes it in the audit log.
//
// Counting from the ledger, not from what the send Map reported, is the
// point: a batch retried, redriven or run twice is counted once, and a
// person still pending or claimed after sending shows up as "not reached"
// instead of disappearing. SES delivery, bounce and complaint events keep
// arriving after close and keep updating the same subjects; running
// reconcile again (or `breachflow status`) shows the newer picture.
//
// The stage fans out like sending does. A Distributed Map runs one
// ShardHandler per subject shard (CountShard: one shard's people by
// status, a few hundred bytes out), and Handler then sums the shard
// counts (Sum), records them on the case and appends "case.closed". One
// invocation cannot count a large case: at 40.45M people and ~20k subjects
// a second it would need ~35 minutes against Lambda's 15.
//
// A shard is counted in one invocation, without a resume cursor, because
// it fits with room to spare. At 40.45M people over casetable.DefaultShards
// (64) a shard holds ~632k people: ~1,265 pages of ledger.DefaultPage
// (500), each one subjects query (~500 x 0.5 KB = ~250 KB, under Query's
// 1 MB page) and one send-record query (~20 records, ~50 KB), so ~2,530
// sequential requests, ~50-100 s at 20-40 ms each. Its strongly
// consistent reads are ~316 MB of subjects plus ~60 MB of send records,
// ~94k read units: at most 3,000 a second on one partition, >= 31 s.
// The whole case is ~6M read units (~$0.75); the Map's MaxConcurrency of 16
// keeps each shard's share of a cold on-demand table (12k read units a
// second, so ~750 a shard) at ~125 s, and the case at ~8 minutes. So the
// worst case uses about a seventh of a 900 s invocation. A case many times
// larger needs more shards (casetable.DefaultShards), not a longer count.
//
// Count still counts a whole case in one call, for `breachflow status`
// and the demo, whose cases are small.
package reconcile
