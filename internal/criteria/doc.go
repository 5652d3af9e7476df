// Package criteria is the language a breach report uses to say who is
// affected, and its compiler to DynamoDB.
//
// A report's "scope" field is a Criteria tree: groups (all, any, not) over
// leaf conditions on attributes of the customer's user table. Decoding
// never fails on shape; Validate reports the first problem as an
// *InvalidCriteria naming its field path ("scope.all[1].op"), so a
// responder gets one clear message. Compile checks the tree against the
// user-table mapping (package usertable: which attributes exist and of
// which type) and turns it into a Plan, a filter expression and a
// projection that use placeholders only, so no value from a report can
// inject expression syntax. When the criteria pin the partition key of an
// index the mapping declares, the plan queries that index instead of
// scanning.
//
// Callers: package report validates a report's criteria at intake; package
// scope compiles them once per scan segment and runs the plan; package
// cases reads a case's stored criteria for the scope function. The state
// machine routes on InvalidCriteria by name, so it is returned unwrapped.
//
// The package knows nothing about cases, subjects or AWS calls: it reads
// JSON and writes expressions, and its tests need no emulator.
package criteria
