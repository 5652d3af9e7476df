// Package report is the breach report: the facts an incident responder
// submits about one breach, in a documented JSON format (see
// docs/report-format.md and schema/report.schema.json), and the checks that
// make a report trustworthy input for the rulebook.
//
// Intake calls Parse (or ParseAt with an injected clock) on the raw bytes.
// Parse decodes strictly (unknown fields are rejected), validates against
// the embedded JSON Schema, then runs the semantic checks the schema cannot
// express: timeline order, dates in the future, vocabulary, scope criteria.
// Every problem is collected into one *ValidationError that names each
// field path and the rule broken; values are never echoed (not even the
// schema validator's own messages, which quote them), because any field
// may hold personal data.
//
// The rulebook (package rules) reads a *Report; it adds its own checks for
// facts that only a triggered regime needs, and reports them with the same
// Problem type.
package report
