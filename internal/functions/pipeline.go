package functions

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"breachflow/internal/assess"
	"breachflow/internal/cases"
	"breachflow/internal/delta"
	"breachflow/internal/draft"
	"breachflow/internal/envconfig"
	"breachflow/internal/intake"
	"breachflow/internal/scope"
	"breachflow/internal/sharedaddr"
	"breachflow/internal/stage"
	"breachflow/internal/usertable"
)

// Intake validates the stored report and opens its case.
var Intake = Function[Table, intake.Input, intake.Output]{
	LogicalID: "IntakeFunction",
	Env:       fromEnv[Table],
	Build: func(_ context.Context, s Table, c Clients) (Handler[intake.Input, intake.Output], error) {
		db := c.db()
		return (&intake.Handler{Cases: s.cases(db), Audit: s.audit(c), Log: c.log()}).Handle, nil
	},
}

// ScopeSettings are the scope function's: the case table and the
// customer's user table with how to read it.
type ScopeSettings struct {
	CaseTable string
	UserTable string
	Mapping   *usertable.Mapping
}

// Scope scopes one scan segment of the user table into the case's subjects.
var Scope = Function[ScopeSettings, scope.SegmentInput, *scope.SegmentResult]{
	LogicalID: "ScopeFunction",
	Env: func(ctx context.Context, lookup envconfig.Lookup, cfg aws.Config) (ScopeSettings, error) {
		e, err := fromEnv[struct {
			CaseTable string `env:"CASE_TABLE"`
			UserTable string `env:"USER_TABLE"`
			// UserMapping is the mapping's JSON or a file path.
			UserMapping string `env:"USER_MAPPING"`
		}](ctx, lookup, cfg)
		if err != nil {
			return ScopeSettings{}, err
		}
		m, err := usertable.LoadMapping(e.UserMapping)
		if err != nil {
			return ScopeSettings{}, err
		}
		return ScopeSettings{CaseTable: e.CaseTable, UserTable: e.UserTable, Mapping: m}, nil
	},
	Build: func(_ context.Context, s ScopeSettings, c Clients) (Handler[scope.SegmentInput, *scope.SegmentResult], error) {
		db := c.db()
		store := Table{CaseTable: s.CaseTable}.cases(db)
		sc := &scope.Scoper{DB: db, CaseTable: s.CaseTable, UserTable: s.UserTable, Mapping: s.Mapping, Stored: store.ScopeCriteria, StoredPolicy: store.ChannelPolicy}
		return sc.Segment, nil
	},
}

// Aggregate sums the scope segments, folds shared addresses and records
// the totals on the case.
var Aggregate = Function[Table, scope.AggregateInput, *scope.Totals]{
	LogicalID: "AggregateFunction",
	Env:       fromEnv[Table],
	Build: func(_ context.Context, s Table, c Clients) (Handler[scope.AggregateInput, *scope.Totals], error) {
		db := c.db()
		store := s.cases(db)
		record := func(ctx context.Context, t *scope.Totals) error {
			_, err := store.RecordScope(ctx, t.CaseID, t.ByJurisdiction, t.ByChannel, t.RecipientSetHash)
			return err
		}
		fold := &sharedaddr.Folder{DB: db, Table: s.CaseTable}
		cmp := &delta.Comparer{DB: db, Table: s.CaseTable}
		return (&scope.AggregateHandler{Record: record, Fold: fold, Delta: deltaOf(store, cmp), Audit: s.audit(c), Log: c.log()}).Handle, nil
	},
}

// AssessSettings are the assess function's.
type AssessSettings struct {
	CaseTable string `env:"CASE_TABLE"`
	// AuditKey signs the audit log (see Table.AuditKey).
	AuditKey string `env:"AUDIT_KEY_ID,optional"`
	// ApprovalMargin is how long before the earliest deadline approval must
	// be done; 0 means assess.Handler's default (12h).
	ApprovalMargin time.Duration `env:"APPROVAL_MARGIN,optional"`
}

// Assess runs the rulebook on the case and stores its obligations.
var Assess = Function[AssessSettings, assess.Input, assess.Output]{
	LogicalID: "AssessFunction",
	Env:       fromEnv[AssessSettings],
	Build: func(_ context.Context, s AssessSettings, c Clients) (Handler[assess.Input, assess.Output], error) {
		db := c.db()
		t := Table{CaseTable: s.CaseTable, AuditKey: s.AuditKey}
		return (&assess.Handler{
			Cases:          t.cases(db),
			Store:          &assess.Store{DB: db, Table: s.CaseTable},
			ApprovalMargin: s.ApprovalMargin,
			Stages:         stage.Store{DB: db, Table: s.CaseTable},
			Audit:          t.audit(c),
			Log:            c.log(),
		}).Handle, nil
	},
}

// Draft renders and checks the case's filings and notices and stores them
// with their content hash.
var Draft = Function[Table, draft.Input, draft.Output]{
	LogicalID: "DraftFunction",
	Env:       fromEnv[Table],
	Build: func(_ context.Context, s Table, c Clients) (Handler[draft.Input, draft.Output], error) {
		db := c.db()
		store := s.cases(db)
		return (&draft.Handler{
			Reports:     store,
			Assessments: &assess.Store{DB: db, Table: s.CaseTable},
			Cases:       store,
			Versions:    store,
			DB:          db,
			Table:       s.CaseTable,
			Audit:       s.audit(c),
			Log:         c.log(),
		}).Handle, nil
	},
}

// deltaOf compares a version's people with the notices the versions
// before it sent, reading each version's facts from the case's store.
func deltaOf(store *cases.Store, cmp *delta.Comparer) scope.DeltaFunc {
	return func(ctx context.Context, caseID string, version, shards int) (int64, int64, error) {
		c, err := store.Get(ctx, caseID)
		if err != nil {
			return 0, 0, err
		}
		factsOf := func(v int) (*delta.Facts, error) {
			r, _, err := store.ReportVersion(ctx, caseID, v)
			if err != nil {
				return nil, err
			}
			return delta.FactsOf(r)
		}
		now, err := factsOf(version)
		if err != nil {
			return 0, 0, err
		}
		var earlier []delta.Earlier
		for _, v := range c.SentVersions {
			if v >= version {
				continue
			}
			f, err := factsOf(v)
			if err != nil {
				return 0, 0, err
			}
			earlier = append(earlier, delta.Earlier{Version: v, Facts: f, SentAt: c.SentAt[fmt.Sprint(v)]})
		}
		res, err := cmp.Compare(ctx, caseID, version, now, earlier, shards)
		return res.Update, res.Current, err
	}
}
