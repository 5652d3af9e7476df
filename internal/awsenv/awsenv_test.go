package awsenv

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
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
	c, ok := cfg.HTTPClient.(Client)
	if !ok {
		t.Fatalf("HTTP client is %T", cfg.HTTPClient)
	}
	if got := c.Base.GetTransport().MaxIdleConnsPerHost; got < 64 {
		t.Errorf("MaxIdleConnsPerHost = %d, want at least the send stage's 64 workers", got)
	}
}

// countingConn counts the writes made on a connection.
type countingConn struct {
	net.Conn
	writes *atomic.Int64
}

func (c countingConn) Write(b []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(b)
}

// TestClientSendsEachRequestInOneWrite: a SendEmail call, a notice's size
// and one larger than net/http's default 4 KB buffer, goes out in one write
// with the body intact; the SDK's own client takes two (the check that this
// test can tell them apart).
func TestClientSendsEachRequestInOneWrite(t *testing.T) {
	var got atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Content struct {
				Simple struct {
					Body struct{ Text struct{ Data string } }
				}
			}
		}
		b, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(b, &in); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		got.Store(in.Content.Simple.Body.Text.Data)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"MessageId":"m-1"}`)
	}))
	defer srv.Close()

	writes := func(hc aws.HTTPClient, body string) int64 {
		t.Helper()
		var n atomic.Int64
		count := func(tr *http.Transport) {
			dial := (&net.Dialer{}).DialContext
			tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
				c, err := dial(ctx, network, addr)
				return countingConn{c, &n}, err
			}
		}
		switch c := hc.(type) {
		case Client:
			hc = Client{c.Base.WithTransportOptions(count)}
		case *awshttp.BuildableClient:
			hc = c.WithTransportOptions(count)
		default:
			t.Fatalf("client %T", hc)
		}
		ses := sesv2.New(sesv2.Options{
			Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), HTTPClient: hc, Retryer: aws.NopRetryer{},
			Credentials: aws.AnonymousCredentials{},
		})
		out, err := ses.SendEmail(context.Background(), &sesv2.SendEmailInput{
			FromEmailAddress: aws.String("privacy@example.com"),
			Destination:      &types.Destination{ToAddresses: []string{"person@example.org"}},
			Content: &types.EmailContent{Simple: &types.Message{
				Subject: &types.Content{Data: aws.String("Notice")},
				Body:    &types.Body{Text: &types.Content{Data: aws.String(body)}},
			}},
		})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.MessageId) != "m-1" {
			t.Fatalf("MessageId = %q", aws.ToString(out.MessageId))
		}
		if got.Load() != body {
			t.Fatalf("the server got a text of %d bytes, want the %d sent", len(got.Load().(string)), len(body))
		}
		return n.Load()
	}
	for _, size := range []int{2 << 10, 12 << 10} {
		body := strings.Repeat("안내 문구 ", size/14) + "end."
		if n := writes(Client{HTTPClient()}, body); n != 1 {
			t.Errorf("%d-byte notice: %d writes, want 1", len(body), n)
		}
		if n := writes(awshttp.NewBuildableClient(), body); n < 2 {
			t.Errorf("%d-byte notice through the SDK's own client: %d writes; the test no longer tells the clients apart", len(body), n)
		}
	}
	// A body over the buffered limit still arrives whole.
	writes(Client{HTTPClient()}, strings.Repeat("x", maxBufferedBody+10)+"tail.")
}
