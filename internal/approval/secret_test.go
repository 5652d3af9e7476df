package approval_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"breachflow/internal/approval"
)

type secretFunc func(id string) (string, error)

func (f secretFunc) GetSecretValue(_ context.Context, in *secretsmanager.GetSecretValueInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	v, err := f(aws.ToString(in.SecretId))
	if err != nil {
		return nil, err
	}
	return &secretsmanager.GetSecretValueOutput{SecretString: aws.String(v)}, nil
}

func TestConfigFromSecret(t *testing.T) {
	t.Setenv(approval.EnvApprovers, "a@corp.example,b@corp.example")
	t.Setenv(approval.EnvKey, "")
	key := strings.Repeat("ab", approval.MinKeyLen)
	asked := ""
	sm := secretFunc(func(id string) (string, error) { asked = id; return key, nil })

	t.Setenv(approval.EnvKeySecret, "breachflow/approval-key")
	c, err := approval.ConfigFromSecret(context.Background(), sm)
	if err != nil {
		t.Fatal(err)
	}
	if asked != "breachflow/approval-key" || len(c.Key) != approval.MinKeyLen {
		t.Errorf("asked for %q, key of %d bytes", asked, len(c.Key))
	}

	bad := secretFunc(func(string) (string, error) { return "short", nil })
	if _, err := approval.ConfigFromSecret(context.Background(), bad); err == nil || !strings.Contains(err.Error(), approval.EnvKeySecret) {
		t.Errorf("a too-short secret: %v, want an error naming %s", err, approval.EnvKeySecret)
	}
	gone := secretFunc(func(string) (string, error) { return "", errors.New("AccessDenied") })
	if _, err := approval.ConfigFromSecret(context.Background(), gone); err == nil || !strings.Contains(err.Error(), "AccessDenied") {
		t.Errorf("an unreadable secret: %v", err)
	}

	// Without the secret's name the key must come from the environment.
	t.Setenv(approval.EnvKeySecret, "")
	if _, err := approval.ConfigFromSecret(context.Background(), sm); err == nil {
		t.Error("no key anywhere, yet a configuration")
	}
}
