package functions

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"breachflow/internal/approval"
	"breachflow/internal/assess"
	"breachflow/internal/cases"
	"breachflow/internal/delivery"
	"breachflow/internal/draft"
	"breachflow/internal/envconfig"
	"breachflow/internal/ledger"
	"breachflow/internal/posting"
	"breachflow/internal/sesevents"
	"breachflow/internal/sms"
)

// SendSettings are the send function's.
type SendSettings struct {
	// Send configures sending; Send.Table is the case table.
	Send delivery.Config
	// FilingAddresses says where each regulator filing goes.
	FilingAddresses delivery.FilingAddresses
	// Approval is the approval rules' configuration (approvers, quorum,
	// the key that seals approval records): the send stage verifies the
	// approval itself before anything goes out.
	Approval approval.Config
	// SMS configures the SMS channel (senders per country, rate,
	// configuration set). Read and checked at cold start, so a sender that
	// does not fit its country fails the first start, not the first text;
	// the send stage runs it for notices batches with channel "sms".
	SMS sms.Config
	// SiteURL is the notice site, where each text's link to the person's
	// full notice points (NOTICE_SITE_URL); required with SMS senders.
	SiteURL string
}

// Send sends the regulator filings, then the customer notices a batch per
// invocation; only documents that hash to what the approvers signed off.
var Send = Function[SendSettings, delivery.Request, delivery.Response]{
	LogicalID: "SendFunction",
	GCPercent: delivery.GCPercent,
	Env: func(ctx context.Context, lookup envconfig.Lookup, cfg aws.Config) (SendSettings, error) {
		e, err := fromEnv[struct {
			// FilingAddresses is JSON: obligation id or regulator name -> address.
			FilingAddresses string `env:"FILING_ADDRESSES"`
			SiteURL         string `env:"NOTICE_SITE_URL,optional"`
		}](ctx, lookup, cfg)
		if err != nil {
			return SendSettings{}, err
		}
		dc, err := delivery.LoadConfig(lookup)
		if err != nil {
			return SendSettings{}, err
		}
		addrs, err := delivery.ParseFilingAddresses(e.FilingAddresses)
		if err != nil {
			return SendSettings{}, err
		}
		ac, err := approval.LoadConfig(ctx, lookup, secrets{cfg})
		if err != nil {
			return SendSettings{}, err
		}
		sc, err := sms.LoadConfig(lookup)
		if err != nil {
			return SendSettings{}, err
		}
		if sc.Enabled() && e.SiteURL == "" {
			return SendSettings{}, errors.New("NOTICE_SITE_URL: required with SMS_SENDERS (each text links to the person's notice page)")
		}
		return SendSettings{Send: dc, FilingAddresses: addrs, Approval: ac.ForVerification(), SMS: sc, SiteURL: e.SiteURL}, nil
	},
	Build: func(ctx context.Context, s SendSettings, c Clients) (Handler[delivery.Request, delivery.Response], error) {
		db, ses := c.db(), delivery.NewSESClient(c.AWS)
		table := s.Send.Table
		docs := &draft.Approved{
			DB: db, Table: table, Reports: Table{CaseTable: table}.cases(db),
			Assessments: &assess.Store{DB: db, Table: table},
		}
		h, err := delivery.NewHandler(ctx, s.Send, s.FilingAddresses, db, ses, docs, ApprovalCheck(s.Approval, table, db), c.log(), c.metrics())
		if err != nil {
			return nil, err
		}
		if h.SMS, err = smsPipeline(s, db, c); err != nil {
			return nil, err
		}
		h.Texts = docs.Texts
		return h.Handle, nil
	},
}

// smsPipeline is the send stage's SMS pipeline (sms.Off without senders): End
// User Messaging SMS, the posted notice's per-person links, and a pacing
// of the identities' message parts per second shared by the send Map's
// children as the SES rate is.
func smsPipeline(s SendSettings, db *dynamodb.Client, c Clients) (*delivery.Pipeline, error) {
	led := &ledger.Ledger{DB: db, Table: s.Send.Table}
	if !s.SMS.Enabled() {
		// No senders: the people due a text are refused on SMS and move
		// on along their plan (sms.Off).
		return &delivery.Pipeline{Ledger: led, Channel: sms.Off{}, Pacing: delivery.Pacing{Workers: 4}, Log: c.log(), Metrics: c.metrics()}, nil
	}
	ch := &sms.Channel{
		Client: sms.NewClient(c.AWS), Senders: s.SMS.Senders, Org: s.SMS.Organisation,
		ConfigurationSet: s.SMS.ConfigurationSet,
		Links:            &posting.Links{DB: db, Table: s.Send.Table, BaseURL: s.SiteURL},
	}
	pacing, err := s.SMS.Pacing(ch, s.Send.Parallel)
	if err != nil {
		return nil, err
	}
	return &delivery.Pipeline{
		Ledger: led, Channel: ch, Pacing: pacing,
		Log: c.log(), Metrics: c.metrics(),
	}, nil
}

// ApprovalCheck is the send stage's approval check: the case's approval
// records, as the approval service sealed them, against the hashes the
// pipeline recorded on the case (approval.VerifyApproval). db is the case
// table's client (the DynamoDB client in the function).
func ApprovalCheck(c approval.Config, table string, db approval.DB) delivery.ApprovalCheck {
	store := approval.DynamoStore{DB: db, Table: table}
	current := approval.CaseHashes(&cases.Store{DB: db, Table: table})
	return func(ctx context.Context, caseID, claimed string) (string, error) {
		cur, err := current(ctx, caseID)
		if err != nil {
			return "", err
		}
		v, err := approval.VerifyApproval(ctx, c, store, caseID, claimed, cur)
		return v.ContentHash, err
	}
}

// SesEvents applies SES delivery, bounce and complaint events to each
// person's ledger entry.
var SesEvents = Function[Table, json.RawMessage, sesevents.Summary]{
	LogicalID: "SesEventsFunction",
	Env:       fromEnv[Table],
	Build: func(_ context.Context, s Table, c Clients) (Handler[json.RawMessage, sesevents.Summary], error) {
		db := c.db()
		led := &ledger.Ledger{DB: db, Table: s.CaseTable}
		return (&sesevents.Handler{Applier: &sesevents.Applier{Ledger: led, Cases: s.cases(db)}, Log: c.log()}).Handle, nil
	},
}

// SmsEvents files the SMS channel's delivery receipts (from the SMS
// configuration set's SNS topic; locally, from the SMS endpoint) in each
// person's SMS ledger entry.
var SmsEvents = Function[Table, json.RawMessage, sms.Summary]{
	LogicalID: "SmsEventsFunction",
	Env:       fromEnv[Table],
	Build: func(_ context.Context, s Table, c Clients) (Handler[json.RawMessage, sms.Summary], error) {
		db := c.db()
		led := &ledger.Ledger{DB: db, Table: s.CaseTable}
		return (&sms.ReceiptHandler{Ledger: led, Cases: s.cases(db), Log: c.log()}).Handle, nil
	},
}
