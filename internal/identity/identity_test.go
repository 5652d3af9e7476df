package identity_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"breachflow/internal/identity"
)

type caller string

func (c caller) GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error) {
	return &sts.GetCallerIdentityOutput{Arn: aws.String(string(c))}, nil
}

const (
	kim = "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Responder_0123/kim@example.com"
	lee = "arn:aws:iam::111122223333:user/lee"
)

func TestParseMap(t *testing.T) {
	m, err := identity.ParseMap(kim + "=Legal-Lead@example.com, " + lee + "=ciso@example.com")
	if err != nil || m[kim] != "legal-lead@example.com" || m[lee] != "ciso@example.com" {
		t.Fatalf("ParseMap = %v, %v", m, err)
	}
	for name, bad := range map[string]string{
		"no email":                 kim,
		"a whole role":             "arn:aws:iam::111122223333:role/Responder=kim@example.com",
		"a role without a session": "arn:aws:sts::111122223333:assumed-role/Responder=kim@example.com",
		"the account":              "arn:aws:iam::111122223333:root=kim@example.com",
		"twice":                    lee + "=a@example.com," + lee + "=b@example.com",
		"not an ARN":               "kim=kim@example.com",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := identity.ParseMap(bad)
			if err == nil {
				t.Fatal("accepted")
			}
			if strings.Contains(err.Error(), "@example.com") {
				t.Errorf("the error echoes an email: %v", err)
			}
		})
	}
}

func TestWhoAndCheck(t *testing.T) {
	m, _ := identity.ParseMap(kim + "=legal-lead@example.com")
	id, err := m.Who(context.Background(), caller(kim))
	if err != nil || id.Email != "legal-lead@example.com" {
		t.Fatalf("Who = %+v, %v", id, err)
	}
	for _, ok := range []string{"", "legal-lead@example.com", " Legal-Lead@example.com"} {
		if err := id.Check(ok); err != nil {
			t.Errorf("Check(%q) = %v", ok, err)
		}
	}
	if err := id.Check("ciso@example.com"); !errors.Is(err, identity.ErrNotYou) {
		t.Errorf("--as someone else: %v, want ErrNotYou", err)
	}
	_, err = m.Who(context.Background(), caller(lee))
	var unknown *identity.UnknownPrincipal
	if !errors.As(err, &unknown) || unknown.ARN != lee {
		t.Errorf("an unmapped caller: %v, want UnknownPrincipal", err)
	}
}
