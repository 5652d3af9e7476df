package deploy

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"

	"breachflow/internal/approval"
	"breachflow/internal/delivery"
	"breachflow/internal/functions"
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
	// ApprovalMargin is the assess function's APPROVAL_MARGIN; 0 keeps its
	// default, as an unset variable does in Lambda.
	ApprovalMargin time.Duration
	// Approval configures approvers, quorum, signing key and console URL.
	Approval approval.Config
	// Send configures sending (sender, SES rate, parallelism); its Table is
	// always CaseTable.
	Send delivery.Config
	// FilingAddresses says where each regulator filing goes.
	FilingAddresses delivery.FilingAddresses
	Log             *slog.Logger
	// Metrics receives the functions' metric lines; nil discards them.
	Metrics io.Writer
}

func (d Deps) clients() functions.Clients {
	return functions.Clients{AWS: d.AWS, Log: d.Log, Metrics: d.Metrics}
}

// The settings each kind of function gets locally: what it reads from the
// environment template.yaml gives it in Lambda, taken from Deps instead.
// TestLocalSettingsMatchLambda compares the two for every function.

func (d Deps) table() functions.Table { return functions.Table{CaseTable: d.CaseTable} }

func (d Deps) scope() functions.ScopeSettings {
	return functions.ScopeSettings{CaseTable: d.CaseTable, UserTable: d.UserTable, Mapping: d.Mapping}
}

func (d Deps) assess() functions.AssessSettings {
	return functions.AssessSettings{CaseTable: d.CaseTable, ApprovalMargin: d.ApprovalMargin}
}

func (d Deps) approval() functions.ApprovalSettings {
	return functions.ApprovalSettings{CaseTable: d.CaseTable, Approval: d.Approval}
}

// console is the deployed console's settings: template.yaml leaves
// CONSOLE_BROWSE unset, so the function serves approval links only.
func (d Deps) console() functions.ConsoleSettings {
	return functions.ConsoleSettings{ApprovalSettings: d.approval()}
}

func (d Deps) send() functions.SendSettings {
	s := functions.SendSettings{Send: d.Send, FilingAddresses: d.FilingAddresses, Approval: d.Approval.ForVerification()}
	s.Send.Table = d.CaseTable
	return s
}

// ApprovalService is the approval service every approval function (and the
// console) shares locally.
func (d Deps) ApprovalService() *approval.Service {
	return functions.ApprovalService(d.approval(), d.clients())
}

// Console is the approval console's handler, as the console function
// serves it (browse adds the case list, which only the local stack offers).
func (d Deps) Console(browse bool) http.Handler {
	s := d.console()
	s.Browse = browse
	return functions.ConsoleHandler(s, d.clients())
}

// wiring is one function as the local stack builds it: its
// functions.Function, and how its settings come from Deps.
type wiring interface {
	logicalID() string
	handler(ctx context.Context, d Deps) (lambda.Handler, error)
	// settings returns the function's settings as the local stack fills
	// them from d, and as Lambda reads them from the process environment.
	settings(ctx context.Context, d Deps) (local, lambda any, err error)
	// build assembles the handler from settings of the function's own type.
	build(ctx context.Context, settings any, c functions.Clients) (any, error)
}

type wired[S any] struct {
	fn   functions.Function[S]
	from func(Deps) S
}

// wire pairs a function with where its settings come from locally.
func wire[S any](fn functions.Function[S], from func(Deps) S) wiring {
	return wired[S]{fn: fn, from: from}
}

func (w wired[S]) logicalID() string { return w.fn.LogicalID }

func (w wired[S]) handler(ctx context.Context, d Deps) (lambda.Handler, error) {
	h, err := w.fn.Build(ctx, w.from(d), d.clients())
	if err != nil {
		return nil, err
	}
	return lambda.NewHandler(h), nil
}

func (w wired[S]) settings(ctx context.Context, d Deps) (any, any, error) {
	deployed, err := w.fn.Env(ctx, d.AWS)
	return w.from(d), deployed, err
}

func (w wired[S]) build(ctx context.Context, s any, c functions.Clients) (any, error) {
	return w.fn.Build(ctx, s.(S), c)
}

// wirings are the template's functions as the local stack builds them,
// keyed by logical id.
var wirings = byLogicalID(
	wire(functions.Intake, Deps.table),
	wire(functions.Scope, Deps.scope),
	wire(functions.Aggregate, Deps.table),
	wire(functions.Assess, Deps.assess),
	wire(functions.Draft, Deps.table),
	wire(functions.ApprovalRequest, Deps.approval),
	wire(functions.ApprovalEscalate, Deps.approval),
	wire(functions.Console, Deps.console),
	wire(functions.Send, Deps.send),
	wire(functions.SesEvents, Deps.table),
	wire(functions.ReconcileShard, Deps.table),
	wire(functions.Reconcile, Deps.table),
)

func byLogicalID(ws ...wiring) map[string]wiring {
	m := make(map[string]wiring, len(ws))
	for _, w := range ws {
		m[w.logicalID()] = w
	}
	return m
}

// constructors builds each function's handler, keyed by the function's
// logical id in template.yaml: the same Build its main.go starts.
var constructors = func() map[string]func(d Deps) (lambda.Handler, error) {
	m := make(map[string]func(d Deps) (lambda.Handler, error), len(wirings))
	for id, w := range wirings {
		m[id] = func(d Deps) (lambda.Handler, error) { return w.handler(context.Background(), d) }
	}
	return m
}()
