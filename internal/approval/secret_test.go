package approval_test

import (
	"context"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/google/go-cmp/cmp"

	"breachflow/internal/approval"
	"breachflow/internal/envconfig"
)

type secretFunc func(id string) (string, error)

func (f secretFunc) GetSecretValue(_ context.Context, in *secretsmanager.GetSecretValueInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	v, err := f(aws.ToString(in.SecretId))
	if err != nil {
		return nil, err
	}
	return &secretsmanager.GetSecretValueOutput{SecretString: aws.String(v)}, nil
}

// with returns vars plus the given name=value pairs.
func with(vars map[string]string, kv ...string) envconfig.Lookup {
	m := map[string]string{}
	for k, v := range vars {
		m[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return envconfig.Map(m)
}

func TestLoadConfig(t *testing.T) {
	ctx := context.Background()
	key := strings.Repeat("ab", approval.MinKeyLen)
	base := map[string]string{
		"BREACHFLOW_APPROVERS":          "alice@corp.example, bob@corp.example",
		"BREACHFLOW_ESCALATION_MARGINS": "12h,2h",
		"BREACHFLOW_CONSOLE_URL":        "https://console.example.com/",
		approval.EnvKey:                 key,
	}
	c, err := approval.LoadConfig(ctx, envconfig.Map(base), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := approval.Config{
		Approvers: []string{"alice@corp.example", "bob@corp.example"}, Key: c.Key,
		ConsoleURL: "https://console.example.com", From: approval.DefaultFrom,
		Margins: []time.Duration{12 * time.Hour, 2 * time.Hour},
	}
	if diff := cmp.Diff(want, c); diff != "" || hex.EncodeToString(c.Key) != key {
		t.Errorf("config (-want +got):\n%s", diff)
	}

	for _, tc := range []struct {
		name   string
		lookup envconfig.Lookup
		want   string // in the error
	}{
		{"no approvers", with(base, "BREACHFLOW_APPROVERS", ""), "missing environment variables: BREACHFLOW_APPROVERS"},
		{"more required than approvers", with(base, "BREACHFLOW_APPROVALS_REQUIRED", "3"), "Required is 3"},
		{"malformed quorum", with(base, "BREACHFLOW_APPROVALS_REQUIRED", "two"), "BREACHFLOW_APPROVALS_REQUIRED"},
		{"malformed margin", with(base, "BREACHFLOW_ESCALATION_MARGINS", "12h,-2h"), "Margins holds -2h0m0s"},
		{"short key", with(base, approval.EnvKey, "c2hvcnQ="), approval.EnvKey},
		{"no key at all", with(base, approval.EnvKey, ""), "neither " + approval.EnvKeySecret + " nor " + approval.EnvKey},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := approval.LoadConfig(ctx, tc.lookup, nil); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want it to say %q", err, tc.want)
			}
		})
	}
}

func TestLoadConfigFromSecret(t *testing.T) {
	ctx := context.Background()
	vars := map[string]string{"BREACHFLOW_APPROVERS": "a@corp.example,b@corp.example", approval.EnvKeySecret: "breachflow/approval-key"}
	key := strings.Repeat("ab", approval.MinKeyLen)
	asked := ""
	sm := secretFunc(func(id string) (string, error) { asked = id; return key, nil })

	c, err := approval.LoadConfig(ctx, envconfig.Map(vars), sm)
	if err != nil {
		t.Fatal(err)
	}
	if asked != "breachflow/approval-key" || len(c.Key) != approval.MinKeyLen {
		t.Errorf("asked for %q, key of %d bytes", asked, len(c.Key))
	}

	bad := secretFunc(func(string) (string, error) { return "short", nil })
	if _, err := approval.LoadConfig(ctx, envconfig.Map(vars), bad); err == nil || !strings.Contains(err.Error(), approval.EnvKeySecret) {
		t.Errorf("a too-short secret: %v, want an error naming %s", err, approval.EnvKeySecret)
	}
	gone := secretFunc(func(string) (string, error) { return "", errors.New("AccessDenied") })
	if _, err := approval.LoadConfig(ctx, envconfig.Map(vars), gone); err == nil || !strings.Contains(err.Error(), "AccessDenied") {
		t.Errorf("an unreadable secret: %v", err)
	}
	if _, err := approval.LoadConfig(ctx, envconfig.Map(vars), nil); err == nil || !strings.Contains(err.Error(), approval.EnvKeySecret) {
		t.Errorf("a secret to read and nothing to read it with: %v", err)
	}

	// A key given directly wins: the local stack's way, with no Secrets
	// Manager to ask.
	direct := with(vars, approval.EnvKey, strings.Repeat("cd", approval.MinKeyLen))
	never := secretFunc(func(string) (string, error) {
		t.Error("asked Secrets Manager although the key was given")
		return key, nil
	})
	if c, err := approval.LoadConfig(ctx, direct, never); err != nil || hex.EncodeToString(c.Key) != strings.Repeat("cd", approval.MinKeyLen) {
		t.Errorf("direct key: %x, %v", c.Key, err)
	}
}

func TestLocalKeyIsKeptAcrossStarts(t *testing.T) {
	dir := filepath.Join(t.TempDir(), ".breachflow")
	key, err := approval.LocalKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(filepath.Join(dir, "approval.key"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", info, err)
	}
	again, err := approval.LocalKey(dir)
	if err != nil || string(again) != string(key) || len(key) != approval.MinKeyLen {
		t.Error("a second start made a new key: links issued before would break")
	}
}
