package audit

import "context"

// Appender appends a record to a case's audit log and returns the entry it
// became. It is the one thing every stage that audits (intake, assess,
// scope, draft, approval, reconcile) asks of the log, so it is declared once
// here, beside Log, as io.Writer is beside the writers; tests fake it with a
// small struct.
type Appender interface {
	Append(ctx context.Context, caseID string, rec Record) (Entry, error)
}

var _ Appender = Log{}
