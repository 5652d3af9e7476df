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
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"breachflow/internal/envconfig"
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

// Config is what the approval rules are configured with. The `env` tags
// name the variables LoadConfig reads each field from (envconfig.Load);
// Key comes from EnvKey or the secret EnvKeySecret names.
type Config struct {
	// Approvers are the staff who may approve or reject (emails).
	Approvers []string `env:"BREACHFLOW_APPROVERS"`
	// Required is the number of distinct approvers needed; 0 means
	// DefaultRequired.
	Required int `env:"BREACHFLOW_APPROVALS_REQUIRED,optional"`
	// Key signs links and CSRF tokens; at least MinKeyLen bytes.
	Key []byte
	// ConsoleURL is the console's base URL, e.g. http://127.0.0.1:8080.
	ConsoleURL string `env:"BREACHFLOW_CONSOLE_URL,optional"`
	// From is the sender of approval and escalation emails.
	From string `env:"BREACHFLOW_APPROVAL_FROM,optional"`
	// LinkTTL is how long a link is valid; 0 means DefaultLinkTTL. A link
	// never outlives the earliest deadline by more than the TTL either.
	LinkTTL time.Duration `env:"BREACHFLOW_APPROVAL_LINK_TTL,optional"`
	// EscalateTo are the escalation contacts (emails).
	EscalateTo []string `env:"BREACHFLOW_ESCALATE_TO,optional"`
	// Margins are the escalation thresholds; nil means DefaultMargins.
	Margins []time.Duration `env:"BREACHFLOW_ESCALATION_MARGINS,optional"`
	// AuditKey is the KMS key (id, ARN or alias) that signs the case's
	// audit log (package audit); empty means audit.DefaultKey.
	AuditKey string `env:"AUDIT_KEY_ID,optional"`
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
	case c.Required < 0:
		return fmt.Errorf("approval config: Required is %d, want a positive number", c.Required)
	case c.required() > len(c.Approvers):
		return fmt.Errorf("approval config: Required is %d but only %d approvers are configured", c.required(), len(c.Approvers))
	case c.LinkTTL < 0:
		return fmt.Errorf("approval config: LinkTTL is %s, want a positive duration", c.LinkTTL)
	}
	for _, m := range c.Margins {
		if m <= 0 {
			return fmt.Errorf("approval config: Margins holds %s, want positive durations", m)
		}
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

// The variables that are not a field's tag: the key, given directly or
// through the secret that holds it.
const (
	// EnvKey holds the key itself, base64 (std or URL) or hex: the local
	// stack gives it (from LocalKey) where AWS gives EnvKeySecret.
	EnvKey = "BREACHFLOW_APPROVAL_KEY"
	// EnvKeySecret names the Secrets Manager secret (id or ARN) that holds
	// the key: deployed functions read it at cold start, so the key never
	// sits in their configuration.
	EnvKeySecret = "BREACHFLOW_APPROVAL_KEY_SECRET"
)

// Defaults of the optional settings with no zero-value meaning.
const (
	DefaultConsoleURL = "http://127.0.0.1:8080"
	DefaultFrom       = "breachflow-approvals@example.com"
)

// SecretGetter reads a secret (the Secrets Manager client).
type SecretGetter interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

// LoadConfig reads the configuration once, at cold start, through lookup:
// os.LookupEnv in a deployed function, the function's resolved environment
// in the local stack, the CLI's environment for `breachflow approve`. The
// key is EnvKey's value when it is set, otherwise the secret EnvKeySecret
// names, read through secrets (which may be nil when EnvKey is set). A
// missing or malformed value is an error naming its variable.
func LoadConfig(ctx context.Context, lookup envconfig.Lookup, secrets SecretGetter) (Config, error) {
	c := Config{ConsoleURL: DefaultConsoleURL, From: DefaultFrom}
	err := envconfig.Load(&c, lookup)
	key, kerr := loadKey(ctx, lookup, secrets)
	if err = errors.Join(err, kerr); err != nil {
		return Config{}, fmt.Errorf("approval config: %w", err)
	}
	c.Key = key
	c.ConsoleURL = strings.TrimRight(c.ConsoleURL, "/")
	return c, c.Validate()
}

func loadKey(ctx context.Context, lookup envconfig.Lookup, secrets SecretGetter) ([]byte, error) {
	if s, _ := lookup(EnvKey); s != "" {
		key, err := decodeKey(s)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", EnvKey, err)
		}
		return key, nil
	}
	id, _ := lookup(EnvKeySecret)
	switch {
	case id == "":
		return nil, fmt.Errorf("neither %s nor %s is set", EnvKeySecret, EnvKey)
	case secrets == nil:
		return nil, fmt.Errorf("%s is set but there is no Secrets Manager client to read it", EnvKeySecret)
	}
	out, err := secrets.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(id)})
	if err != nil {
		return nil, fmt.Errorf("%s: read the signing key: %w", EnvKeySecret, err)
	}
	key, err := decodeKey(aws.ToString(out.SecretString))
	if err != nil {
		return nil, fmt.Errorf("%s: the secret %w", EnvKeySecret, err)
	}
	return key, nil
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
// stack, which gives it to the functions as EnvKey; in AWS the key comes
// from the secret EnvKeySecret names.
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
