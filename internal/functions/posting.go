package functions

import (
	"context"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdaurl"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"breachflow/internal/approval"
	"breachflow/internal/assess"
	"breachflow/internal/draft"
	"breachflow/internal/envconfig"
	"breachflow/internal/posting"
	"breachflow/internal/sms"
)

// Site is where the posted notices live: the bucket and the address the
// company's domain serves it at.
type Site struct {
	CaseTable string `env:"CASE_TABLE"`
	// AuditKey is the audit key's id or alias; empty: audit.DefaultKey.
	AuditKey string `env:"AUDIT_KEY_ID,optional"`
	Bucket   string `env:"NOTICE_BUCKET"`
	SiteURL  string `env:"NOTICE_SITE_URL"`
}

// PublishSettings are the publish function's.
type PublishSettings struct {
	Site
	// Approval is verified before anything goes up, as before any send.
	Approval approval.Config
}

// Publish posts the approved substitute and public notices, recording when
// each went up and when it may come down.
var Publish = Function[PublishSettings, posting.Request, posting.Response]{
	LogicalID: "PublishFunction",
	Env: func(ctx context.Context, lookup envconfig.Lookup, cfg aws.Config) (PublishSettings, error) {
		s, err := fromEnv[Site](ctx, lookup, cfg)
		if err != nil {
			return PublishSettings{}, err
		}
		ac, err := approval.LoadConfig(ctx, lookup, secrets{cfg})
		if err != nil {
			return PublishSettings{}, err
		}
		return PublishSettings{Site: s, Approval: ac.ForVerification()}, nil
	},
	Build: func(_ context.Context, s PublishSettings, c Clients) (Handler[posting.Request, posting.Response], error) {
		db := c.db()
		table := s.CaseTable
		h := &posting.Handler{
			Approval: posting.ApprovalCheck(ApprovalCheck(s.Approval, table, db)),
			Drafts: func(ctx context.Context, caseID string) ([]draft.Draft, string, error) {
				return draft.Load(ctx, db, table, caseID)
			},
			Assessments: &assess.Store{DB: db, Table: table},
			Publisher: &posting.Publisher{
				S3: s3.NewFromConfig(c.AWS), Store: posting.Store{DB: db, Table: table}, Audit: Table{CaseTable: s.CaseTable, AuditKey: s.AuditKey}.audit(c),
				Bucket: s.Bucket, BaseURL: s.SiteURL, Now: time.Now,
			},
			Log: c.log(),
		}
		return h.Handle, nil
	},
}

// The SMS channel's links are the posted notice's: a case not yet posted
// (posting.ErrNotPublished) stops an SMS run rather than refusing each
// person.
var _ sms.Linker = (*posting.Links)(nil)

// NoticeLink serves the per-person link pages (<site>/n/<token>) behind a
// function URL that the site's distribution routes /n/* to.
var NoticeLink = Function[Site, *events.LambdaFunctionURLRequest, *events.LambdaFunctionURLStreamingResponse]{
	LogicalID: "NoticeLinkFunction",
	Env:       fromEnv[Site],
	Build: func(_ context.Context, s Site, c Clients) (Handler[*events.LambdaFunctionURLRequest, *events.LambdaFunctionURLStreamingResponse], error) {
		return lambdaurl.Wrap(LinkPages(s, c)), nil
	},
}

// LinkPages is the link pages' handler, as the function URL and the local
// site serve it.
func LinkPages(s Site, c Clients) *posting.LinkPages {
	db := c.db()
	docs := &draft.Approved{
		DB: db, Table: s.CaseTable, Reports: Table{CaseTable: s.CaseTable}.cases(db),
		Assessments: &assess.Store{DB: db, Table: s.CaseTable},
	}
	return &posting.LinkPages{
		Links:   &posting.Links{DB: db, Table: s.CaseTable, BaseURL: s.SiteURL},
		Notices: docs.Notices,
		Log:     c.log(),
	}
}
