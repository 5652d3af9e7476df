// Package casetable fixes the layout of breachflow's case table: the key
// scheme every stage writes under, the subject item that scoping writes and
// sending claims, and the table definition itself (CreateTable mirrors the
// CaseTable resource in template.yaml, and a test keeps the two in step).
//
// One table holds a case's record, obligations, drafts, approvals, audit log
// and subjects. Subjects are spread over Shards partitions per case
// ("CASE#<id>#S#<shard>" / "USER#<id>") so that writing or sending tens of
// millions of them never runs one partition hot; everything else of a case
// lives under "CASE#<id>".
//
// A case whose report was amended has one subject set per version: the
// per-person partitions (subjects, address claims, send records and
// leases) and scoping's segment and shared-address records take a set id
// (SetID: the case id for version 1, "<case>#V<n>" after) where they took
// the case id, so version n's people and sends never share a partition
// with an earlier version's, and each version is a send stream of its
// own.
//
// DynamoDB Local emulators used here (dynalite) have no transactions, so every
// write that must happen once is a conditional single-item write.
package casetable
