package localrun

import (
	"log/slog"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"breachflow/internal/assess"
	"breachflow/internal/cases"
	"breachflow/internal/intake"
)

// Deps are the clients and settings the functions' handlers are built from:
// locally, clients of the emulators; the values a deployed function reads
// from its environment.
type Deps struct {
	AWS       aws.Config
	CaseTable string
	Log       *slog.Logger
}

// constructors builds each function's handler, keyed by the function's
// logical id in template.yaml.
var constructors = map[string]func(d Deps) lambda.Handler{
	"IntakeFunction": func(d Deps) lambda.Handler {
		store := &cases.Store{DB: dynamodb.NewFromConfig(d.AWS), Table: d.CaseTable}
		return lambda.NewHandler((&intake.Handler{Cases: store, Log: d.Log}).Handle)
	},
	"AssessFunction": func(d Deps) lambda.Handler {
		db := dynamodb.NewFromConfig(d.AWS)
		return lambda.NewHandler((&assess.Handler{
			Cases: &cases.Store{DB: db, Table: d.CaseTable},
			Store: &assess.Store{DB: db, Table: d.CaseTable},
			Log:   d.Log,
		}).Handle)
	},
}
