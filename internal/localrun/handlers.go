package localrun

import (
	"context"
	"io"
	"log/slog"
	"net/http"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdaurl"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"breachflow/internal/approval"
	"breachflow/internal/assess"
	"breachflow/internal/audit"
	"breachflow/internal/cases"
	"breachflow/internal/console"
	"breachflow/internal/delivery"
	"breachflow/internal/draft"
	"breachflow/internal/intake"
	"breachflow/internal/ledger"
	"breachflow/internal/reconcile"
	"breachflow/internal/scope"
	"breachflow/internal/sesevents"
	"breachflow/internal/usertable"
)

// Deps are the clients and settings the functions' handlers are built from:
// locally, clients of the emulators and the values a deployed function reads
// from its environment (template.yaml sets the same ones).
type Deps struct {
	AWS       aws.Config
	CaseTable string
	// UserTable and Mapping are the customer's user table and how to read it.
	UserTable string
	Mapping   *usertable.Mapping
	// Approval configures approvers, quorum, signing key and console URL.
	Approval approval.Config
	// Send configures sending (sender, SES rate, parallelism).
	Send delivery.Config
	// FilingAddresses says where each regulator filing goes.
	FilingAddresses draft.FilingAddresses
	Log             *slog.Logger
	// Metrics receives the send stage's metric lines; nil discards them.
	Metrics io.Writer
}

func (d Deps) db() *dynamodb.Client { return dynamodb.NewFromConfig(d.AWS) }
func (d Deps) cases() *cases.Store  { return &cases.Store{DB: d.db(), Table: d.CaseTable} }
func (d Deps) audit() audit.Log     { return audit.Log{DB: d.db(), Table: d.CaseTable} }
func (d Deps) log() *slog.Logger {
	if d.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return d.Log
}

// ApprovalService is the approval service every approval function (and the
// console) shares locally.
func (d Deps) ApprovalService() *approval.Service {
	return approval.NewAWSService(d.AWS, d.CaseTable, d.Approval, d.log())
}

// Console is the approval console's handler, as the console function
// serves it (browse adds the case list, which only the local stack offers).
func (d Deps) Console(browse bool) http.Handler {
	db := d.db()
	return console.New(console.Config{Browse: browse}, console.Deps{
		Approval: d.ApprovalService(),
		Cases: console.CaseTable{
			Records:     d.cases(),
			Assessments: &assess.Store{DB: db, Table: d.CaseTable},
			Drafts:      console.DraftsFromTable(db, d.CaseTable),
		},
		Log: d.log(),
	})
}

// constructors builds each function's handler, keyed by the function's
// logical id in template.yaml: the same handler its main.go starts.
var constructors = map[string]func(d Deps) (lambda.Handler, error){
	"IntakeFunction": func(d Deps) (lambda.Handler, error) {
		return lambda.NewHandler((&intake.Handler{Cases: d.cases(), Audit: d.audit(), Log: d.log()}).Handle), nil
	},
	"ScopeFunction": func(d Deps) (lambda.Handler, error) {
		s := &scope.Scoper{DB: d.db(), CaseTable: d.CaseTable, UserTable: d.UserTable, Mapping: d.Mapping, Stored: d.cases().ScopeCriteria}
		return lambda.NewHandler(s.Segment), nil
	},
	"AggregateFunction": func(d Deps) (lambda.Handler, error) {
		store := d.cases()
		record := func(ctx context.Context, t *scope.Totals) error {
			_, err := store.RecordScope(ctx, t.CaseID, t.ByJurisdiction, t.RecipientSetHash)
			return err
		}
		fold := &scope.Folder{DB: d.db(), Table: d.CaseTable}
		return lambda.NewHandler((&scope.AggregateHandler{Record: record, Fold: fold, Audit: d.audit(), Log: d.log()}).Handle), nil
	},
	"AssessFunction": func(d Deps) (lambda.Handler, error) {
		return lambda.NewHandler((&assess.Handler{
			Cases: d.cases(), Store: &assess.Store{DB: d.db(), Table: d.CaseTable}, Audit: d.audit(), Log: d.log(),
		}).Handle), nil
	},
	"DraftFunction": func(d Deps) (lambda.Handler, error) {
		store := d.cases()
		return lambda.NewHandler((&draft.Handler{
			Reports: store, Assessments: &assess.Store{DB: d.db(), Table: d.CaseTable}, Cases: store,
			DB: d.db(), Table: d.CaseTable, Audit: d.audit(), Log: d.log(),
		}).Handle), nil
	},
	"ApprovalRequestFunction": func(d Deps) (lambda.Handler, error) {
		return lambda.NewHandler((&approval.Requester{
			Service: d.ApprovalService(), Cases: d.cases(), Assessments: &assess.Store{DB: d.db(), Table: d.CaseTable},
		}).Handle), nil
	},
	"ApprovalEscalateFunction": func(d Deps) (lambda.Handler, error) {
		return lambda.NewHandler(d.ApprovalService().Escalate), nil
	},
	"ConsoleFunction": func(d Deps) (lambda.Handler, error) {
		return lambda.NewHandler(lambdaurl.Wrap(d.Console(false))), nil
	},
	"SendFunction": func(d Deps) (lambda.Handler, error) {
		db, ses := d.db(), sesv2.NewFromConfig(d.AWS)
		store := d.cases()
		docs := &draft.Approved{DB: db, Table: d.CaseTable, Reports: store,
			Assessments: &assess.Store{DB: db, Table: d.CaseTable}, Addresses: d.FilingAddresses}
		cfg := d.Send
		cfg.Table = d.CaseTable
		metrics := d.Metrics
		if metrics == nil {
			metrics = io.Discard
		}
		h, err := delivery.NewHandler(context.Background(), cfg, db, ses, docs, d.log(), metrics)
		if err != nil {
			return nil, err
		}
		return lambda.NewHandler(h.Handle), nil
	},
	"SesEventsFunction": func(d Deps) (lambda.Handler, error) {
		led := &ledger.Ledger{DB: d.db(), Table: d.CaseTable}
		return lambda.NewHandler((&sesevents.Handler{Applier: &sesevents.Applier{Ledger: led}, Log: d.log()}).Handle), nil
	},
	"ReconcileShardFunction": func(d Deps) (lambda.Handler, error) {
		return lambda.NewHandler((&reconcile.ShardHandler{DB: d.db(), Table: d.CaseTable, Log: d.log()}).Handle), nil
	},
	"ReconcileFunction": func(d Deps) (lambda.Handler, error) {
		return lambda.NewHandler((&reconcile.Handler{Cases: d.cases(), Audit: d.audit(), Log: d.log()}).Handle), nil
	},
}
