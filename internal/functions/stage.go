package functions

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"breachflow/internal/approval"
	"breachflow/internal/assess"
	"breachflow/internal/delivery"
	"breachflow/internal/envconfig"
	"breachflow/internal/ledger"
	"breachflow/internal/reopen"
	"breachflow/internal/stage"
)

// StageSettings are the stage function's: sending's (for the filing), the
// filing addresses, and the approval rules the filing is verified against.
type StageSettings struct {
	SendSettings
	// AuditKey is the audit key's id or alias; empty: audit.DefaultKey.
	AuditKey string
}

// Stage runs the three task states of a stage run
// (statemachine/stage.asl.json): draft the staged duty's filing, file it
// once approved, or give the task back to the sweeper.
var Stage = Function[StageSettings, stage.Input, stage.Output]{
	LogicalID: "StageFunction",
	Env: func(ctx context.Context, lookup envconfig.Lookup, cfg aws.Config) (StageSettings, error) {
		s, err := Send.Env(ctx, lookup, cfg)
		if err != nil {
			return StageSettings{}, err
		}
		t, err := fromEnv[Table](ctx, lookup, cfg)
		if err != nil {
			return StageSettings{}, err
		}
		return StageSettings{SendSettings: s, AuditKey: t.AuditKey}, nil
	},
	Build: func(_ context.Context, s StageSettings, c Clients) (Handler[stage.Input, stage.Output], error) {
		db, table := c.db(), s.Send.Table
		led := &ledger.Ledger{DB: db, Table: table}
		records := approval.DynamoStore{DB: db, Table: table}
		ses := delivery.NewSESClient(c.AWS)
		return (&stage.Runner{
			Tasks:       stage.Store{DB: db, Table: table},
			Reports:     Table{CaseTable: table}.cases(db),
			Assessments: &assess.Store{DB: db, Table: table},
			Filings: func(ctx context.Context, caseID string) ([]ledger.FilingRecord, error) {
				return ledger.Filings(ctx, db, table, caseID)
			},
			Verify: func(ctx context.Context, caseID, claimed string, cur approval.Hashes) error {
				_, err := approval.VerifyApproval(ctx, s.Approval, records, caseID, claimed, cur)
				return err
			},
			Filer: &delivery.Filer{Ledger: led, SES: ses, From: s.Send.From, ConfigurationSet: s.Send.ConfigurationSet,
				Addresses: s.FilingAddresses, Log: c.log()},
			Audit: Table{CaseTable: table, AuditKey: s.AuditKey}.audit(c),
			Log:   c.log(),
		}).Handle, nil
	},
}

// StageDueSettings are the stage sweeper's.
type StageDueSettings struct {
	CaseTable string `env:"CASE_TABLE"`
	AuditKey  string `env:"AUDIT_KEY_ID,optional"`
	// StateMachineArn is the stage state machine's; BreachStateMachineArn
	// the case's, for the late rounds the sweep starts (package reopen).
	StateMachineArn       string `env:"STAGE_STATE_MACHINE_ARN"`
	BreachStateMachineArn string `env:"BREACH_STATE_MACHINE_ARN"`
	// LeadHours is how long before a staged duty's due time its run
	// starts, so that drafting and approval fit.
	LeadHours int `env:"STAGE_LEAD_HOURS,optional"`
}

// StageDue runs on a schedule and starts a stage run for every staged duty
// that comes due within the lead time, and a late round for every closed
// case owed one (package reopen). The scheduled event's time is its
// clock, so a test (or an operator re-driving a missed schedule) can
// invoke it with the time it stands for.
var StageDue = Function[StageDueSettings, events.EventBridgeEvent, stage.SweepOutput]{
	LogicalID: "StageDueFunction",
	Env: func(ctx context.Context, lookup envconfig.Lookup, cfg aws.Config) (StageDueSettings, error) {
		s, err := fromEnv[StageDueSettings](ctx, lookup, cfg)
		if err == nil && s.LeadHours == 0 {
			s.LeadHours = 48
		}
		return s, err
	},
	Build: func(_ context.Context, s StageDueSettings, c Clients) (Handler[events.EventBridgeEvent, stage.SweepOutput], error) {
		db, t := c.db(), Table{CaseTable: s.CaseTable, AuditKey: s.AuditKey}
		store, states := t.cases(db), sfn.NewFromConfig(c.AWS)
		sw := &stage.Sweeper{
			Tasks: stage.Store{DB: db, Table: s.CaseTable}, Cases: store, SFN: states,
			StateMachineArn: s.StateMachineArn, Lead: time.Duration(s.LeadHours) * time.Hour,
			Audit: t.audit(c), Log: c.log(),
		}
		late := &reopen.Starter{Cases: store, SFN: states, StateMachineArn: s.BreachStateMachineArn, Log: c.log()}
		return func(ctx context.Context, ev events.EventBridgeEvent) (stage.SweepOutput, error) {
			now := ev.Time
			if now.IsZero() {
				now = time.Now()
			}
			out, err := sw.Sweep(ctx, now)
			// Late rounds are swept even when the staged duties' sweep
			// failed: one case's trouble holds no other case's people.
			n, lerr := late.Sweep(ctx, now)
			out.LateRounds = n
			return out, errors.Join(err, lerr)
		}, nil
	},
}
