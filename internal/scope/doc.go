// Package scope finds the people a breach affects. It runs one parallel-scan
// segment of the user table per invocation (Scoper.Segment) with the plan
// package criteria compiles from the report's scope criteria, and writes
// each affected person into the case's sharded subject set (package
// casetable) with their jurisdiction, locale, normalised address and
// exposed data categories, claiming each address once per case. Aggregate
// sums the segments; RecipientSetHash recomputes the hash an approval binds
// to from the subject set itself.
//
// Callers: the scope and aggregate functions (internal/functions), the
// approval service (RecipientSetHash) and bench/scope.
//
// # Lambda payloads
//
// The scope function (functions/scope) takes a SegmentInput and returns a
// SegmentResult; the aggregate function (functions/aggregate) takes the
// Map's results as an AggregateInput and returns Totals. Only ids, counts and
// hashes travel:
//
//	in:  {"case_id": "c1", "segment": 0, "total_segments": 8,
//	      "report_categories": ["email", "credit_information"],
//	      "criteria": {...}            // or "stored_criteria": true (read from the case's report)
//	      "shards": 64}
//	out: {"case_id": "c1", "segment": 0, "total_segments": 8, "scanned": 5000, "matched": 2210,
//	      "written": 2210, "pending": 2150, "duplicates": 20, "no_contact": 40, "skipped": 0,
//	      "by_jurisdiction": {"KR": 2000, "US-CA": 210}, "by_category": {"email": 2170, ...},
//	      "set_sum": "<64 hex>", "shards": 64}
//
// Errors the state machine routes on are returned unwrapped:
// criteria.InvalidCriteria (criteria malformed or naming an attribute the
// mapping does not know),
// InvalidInput (a malformed payload) and ScopeConflict (a segment already
// scoped with other criteria).
//
// # What is counted
//
// Every user the criteria select becomes one subject keyed by user id:
// pending (has an address this case has not seen), duplicate (another subject
// claimed the same normalised address first; DuplicateOf names it) or
// no_contact (no usable email: the substitute-notice list). ByJurisdiction
// and ByCategory count people, whatever their status, since thresholds in
// the law count people, not mailboxes.
//
// # Shared addresses
//
// Two people in scope with one address get one notice, written for both.
// Scoping's part is small: the address claim records its holder's
// jurisdiction and categories, and a person who finds their address
// claimed records it with sharedaddr.Share; after the Map, the aggregate
// handler's Fold (sharedaddr.Folder) adds each address's union to its
// holder's subject. Package sharedaddr explains the order this is safe in
// and what it costs at 40M people.
//
// # Reruns
//
// A segment can be run again at any point of a failed run without changing
// the outcome. An address is claimed by a conditional put that the same user
// passes again; subjects are keyed by user and rewritten with the same
// content (BatchWriteItem, no condition needed); so a rerun finds the same
// people with the same statuses and counts them the same. A finished segment
// records its result once (conditional put on CASE#<id> / SCOPE#SEG#<n>#<i>)
// and a later run returns that record without scanning. Scope runs before any
// send, so rewriting a subject never undoes delivery state.
package scope
