package console

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// ErrNotFound is returned by a CaseSource for an unknown case.
var ErrNotFound = errors.New("case not found")

// CaseSource gives the console what it shows of cases. The lead wires it to
// the case table (report, rules, scope, draft); StaticCases serves tests and
// demos.
type CaseSource interface {
	// Cases lists cases, newest first.
	Cases(ctx context.Context) ([]CaseSummary, error)
	// Case returns one case; ErrNotFound if unknown.
	Case(ctx context.Context, caseID string) (Case, error)
}

// CaseSummary is one row of the case list.
type CaseSummary struct {
	ID       string
	Title    string
	OpenedAt time.Time
	Status   string
}

// Case is what the case page shows. It holds counts and drafts (templates
// as they will be sent, with sample values), no subject's personal data.
type Case struct {
	ID          string
	Title       string
	OpenedAt    time.Time
	Obligations []Obligation
	Affected    []JurisdictionCount
	// Channels counts the people by channel plan, as the approvers approve
	// it (cases.Case.Channels): first on each channel, as a fallback on it,
	// or the posted notice only. Reach is how the last reconcile accounted
	// for every person (reconcile.Reach). Both sorted by name.
	Channels []NamedCount
	Reach    []NamedCount
	// ChangedShards counts the shards where the ledger filed a failure
	// after the close (cases.Case.ChangedAfterClose), ChangedAt when the
	// last was: Reach may then leave out someone now owed a notice.
	ChangedShards int
	ChangedAt     time.Time
	Drafts        []Draft
	// ContentHash is the drafts' content hash, shown next to the request's.
	ContentHash string
	// Timeline is what happened to the case, oldest first: report
	// versions, scoping, approvals, sending (from the audit log).
	Timeline []Event
	// Version is the report version the workflow works on, Latest the
	// newest recorded (they differ while an amendment waits to be taken
	// up).
	Version, Latest int
	// Rejection is the approvers' last rejection while the case waits on
	// it, with their reason; WaitingFor says what the case waits for
	// ("" when it does not wait).
	Rejection  *Rejection
	WaitingFor string
	// Stages are the case's staged duties: second stages (Japan's final
	// report, GDPR Art. 33(4) information in phases, ...) drafted and filed
	// by a stage run when each falls due.
	Stages []Stage
	// Posted are the case's posted pages; PostingWarnings say which of
	// them would end before their required period (taken down, changed,
	// or scheduled to come down).
	Posted          []PostedPage
	PostingWarnings []string
}

// Rejection is why the approvers sent a version's drafts back.
type Rejection struct {
	Version    int
	By, Reason string
	At         time.Time
}

// Stage is one staged duty as the case page shows it: ids, dates, the
// law's citation and where it stands. No personal data.
type Stage struct {
	ID           string
	StageOf      string
	Recipient    string
	Citation     string
	Verification string
	// Status is waiting (no date yet), scheduled, started, filed or
	// cancelled; Note says why it waits or was cancelled.
	Status string
	Note   string
	// DueAt is zero while its clock has not started.
	DueAt time.Time
	// FiledAt and MessageID once filed; Reference is the first filing's
	// message id it names.
	FiledAt   time.Time
	MessageID string
	Reference string
}

// PostedPage is one posted notice: where, since when, until when, why.
type PostedPage struct {
	DraftID         string
	URL             string
	PostedAt, Until time.Time
	Basis           string // "30 days: PIPA Enforcement Decree Art. 39(3) [V]"
	SHA256          string
}

// Event is one line of the case's timeline: ids and counts only, as the
// audit log holds them.
type Event struct {
	At     time.Time
	Action string
	Actor  string
	// What says it in words for a responder.
	What string
}

// Obligation is one duty to notify, with its clock.
type Obligation struct {
	ID        string
	Regime    string
	Recipient string
	// Kind is the recipient kind ("regulator", "individuals", ...): the
	// individuals' deadlines are what sending is planned against.
	Kind      string
	Citation  string
	Rationale string
	Required  bool
	// DueAt is zero for a duty with no fixed deadline ("without undue
	// delay", or not required at all).
	DueAt time.Time
}

// NamedCount is a count under a name (a channel, a way of being reached).
type NamedCount struct {
	Name  string
	Count int
}

// JurisdictionCount is how many affected people live under a jurisdiction.
type JurisdictionCount struct {
	Jurisdiction string
	Count        int64
}

// Draft is one regulator filing or customer notice, rendered as it will be
// sent.
type Draft struct {
	ID      string
	Kind    string // e.g. "regulator", "customer"
	Locale  string
	Subject string
	HTML    string
	Text    string
}

// StaticCases is a CaseSource over a fixed set of cases.
type StaticCases []Case

// Cases implements CaseSource.
func (s StaticCases) Cases(context.Context) ([]CaseSummary, error) {
	out := make([]CaseSummary, 0, len(s))
	for _, c := range s {
		out = append(out, CaseSummary{ID: c.ID, Title: c.Title, OpenedAt: c.OpenedAt})
	}
	slices.SortFunc(out, func(a, b CaseSummary) int { return b.OpenedAt.Compare(a.OpenedAt) })
	return out, nil
}

// Case implements CaseSource.
func (s StaticCases) Case(_ context.Context, id string) (Case, error) {
	for _, c := range s {
		if c.ID == id {
			return c, nil
		}
	}
	return Case{}, fmt.Errorf("case %s: %w", id, ErrNotFound)
}
