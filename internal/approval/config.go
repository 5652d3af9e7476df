package approval

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// DefaultRequired is how many distinct approvers a case needs unless
// configured otherwise.
const DefaultRequired = 2

// DefaultLinkTTL is how long an approval link stays valid.
const DefaultLinkTTL = 72 * time.Hour

// DefaultMargins are the escalation thresholds: how close the earliest
// deadline may come, while approval is pending, before escalation contacts
// are emailed. Each threshold fires once per case.
var DefaultMargins = []time.Duration{24 * time.Hour, 6 * time.Hour}

// MinKeyLen is the shortest signing key accepted, in bytes.
const MinKeyLen = 32

// Config is what the approval rules are configured with.
type Config struct {
	// Approvers are the staff who may approve or reject (emails).
	Approvers []string
	// Required is the number of distinct approvers needed; 0 means
	// DefaultRequired.
	Required int
	// Key signs links and CSRF tokens; at least MinKeyLen bytes.
	Key []byte
	// ConsoleURL is the console's base URL, e.g. http://127.0.0.1:8080.
	ConsoleURL string
	// From is the sender of approval and escalation emails.
	From string
	// LinkTTL is how long a link is valid; 0 means DefaultLinkTTL. A link
	// never outlives the earliest deadline by more than the TTL either.
	LinkTTL time.Duration
	// EscalateTo are the escalation contacts (emails).
	EscalateTo []string
	// Margins are the escalation thresholds; nil means DefaultMargins.
	Margins []time.Duration
}

func (c Config) required() int {
	if c.Required > 0 {
		return c.Required
	}
	return DefaultRequired
}

func (c Config) linkTTL() time.Duration {
	if c.LinkTTL > 0 {
		return c.LinkTTL
	}
	return DefaultLinkTTL
}

func (c Config) margins() []time.Duration {
	if c.Margins != nil {
		return c.Margins
	}
	return DefaultMargins
}

// Validate reports the first problem of the configuration, naming the field.
func (c Config) Validate() error {
	switch {
	case len(c.Key) < MinKeyLen:
		return fmt.Errorf("approval config: Key has %d bytes, want at least %d", len(c.Key), MinKeyLen)
	case len(c.Approvers) == 0:
		return errors.New("approval config: Approvers is empty")
	case c.required() > len(c.Approvers):
		return fmt.Errorf("approval config: Required is %d but only %d approvers are configured", c.required(), len(c.Approvers))
	}
	seen := map[string]bool{}
	for _, a := range c.Approvers {
		id := ApproverID(a)
		if seen[id] {
			return fmt.Errorf("approval config: approver listed twice (id %s)", id)
		}
		seen[id] = true
	}
	return nil
}

// approver finds the configured approver with this email or id.
func (c Config) approver(emailOrID string) (email, id string, ok bool) {
	for _, a := range c.Approvers {
		if id := ApproverID(a); id == emailOrID || normalise(a) == normalise(emailOrID) {
			return normalise(a), id, true
		}
	}
	return "", "", false
}

// ApproverEmail returns the configured email of an approver id, for display
// to staff in the console. It is "" for an unknown id.
func (c Config) ApproverEmail(id string) string {
	email, _, _ := c.approver(id)
	return email
}

// ApproverID is the stable id of a staff email: what votes, links, logs and
// the task output carry instead of the address. It is a pseudonym (a hash
// of the lower-cased address), not a secret: whoever knows the approver list
// can map ids back, which is what the console does to show names.
func ApproverID(email string) string {
	sum := sha256.Sum256([]byte(normalise(email)))
	return "ap-" + hex.EncodeToString(sum[:8])
}

func normalise(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// SplitList splits a comma- or whitespace-separated list of emails, as
// environment variables carry them.
func SplitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' })
}

// Environment variables read by ConfigFromEnv.
const (
	EnvApprovers = "BREACHFLOW_APPROVERS"
	EnvRequired  = "BREACHFLOW_APPROVALS_REQUIRED"
	EnvKey       = "BREACHFLOW_APPROVAL_KEY" // base64 (std or URL) or hex
	// EnvKeySecret names the Secrets Manager secret (id or ARN) that holds
	// the key: deployed functions read it at cold start, so the key never
	// sits in their configuration.
	EnvKeySecret  = "BREACHFLOW_APPROVAL_KEY_SECRET"
	EnvConsoleURL = "BREACHFLOW_CONSOLE_URL"
	EnvFrom       = "BREACHFLOW_APPROVAL_FROM"
	EnvEscalateTo = "BREACHFLOW_ESCALATE_TO"
	EnvMargins    = "BREACHFLOW_ESCALATION_MARGINS" // e.g. "24h,6h"
	EnvLinkTTL    = "BREACHFLOW_APPROVAL_LINK_TTL"
)

