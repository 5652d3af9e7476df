// Package scope finds the people a breach affects. It defines the scope
// criteria a breach report carries (Criteria, validated with field paths at
// intake), compiles them against the user-table mapping (package usertable)
// into a DynamoDB filter with placeholders only, and runs one parallel-scan
// segment of the user table per invocation, writing each affected person into
// the case's sharded subject set (package casetable) with their jurisdiction,
// locale, normalised address and exposed data categories.
//
// The scope Lambda (functions/scope) calls Segment once per scan segment from
// a Map state; the aggregate Lambda (functions/aggregate) sums the segments'
// counts with Aggregate. Payloads carry ids, counts and hashes only.
package scope
