package awsenv

import (
	"bytes"
	"context"
	"strings"
	"testing"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/smithy-go/logging"
)

func TestLocal(t *testing.T) {
	for _, tc := range []struct {
		name    string
		env     map[string]string
		want    bool
		wantErr bool
	}{
		{name: "nothing set", env: nil, want: false},
		{name: "loopback ip", env: map[string]string{"AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:8000"}, want: true},
		{name: "localhost", env: map[string]string{"AWS_ENDPOINT_URL_SESV2": "http://localhost:8005"}, want: true},
		{name: "ipv6 loopback", env: map[string]string{"AWS_ENDPOINT_URL_SFN": "http://[::1]:8083"}, want: true},
		{name: "one remote endpoint makes it not local", env: map[string]string{
			"AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:8000",
			"AWS_ENDPOINT_URL_SESV2":    "https://email.eu-west-1.amazonaws.com",
		}, want: false},
		{name: "malformed", env: map[string]string{"AWS_ENDPOINT_URL_SFN": "127.0.0.1:8083"}, wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, v := range EndpointVars {
				t.Setenv(v, tc.env[v])
			}
			got, err := Local()
			if (err != nil) != tc.wantErr {
				t.Fatalf("Local() error = %v, want error %v", err, tc.wantErr)
			}
			if got != tc.want {
				t.Errorf("Local() = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestLoadSuppliesLocalCredentials(t *testing.T) {
	for _, v := range EndpointVars {
		t.Setenv(v, "")
	}
	t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:8000")
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	cfg, err := Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Region != LocalRegion {
		t.Errorf("region = %q, want %q", cfg.Region, LocalRegion)
	}
	creds, err := cfg.Credentials.Retrieve(context.Background())
	if err != nil {
		t.Fatalf("retrieve credentials: %v", err)
	}
	if creds.AccessKeyID != "local" {
		t.Errorf("access key = %q, want the static local one", creds.AccessKeyID)
	}
	// Against the emulators the SDK's warnings stay out of a command's
	// output, unless the caller asks for them with a logger of its own.
	if _, ok := cfg.Logger.(logging.Nop); !ok {
		t.Errorf("local logger = %T, want logging.Nop", cfg.Logger)
	}
	var buf bytes.Buffer
	cfg, err = Load(context.Background(), config.WithLogger(logging.NewStandardLogger(&buf)))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Logger.Logf(logging.Warn, "kept")
	if !strings.Contains(buf.String(), "kept") {
		t.Errorf("the caller's logger was replaced: wrote %q", buf.String())
	}
}

// TestClientsKeepEnoughConnections: a send invocation runs up to 64
// SendEmail calls at once; with the SDK's default of 10 idle connections a
// host, most calls would open a fresh connection (a TLS handshake in AWS).
func TestClientsKeepEnoughConnections(t *testing.T) {
	for _, v := range EndpointVars {
		t.Setenv(v, "")
	}
	t.Setenv("AWS_ENDPOINT_URL_SESV2", "http://127.0.0.1:8005")
	cfg, err := Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	c, ok := cfg.HTTPClient.(*awshttp.BuildableClient)
	if !ok {
		t.Fatalf("HTTP client is %T", cfg.HTTPClient)
	}
	if got := c.GetTransport().MaxIdleConnsPerHost; got < 64 {
		t.Errorf("MaxIdleConnsPerHost = %d, want at least the send stage's 64 workers", got)
	}
}
