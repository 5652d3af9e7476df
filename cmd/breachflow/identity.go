package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/aws/aws-sdk-go-v2/service/sts"

	"breachflow/internal/approval"
	"breachflow/internal/awsenv"
	"breachflow/internal/envconfig"
	"breachflow/internal/identity"
)

// assertedNotice is what the CLI says wherever it cannot prove who runs it.
const assertedNotice = "note: local stack: identities are asserted, not proven (--as and the report's submitter are taken as given); in AWS they come from sts:GetCallerIdentity and %s\n"

// caller returns who AWS says runs this command, or nil where identities
// are asserted (the local stack with no principal map), after saying so on
// w. In AWS the map is required: nobody acts under a name a flag gives.
// Locally, setting BREACHFLOW_PRINCIPALS and AWS_ENDPOINT_URL_STS runs the
// same proof against a local STS endpoint.
func caller(ctx context.Context, env *cliEnv, w io.Writer) (*identity.Identity, error) {
	local, err := awsenv.Local()
	if err != nil {
		return nil, err
	}
	raw := os.Getenv(identity.EnvPrincipals)
	switch {
	case raw == "" && local:
		fmt.Fprintf(w, assertedNotice, identity.EnvPrincipals)
		return nil, nil
	case raw == "":
		return nil, fmt.Errorf("set %s to the stack's Principals output: in AWS, who runs breachflow is taken from sts:GetCallerIdentity and mapped to a staff email, never from --as", identity.EnvPrincipals)
	case local && os.Getenv("AWS_ENDPOINT_URL_STS") == "":
		return nil, fmt.Errorf("%s is set on a local stack but AWS_ENDPOINT_URL_STS is not: the identity check would call AWS's STS", identity.EnvPrincipals)
	}
	m, err := identity.ParseMap(raw)
	if err != nil {
		return nil, err
	}
	id, err := m.Who(ctx, sts.NewFromConfig(env.cfg))
	if err != nil {
		return nil, err
	}
	return &id, nil
}

// mayStart checks that a proven caller is a configured responder, or a
// configured approver (who may submit, though not approve their own case).
func mayStart(id *identity.Identity) error {
	staff := envconfig.List(os.Getenv(identity.EnvResponders))
	for _, r := range append(staff, envconfig.List(os.Getenv("BREACHFLOW_APPROVERS"))...) {
		if approval.ApproverID(r) == approval.ApproverID(id.Email) {
			return nil
		}
	}
	return fmt.Errorf("AWS authenticated you as %s (%s), who is not among the configured responders (%s): %w", id.Email, id.ARN, identity.EnvResponders, errNotResponder)
}

var errNotResponder = errors.New("only responders start cases")
