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
// The count also finds the people owed a send that no round made (Late):
// a bounce or an undeliverable receipt filed after the last send round had
// passed the person on their next channel. While late rounds are left,
// Handler then records the counts without closing, appends
// "case.late_round" and asks the execution for one more round (Output's
// Again), which sends to exactly them; the state machine allows two.
//
// The stage fans out like sending does. A Distributed Map runs one
// ShardHandler per subject shard (CountShard: one shard's people by
// status, a few hundred bytes out), and Handler then sums the shard
// counts (Sum), records them on the case and appends "case.closed". One
// invocation cannot count a large case: at 40.45M people and ~20k subjects
// a second it would need ~35 minutes against Lambda's 15.
//
// A shard is counted in one invocation, without a resume cursor, because
// it fits with room to spare (ledger.Walk has no cursor to resume from
// either; a resumable count would need one from the ledger). At 40.45M
// people over casetable.DefaultShards (64) a shard holds ~632k people:
//   - requests: ~1,265 pages of ledger.DefaultPage (500), each one
//     subjects query (~500 x 0.5 KB = ~250 KB, under Query's 1 MB page) and
//     one send-record query (~20 records), ~2,530 sequential requests:
//     ~25-75 s at 10-30 ms each;
//   - reads: ~316 MB of subjects and ~60 MB of send records, strongly
//     consistent, ~94k read units; one partition serves at most 3,000 a
//     second, so >= 31 s. The whole case is ~6M read units (~$0.75). A
//     cold on-demand table serves ~12k a second; the Map's MaxConcurrency
//     of 16 gives each shard ~750 of them (~125 s a shard, ~8 minutes for
//     the case) where 64 at once would stretch every shard to ~500 s;
//   - CPU: BenchmarkCountShardClient measures ~6-7 us a subject for the
//     SDK's decoding, attributevalue and the ledger's paging (its loopback
//     server's share included): ~4 CPU-seconds a shard, ~15 s at the
//     function's 512 MB (~0.29 vCPU). Against dynalite on loopback,
//     BenchmarkCountShardDynalite counts ~65-70k subjects a second.
//
// So a shard takes ~1-2 minutes, ~125 s from a cold table: a seventh of
// the 900 s limit. A case several times larger needs more shards
// (casetable.DefaultShards), not a longer count; past ~1,200 shards the
// Map's results (~200 B a shard) would near the 256 KiB payload limit and
// want a ResultWriter.
//
// Count still counts a whole case in one call, for `breachflow status`
// and the demo, whose cases are small.
package reconcile