// ConfigFromEnv reads the configuration from the environment once, at cold
// start. When EnvKey is empty and keyDir is not, the key is read from (or
// generated into) keyDir/approval.key: the local stack's way; in AWS the
// variable comes from a secret. A missing or malformed value is an error
// naming the variable.
func ConfigFromEnv(keyDir string) (Config, error) {
	c, err := baseConfig()
	if err != nil {
		return Config{}, err
	}
	if s := os.Getenv(EnvKey); s != "" {
		c.Key, err = decodeKey(s)
		if err != nil {
			return Config{}, fmt.Errorf("%s: %w", EnvKey, err)
		}
	} else if keyDir != "" {
		c.Key, err = LocalKey(keyDir)
		if err != nil {
			return Config{}, err
		}
	} else {
		return Config{}, fmt.Errorf("%s (or %s) is not set", EnvKey, EnvKeySecret)
	}
	return c, c.validate()
}

// SecretGetter reads a secret (the Secrets Manager client).
type SecretGetter interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

// ConfigFromSecret is ConfigFromEnv for a deployed function: the key is the
// secret EnvKeySecret names, read once at cold start. Without EnvKeySecret
// it is ConfigFromEnv("").
func ConfigFromSecret(ctx context.Context, sm SecretGetter) (Config, error) {
	id := os.Getenv(EnvKeySecret)
	if id == "" {
		return ConfigFromEnv("")
	}
	c, err := baseConfig()
	if err != nil {
		return Config{}, err
	}
	out, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(id)})
	if err != nil {
		return Config{}, fmt.Errorf("%s: read the signing key: %w", EnvKeySecret, err)
	}
	if c.Key, err = decodeKey(aws.ToString(out.SecretString)); err != nil {
		return Config{}, fmt.Errorf("%s: the secret %w", EnvKeySecret, err)
	}
	return c, c.validate()
}

func (c Config) validate() error {
	if err := c.Validate(); err != nil {
		return fmt.Errorf("%w (set %s)", err, EnvApprovers)
	}
	return nil
}

// baseConfig reads everything but the key.
func baseConfig() (Config, error) {
	c := Config{
		Approvers:  SplitList(os.Getenv(EnvApprovers)),
		ConsoleURL: strings.TrimRight(os.Getenv(EnvConsoleURL), "/"),
		From:       os.Getenv(EnvFrom),
		EscalateTo: SplitList(os.Getenv(EnvEscalateTo)),
	}
	if c.ConsoleURL == "" {
		c.ConsoleURL = "http://127.0.0.1:8080"
	}
	if c.From == "" {
		c.From = "breachflow-approvals@example.com"
	}
	if s := os.Getenv(EnvRequired); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return Config{}, fmt.Errorf("%s=%q: want a positive number", EnvRequired, s)
		}
		c.Required = n
	}
	if s := os.Getenv(EnvLinkTTL); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return Config{}, fmt.Errorf("%s=%q: want a duration such as 72h", EnvLinkTTL, s)
		}
		c.LinkTTL = d
	}
	if s := os.Getenv(EnvMargins); s != "" {
		for _, f := range SplitList(s) {
			d, err := time.ParseDuration(f)
			if err != nil || d <= 0 {
				return Config{}, fmt.Errorf("%s=%q: want durations such as 24h,6h", EnvMargins, s)
			}
			c.Margins = append(c.Margins, d)
		}
	}
	return c, nil
}

func decodeKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	for _, dec := range []func(string) ([]byte, error){
		hex.DecodeString, base64.StdEncoding.DecodeString, base64.RawURLEncoding.DecodeString, base64.URLEncoding.DecodeString,
	} {
		if b, err := dec(s); err == nil && len(b) >= MinKeyLen {
			return b, nil
		}
	}
	return nil, fmt.Errorf("want at least %d bytes, hex or base64 encoded", MinKeyLen)
}

// LocalKey returns the signing key kept in dir/approval.key, creating the
// folder and a fresh random key (mode 0600) on first use. It is for the local
// stack; in AWS the key comes from EnvKey.
func LocalKey(dir string) ([]byte, error) {
	path := filepath.Join(dir, "approval.key")
	if b, err := os.ReadFile(path); err == nil {
		return decodeKey(string(b))
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read approval key: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("approval key folder: %w", err)
	}
	key := make([]byte, MinKeyLen)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("generate approval key: %w", err)
	}
	// Write a temporary file, then link it into place: a concurrent first
	// start either wins the link or reads the winner's complete key.
	tmp, err := os.CreateTemp(dir, "approval.key.*")
	if err != nil {
		return nil, fmt.Errorf("write approval key: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, werr := tmp.WriteString(hex.EncodeToString(key) + "\n")
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return nil, fmt.Errorf("write approval key: %w", werr)
	}
	if err := os.Link(tmp.Name(), path); errors.Is(err, os.ErrExist) {
		return LocalKey(dir)
	} else if err != nil {
		return nil, fmt.Errorf("write approval key: %w", err)
	}
	return key, nil
}
