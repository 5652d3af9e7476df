package console

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"breachflow/internal/assess"
	"breachflow/internal/audit"
	"breachflow/internal/cases"
	"breachflow/internal/draft"
	"breachflow/internal/intake"
	"breachflow/internal/ledger"
	"breachflow/internal/posting"
	"breachflow/internal/reconcile"
	"breachflow/internal/rules"
	"breachflow/internal/stage"
)

// CaseRecords is the part of cases.Store the console reads.
type CaseRecords interface {
	List(ctx context.Context) ([]cases.Case, error)
	Get(ctx context.Context, caseID string) (cases.Case, error)
}

// Assessments is the part of assess.Store the console reads.
type Assessments interface {
	Get(ctx context.Context, caseID string) (rules.Assessment, error)
}

// DraftSource returns a case's drafts as they will be sent and their
// content hash (the lead wires draft.Load). nil shows no drafts.
type DraftSource func(ctx context.Context, caseID string) ([]Draft, string, error)

// AuditLister is the part of audit.Log the console reads for a case's
// timeline.
type AuditLister interface {
	List(ctx context.Context, caseID string) ([]audit.Entry, error)
}

// FilingSource lists a case's regulator filings as the ledger holds them
// (ledger.Filings over the case table).
type FilingSource func(ctx context.Context, caseID string) ([]ledger.FilingRecord, error)

// StageSource lists a case's staged duties (stage.Store.List over the case
// table).
type StageSource func(ctx context.Context, caseID string) ([]stage.Task, error)

// PostingSource lists a case's posted pages and what the check against the
// notice bucket found (posting.Checker.Check at now).
type PostingSource func(ctx context.Context, caseID string) ([]posting.Page, []posting.Problem, error)

// CaseTable is the CaseSource over the case table: the case record (counts,
// hashes), its assessment (obligations), its drafts, and for the timeline
// its audit log and the filings sent (nil shows none).
type CaseTable struct {
	Records     CaseRecords
	Assessments Assessments
	Drafts      DraftSource
	Audit       AuditLister
	Filings     FilingSource
	// Stages, when set, shows the staged duties in a section of their own
	// (and not among the first-stage duties); nil shows none.
	Stages StageSource
	// Postings, when set, shows the posted notice and warns before a
	// required posting would end early.
	Postings PostingSource
}

// Cases implements CaseSource.
func (t CaseTable) Cases(ctx context.Context) ([]CaseSummary, error) {
	cs, err := t.Records.List(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]CaseSummary, 0, len(cs))
	for _, c := range cs {
		out = append(out, CaseSummary{ID: c.CaseID, Title: c.Title, OpenedAt: c.OpenedAt, Status: string(c.Status)})
	}
	return out, nil
}

