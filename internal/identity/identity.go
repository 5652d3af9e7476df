// Package identity says who is calling breachflow's command line in AWS: the
// principal AWS authenticated (sts:GetCallerIdentity), mapped to a staff
// email by configuration. `breachflow start`, `approve` and `reject` use it,
// so in AWS a responder cannot vote as someone else or name another
// submitter: the identity is AWS's, not a flag's.
//
// The map (template.yaml's Principals parameter, BREACHFLOW_PRINCIPALS in
// the CLI) pairs the exact ARN GetCallerIdentity returns with an email:
// an IAM user's ARN, or an assumed-role session's
// (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION). Map sessions only where
// AWS fixes the session name (IAM Identity Center sets it to the user; a
// role's trust policy can require sts:RoleSessionName to match the user),
// since otherwise whoever may assume the role chooses it. A whole role is
// never mapped to one person.
//
// On the local stack there are no identities to prove (every call carries
// the same static credentials), so the CLI says on screen that identities
// are asserted there.
package identity

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Environment variables the CLI reads.
const (
	// EnvPrincipals holds the map: ARN=email pairs, comma-separated.
	EnvPrincipals = "BREACHFLOW_PRINCIPALS"
	// EnvResponders lists the staff emails allowed to start cases.
	EnvResponders = "BREACHFLOW_RESPONDERS"
)

// Map maps a principal's ARN to the staff email it stands for.
type Map map[string]string

// ParseMap reads "ARN=email,ARN=email". An entry that is not an ARN of a
// user or an assumed-role session, or that maps a principal twice, is an
// error naming the entry's position (never its value: the email is staff
// data, and errors reach logs).
func ParseMap(s string) (Map, error) {
	m := Map{}
	for i, pair := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' || r == ' ' || r == '\t' }) {
		arn, email, ok := strings.Cut(pair, "=")
		arn, email = strings.TrimSpace(arn), strings.ToLower(strings.TrimSpace(email))
		switch {
		case !ok || !strings.Contains(email, "@"):
			return nil, fmt.Errorf("%s entry %d: want ARN=email", EnvPrincipals, i+1)
		case !personal(arn):
			return nil, fmt.Errorf("%s entry %d: want the ARN of an IAM user or an assumed-role session (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION), as sts get-caller-identity prints it", EnvPrincipals, i+1)
		case m[arn] != "":
			return nil, fmt.Errorf("%s entry %d: the principal is mapped twice", EnvPrincipals, i+1)
		}
		m[arn] = email
	}
	return m, nil
}

// personal reports whether arn names one caller: an IAM user or one
// session of an assumed role, never a role, a group or the account.
func personal(arn string) bool {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[4] == "" {
		return false
	}
	switch res := parts[5]; {
	case parts[2] == "iam" && strings.HasPrefix(res, "user/") && len(res) > len("user/"):
		return true
	case parts[2] == "sts" && strings.HasPrefix(res, "assumed-role/"):
		return strings.Count(res, "/") == 2 && !strings.HasSuffix(res, "/")
	}
	return false
}

// Caller is the part of the STS client Who uses.
type Caller interface {
	GetCallerIdentity(ctx context.Context, in *sts.GetCallerIdentityInput, opts ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
}

// Identity is a caller AWS authenticated, and who the map says that is.
type Identity struct {
	ARN   string
	Email string
}

// UnknownPrincipal says AWS authenticated a caller the map does not name.
type UnknownPrincipal struct{ ARN string }

// Error names the principal (staff, not personal data of affected people)
// so the responder can ask for it to be mapped.
func (e *UnknownPrincipal) Error() string {
	return fmt.Sprintf("AWS says you are %s, which %s does not map to a staff email; ask for it to be added to the stack's Principals", e.ARN, EnvPrincipals)
}

// Who asks AWS who is calling and maps the answer.
func (m Map) Who(ctx context.Context, c Caller) (Identity, error) {
	out, err := c.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return Identity{}, fmt.Errorf("who is calling (sts:GetCallerIdentity): %w", err)
	}
	arn := aws.ToString(out.Arn)
	email, ok := m[arn]
	if !ok {
		return Identity{}, &UnknownPrincipal{ARN: arn}
	}
	return Identity{ARN: arn, Email: email}, nil
}

// ErrNotYou is a flag naming someone other than the authenticated caller.
var ErrNotYou = errors.New("--as names someone other than you")

// Check compares an identity asserted with a flag (--as) with the proven
// one: empty or the same email passes, anything else is ErrNotYou.
func (id Identity) Check(asserted string) error {
	if a := strings.ToLower(strings.TrimSpace(asserted)); a != "" && a != id.Email {
		return fmt.Errorf("AWS authenticated you as %s (%s): %w; in AWS your identity comes from AWS, not from a flag", id.Email, id.ARN, ErrNotYou)
	}
	return nil
}
