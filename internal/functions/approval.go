package functions

import (
	"context"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdaurl"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"breachflow/internal/approval"
	"breachflow/internal/assess"
	"breachflow/internal/console"
	"breachflow/internal/envconfig"
	"breachflow/internal/ledger"
	"breachflow/internal/posting"
	"breachflow/internal/stage"
)

// ApprovalSettings are the approval functions': the case table and the
// approval rules (approvers, quorum, signing key, console URL).
type ApprovalSettings struct {
	CaseTable string
	Approval  approval.Config
}

// approvalFromEnv reads CASE_TABLE and the BREACHFLOW_* approval variables;
// the signing key is the secret BREACHFLOW_APPROVAL_KEY_SECRET names, or
// locally BREACHFLOW_APPROVAL_KEY itself (see approval.LoadConfig).
func approvalFromEnv(ctx context.Context, lookup envconfig.Lookup, cfg aws.Config) (ApprovalSettings, error) {
	t, err := fromEnv[Table](ctx, lookup, cfg)
	if err != nil {
		return ApprovalSettings{}, err
	}
	ac, err := approval.LoadConfig(ctx, lookup, secrets{cfg})
	if err != nil {
		return ApprovalSettings{}, err
	}
	return ApprovalSettings{CaseTable: t.CaseTable, Approval: ac}, nil
}

// ApprovalService is the approval service the approval functions and the
// console share (the local stack's escalation ticker too).
func ApprovalService(s ApprovalSettings, c Clients) *approval.Service {
	svc := approval.NewAWSService(c.AWS, s.CaseTable, s.Approval, c.log())
	svc.Metrics = c.Metrics // the DeadlinesAtRisk alarm's lines; nil writes none
	stages := stage.Store{DB: c.db(), Table: s.CaseTable}
	svc.Stages, svc.StageDeadlines = stages, stages
	return svc
}

// ApprovalRequest is the approval state's .waitForTaskToken task: it reads
// the case's hashes, approvers and deadlines, records the token and emails
// each approver a signed link.
var ApprovalRequest = Function[ApprovalSettings, approval.CaseRequest, approval.OpenOutput]{
	LogicalID: "ApprovalRequestFunction",
	Env:       approvalFromEnv,
	Build: func(_ context.Context, s ApprovalSettings, c Clients) (Handler[approval.CaseRequest, approval.OpenOutput], error) {
		db := c.db()
		return (&approval.Requester{
			Service:     ApprovalService(s, c),
			Cases:       Table{CaseTable: s.CaseTable}.cases(db),
			Assessments: &assess.Store{DB: db, Table: s.CaseTable},
		}).Handle, nil
	},
}

// ApprovalEscalate runs on a schedule (an EventBridge scheduled event, which
// it does not read) and emails the escalation contacts while approval is
// pending close to a deadline.
var ApprovalEscalate = Function[ApprovalSettings, events.EventBridgeEvent, approval.EscalateOutput]{
	LogicalID: "ApprovalEscalateFunction",
	Env:       approvalFromEnv,
	Build: func(_ context.Context, s ApprovalSettings, c Clients) (Handler[events.EventBridgeEvent, approval.EscalateOutput], error) {
		svc := ApprovalService(s, c)
		return func(ctx context.Context, _ events.EventBridgeEvent) (approval.EscalateOutput, error) {
			return svc.Escalate(ctx)
		}, nil
	},
}

// ConsoleSettings are the console function's.
type ConsoleSettings struct {
	ApprovalSettings
	// Browse adds the case list. Leave it off behind a public URL: then
	// only approval links are served, and the link is the credential.
	Browse bool
	// NoticeBucket, when set, is checked for the case's posted pages, so
	// the console warns before a required posting would end early.
	NoticeBucket string
}

// ConsoleHandler is the approval console as an http.Handler: what the
// console function serves through its URL, and the local stack directly.
func ConsoleHandler(s ConsoleSettings, c Clients) http.Handler {
	db := c.db()
	records := Table{CaseTable: s.CaseTable}.cases(db)
	pages := posting.Store{DB: db, Table: s.CaseTable}
	postings := func(ctx context.Context, caseID string) ([]posting.Page, []posting.Problem, error) {
		if s.NoticeBucket == "" {
			ps, err := pages.Pages(ctx, caseID)
			return ps, nil, err
		}
		return posting.Checker{S3: s3.NewFromConfig(c.AWS), Store: pages, Bucket: s.NoticeBucket}.Check(ctx, caseID, time.Now())
	}
	deps := console.Deps{
		Approval: ApprovalService(s.ApprovalSettings, c),
		Cases: console.CaseTable{
			Records:     records,
			Assessments: &assess.Store{DB: db, Table: s.CaseTable},
			Drafts:      console.DraftsFromTable(db, s.CaseTable),
			Audit:       Table{CaseTable: s.CaseTable, AuditKey: s.Approval.AuditKey}.audit(c),
			Filings: func(ctx context.Context, caseID string) ([]ledger.FilingRecord, error) {
				return ledger.Filings(ctx, db, s.CaseTable, caseID)
			},
			Stages:   stage.Store{DB: db, Table: s.CaseTable}.List,
			Postings: postings,
		},
		Log: c.log(),
	}
	if s.Browse {
		// Counting delivery reads the whole ledger: only the local
		// stack's browse mode offers it.
		deps.Delivery = console.DeliveryFromLedger(db, s.CaseTable, records)
	}
	return console.New(console.Config{Browse: s.Browse}, deps)
}

// Console serves the approval console behind a function URL (InvokeMode
// RESPONSE_STREAM) through lambdaurl.
var Console = Function[ConsoleSettings, *events.LambdaFunctionURLRequest, *events.LambdaFunctionURLStreamingResponse]{
	LogicalID: "ConsoleFunction",
	Env: func(ctx context.Context, lookup envconfig.Lookup, cfg aws.Config) (ConsoleSettings, error) {
		e, err := fromEnv[struct {
			Browse       bool   `env:"CONSOLE_BROWSE,optional"`
			NoticeBucket string `env:"NOTICE_BUCKET,optional"`
		}](ctx, lookup, cfg)
		if err != nil {
			return ConsoleSettings{}, err
		}
		a, err := approvalFromEnv(ctx, lookup, cfg)
		if err != nil {
			return ConsoleSettings{}, err
		}
		return ConsoleSettings{ApprovalSettings: a, Browse: e.Browse, NoticeBucket: e.NoticeBucket}, nil
	},
	Build: func(_ context.Context, s ConsoleSettings, c Clients) (Handler[*events.LambdaFunctionURLRequest, *events.LambdaFunctionURLStreamingResponse], error) {
		return lambdaurl.Wrap(ConsoleHandler(s, c)), nil
	},
}