// Case implements CaseSource. A case not yet assessed or drafted shows
// without obligations or drafts.
func (t CaseTable) Case(ctx context.Context, caseID string) (Case, error) {
	rec, err := t.Records.Get(ctx, caseID)
	var nf *cases.NotFoundError
	if errors.As(err, &nf) {
		return Case{}, fmt.Errorf("case %s: %w", caseID, ErrNotFound)
	}
	if err != nil {
		return Case{}, err
	}
	c := Case{ID: rec.CaseID, Title: rec.Title, OpenedAt: rec.OpenedAt, ContentHash: rec.ContentHash, Version: rec.Working(), Latest: rec.Latest()}
	if r := rec.Rejection; r != nil && rec.Status == cases.StatusRejected {
		c.Rejection = &Rejection{Version: r.Version, By: r.By, Reason: r.Reason, At: r.At}
	}
	if rec.Waiting == cases.WaitingRevision {
		c.WaitingFor = "a revision: an amendment (breachflow amend " + rec.CaseID + " REPORT.json) or a re-draft (breachflow redraft " + rec.CaseID + ")"
	}
	c.Channels, c.Reach = named(rec.Channels), named(rec.Reach)
	c.ChangedShards, c.ChangedAt = len(rec.ChangedAfterClose), rec.ChangedAt
	for j, n := range rec.Subjects {
		c.Affected = append(c.Affected, JurisdictionCount{Jurisdiction: string(j), Count: int64(n)})
	}
	slices.SortFunc(c.Affected, func(a, b JurisdictionCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Jurisdiction, b.Jurisdiction))
	})
	a, err := t.Assessments.Get(ctx, caseID)
	var notAssessed *assess.NotFoundError
	switch {
	case errors.As(err, &notAssessed):
	case err != nil:
		return Case{}, err
	default:
		for _, o := range a.Obligations {
			if o.Staged() && t.Stages != nil {
				continue
			}
			c.Obligations = append(c.Obligations, Obligation{
				ID: o.ID, Regime: o.RegimeName, Recipient: o.RecipientName, Kind: string(o.RecipientKind), Citation: o.Citation,
				Rationale: o.Rationale, Required: o.Required, DueAt: o.DueAt,
			})
		}
	}
	if t.Stages != nil {
		ts, err := t.Stages(ctx, caseID)
		if err != nil {
			return Case{}, err
		}
		for _, x := range ts {
			c.Stages = append(c.Stages, Stage{ID: x.ObligationID, StageOf: x.StageOf, Recipient: x.RecipientName, Citation: x.Citation,
				Verification: string(x.Verification), Status: string(x.Status), Note: x.Note, DueAt: x.DueAt,
				FiledAt: x.FiledAt, MessageID: x.MessageID, Reference: x.FirstFilingRef})
		}
	}
	if t.Drafts != nil {
		ds, hash, err := t.Drafts(ctx, caseID)
		if err != nil {
			return Case{}, err
		}
		c.Drafts, c.ContentHash = ds, hash
	}
	if t.Audit != nil {
		es, err := t.Audit.List(ctx, caseID)
		if err != nil {
			return Case{}, err
		}
		for _, e := range es {
			c.Timeline = append(c.Timeline, Event{At: e.At, Action: e.Action, Actor: e.Actor, What: describe(e)})
		}
	}
	if t.Postings != nil {
		pages, probs, err := t.Postings(ctx, caseID)
		if err != nil {
			return Case{}, err
		}
		for _, p := range pages {
			c.Posted = append(c.Posted, PostedPage{DraftID: p.DraftID, URL: p.URL, PostedAt: p.PostedAt, Until: p.Until, Basis: p.Period.Cites(), SHA256: p.SHA256})
		}
		for _, p := range probs {
			c.PostingWarnings = append(c.PostingWarnings, p.String())
		}
	}
	if t.Filings != nil {
		fs, err := t.Filings(ctx, caseID)
		if err != nil {
			return Case{}, err
		}
		for _, f := range fs {
			if f.SentAt.IsZero() {
				continue
			}
			c.Timeline = append(c.Timeline, Event{At: f.SentAt, Action: "filing.sent", Actor: "send",
				What: "filing sent for " + f.ObligationID + " (SES message " + f.MessageID + ")"})
		}
		slices.SortStableFunc(c.Timeline, func(a, b Event) int { return a.At.Compare(b.At) })
	}
	return c, nil
}

