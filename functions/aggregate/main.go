// Command aggregate is the Lambda after the scope Map: it sums the segments'
// counts and computes the recipient-set hash (scope.AggregateInput in,
// scope.Totals out). It needs no AWS client: the segments report their
// share of the hash, and scope.RecipientSetHash can recheck it from the
// subject set.
package main

import (
	"context"
	"log/slog"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"breachflow/internal/scope"
)

func main() {
	slog.SetDefault(lambdacontext.NewLogger())
	lambda.Start(func(_ context.Context, in scope.AggregateInput) (*scope.Totals, error) {
		return scope.Aggregate(in)
	})
}
