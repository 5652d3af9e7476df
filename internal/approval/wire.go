package approval

import (
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"breachflow/internal/audit"
	"breachflow/internal/cases"
)

// NewAWSService wires a Service to the case table (store, audit log and the
// hashes recorded on the case), SES v2 and Step Functions, all from one
// aws.Config: what the approval Lambdas and `breachflow approve` share.
func NewAWSService(awsCfg aws.Config, table string, c Config, log *slog.Logger) *Service {
	db := dynamodb.NewFromConfig(awsCfg)
	store := &cases.Store{DB: db, Table: table}
	return &Service{
		Rejections: store,
		Config:     c,
		Store:      DynamoStore{DB: db, Table: table},
		Tasks:      sfn.NewFromConfig(awsCfg),
		Mail:       sesv2.NewFromConfig(awsCfg),
		Audit:      audit.NewLog(awsCfg, table, c.AuditKey),
		Current:    CaseHashes(store),
		Log:        log,
	}
}