// describe says an audit entry in words; the detail holds ids, counts and
// hashes only.
func describe(e audit.Entry) string {
	d := e.Detail
	switch e.Action {
	case "stage.started":
		return "staged duty " + d["obligation_id"] + " due " + d["due_at"] + ": stage run " + d["run"] + " started"
	case "stage.drafted":
		return "staged duty " + d["obligation_id"] + " drafted, following up " + d["first_filing"]
	case "stage.filed":
		return "staged duty " + d["obligation_id"] + " filed (SES message " + d["message_id"] + "), following up " + d["follows_up"] + " (" + d["follows_up_ref"] + ")"
	case "stage.met":
		return "staged duty " + d["obligation_id"] + " met by the follow-up filing " + d["filing"] + " (SES message " + d["message_id"] + ")"
	case "stage.released":
		return "stage run of " + d["obligation_id"] + " stopped (" + d["error"] + "); scheduled again"
	case "stage.escalated":
		return "escalation: staged duty " + d["obligation_id"] + " due within " + d["margin"]
	case "case.opened":
		return "case opened from report " + d["report_sha256"][:min(12, len(d["report_sha256"]))]
	case "case.scoped":
		return "affected people scoped: " + d["people"]
	case "case.assessed":
		return "obligations assessed: " + d["required"] + " required"
	case "case.drafted":
		return "drafts stored, content hash " + d["content_hash"][:min(12, len(d["content_hash"]))]
	case "approval.requested":
		return "approval requested (" + d["required"] + " approvals needed)"
	case "approval.link_issued":
		return "approval link sent to " + d["approver_id"]
	case "approval.approved":
		return "approved by " + e.Actor
	case "approval.rejected":
		return "rejected by " + e.Actor
	case "approval.quorum":
		return "approval complete: sending may start"
	case "approval.superseded":
		return "approval round superseded by " + d["superseded_by"]
	case "approval.refused":
		return "a decision was refused (" + d["reason"] + ")"
	case "approval.escalated":
		return "escalated: a deadline is close and approval is pending"
	case "case.closed":
		if d["late"] != "" {
			return "case closed: delivery reconciled; " + d["late"] + " people owed a send after the last round"
		}
		return "case closed: delivery reconciled"
	case intake.ActionReopened:
		return "case reopened: a send round for what " + d["changed_shards"] + " shard(s) of failures filed after the close leave owed"
	case reconcile.ActionLateRound:
		return "one more send round for " + d["late"] + " people whose bounce or undeliverable receipt came after the last round"
	case posting.ActionPublished:
		return "posted notice " + d["draft_id"] + " published, to stay up until " + d["until"]
	case "evidence.pack_written":
		return "evidence pack written, manifest " + d["manifest_sha256"][:min(12, len(d["manifest_sha256"]))]
	case "case.amended":
		return "report amended: version " + d["version"] + " (" + d["changed"] + ")"
	case "case.version_begun":
		return "work began on report version " + d["version"]
	case "case.awaiting_revision":
		return "waiting for an amendment or a re-draft after the rejection"
	case "case.redraft_requested":
		return "re-draft of version " + d["version"] + " requested"
	case "case.version_sent":
		return "version " + d["version"] + " sent; a newer version is taken up"
	case "case.rerun_refused":
		return "a second execution for the case was refused (" + d["status"] + ")"
	}
	return e.Action
}

// draftKinds maps the drafting stage's kinds to what the console groups by.
var draftKinds = map[draft.Kind]string{
	draft.KindFiling:     "regulator",
	draft.KindNotice:     "customer",
	draft.KindSubstitute: "public",
}

// DraftsFromTable is the DraftSource over the drafts stored in the case
// table (draft.Load, which checks every draft's hash). A case not drafted
// yet shows no drafts.
func DraftsFromTable(db draft.DB, table string) DraftSource {
	return func(ctx context.Context, caseID string) ([]Draft, string, error) {
		ds, hash, err := draft.Load(ctx, db, table, caseID)
		if errors.Is(err, draft.ErrNotFound) {
			return nil, "", nil
		}
		if err != nil {
			return nil, "", err
		}
		out := make([]Draft, 0, len(ds))
		for _, d := range ds {
			kind := draftKinds[d.Kind]
			if kind == "" {
				kind = string(d.Kind)
			}
			subject := d.Subject
			if d.Recipient != "" {
				subject += " (to " + d.Recipient + ")"
			}
			out = append(out, Draft{ID: d.ID, Kind: kind, Locale: d.Locale, Subject: subject, HTML: d.HTML, Text: d.Text})
		}
		return out, hash, nil
	}
}

// named lists m's counts by name.
func named(m map[string]int) []NamedCount {
	var out []NamedCount
	for k, n := range m {
		out = append(out, NamedCount{Name: k, Count: n})
	}
	slices.SortFunc(out, func(a, b NamedCount) int { return cmp.Compare(a.Name, b.Name) })
	return out
}
