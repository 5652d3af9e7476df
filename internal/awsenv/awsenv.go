// Package awsenv builds the one aws.Config that every breachflow client is
// made from. Endpoints come only from the SDK's own variables
// (AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_SESV2, AWS_ENDPOINT_URL_SFN,
// AWS_ENDPOINT_URL_KMS, AWS_ENDPOINT_URL_STS, or AWS_ENDPOINT_URL for all), so the same code talks to AWS or to the local
// stack without a flag of its own.
//
// When every configured endpoint is on the loopback interface the local stack
// needs no real credentials: Load then supplies static ones (and a default
// region) if the environment has none, so a laptop with no AWS account works
// while nothing AWS-specific is hard-coded for the real cloud.
package awsenv

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go/logging"
)

// EndpointVars are the SDK's standard endpoint variables breachflow uses.
var EndpointVars = []string{
	"AWS_ENDPOINT_URL",
	"AWS_ENDPOINT_URL_DYNAMODB",
	"AWS_ENDPOINT_URL_SESV2",
	"AWS_ENDPOINT_URL_SFN",
	"AWS_ENDPOINT_URL_KMS",
	"AWS_ENDPOINT_URL_STS",
}

// LocalRegion is the region assumed for the local stack when none is set.
const LocalRegion = "us-east-1"

// Load returns the SDK configuration from the environment. See the package
// comment for what it adds when only local endpoints are configured.
func Load(ctx context.Context, opts ...func(*config.LoadOptions) error) (aws.Config, error) {
	local, err := Local()
	if err != nil {
		return aws.Config{}, err
	}
	if local {
		if os.Getenv("AWS_REGION") == "" && os.Getenv("AWS_DEFAULT_REGION") == "" {
			opts = append(opts, config.WithRegion(LocalRegion))
		}
		if os.Getenv("AWS_ACCESS_KEY_ID") == "" && os.Getenv("AWS_PROFILE") == "" {
			opts = append(opts, config.WithCredentialsProvider(
				credentials.NewStaticCredentialsProvider("local", "local", "")))
		}
	}
	// The caller's options come last, so an HTTP client or logger of its
	// own wins (an SDK buildable client still gets Client's one write).
	first := []func(*config.LoadOptions) error{config.WithHTTPClient(HTTPClient())}
	if local {
		// Against the emulators the SDK's own warnings are about calls we
		// cancelled (a response body cut short by a timeout on a busy
		// machine): noise in the middle of a command's output. A caller
		// that wants them (--verbose) passes its own logger.
		first = append(first, config.WithLogger(logging.Nop{}))
	}
	opts = append(first, opts...)
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS config: %w", err)
	}
	if c, ok := cfg.HTTPClient.(*awshttp.BuildableClient); ok {
		cfg.HTTPClient = Client{Base: c}
	}
	return cfg, nil
}

// IdleConnsPerHost is how many idle connections the clients keep to each
// endpoint. The SDK's default is 10, so a send invocation with more workers
// than that (up to delivery.MaxWorkers, 64) closed a connection after most
// calls and opened another: a TLS handshake per SendEmail in AWS, and CPU
// spent on both sides of every local call.
const IdleConnsPerHost = 128

// WriteBufferSize is each connection's write buffer: a request up to this
// size goes out in one write. A rendered notice's SendEmail is 9-10 KB
// (the sample case in Korean, English, Japanese); net/http's default is 4 KB.
const WriteBufferSize = 32 << 10

// maxBufferedBody is the largest request body Client hands the transport
// from memory; larger ones (a raw message with attachments) go as the SDK
// made them.
const maxBufferedBody = 1 << 20

// Client is the HTTP client every breachflow SDK client is built with: the
// SDK's own (HTTPClient, plus what the SDK's configuration adds to it, such
// as AWS_CA_BUNDLE), handing the transport each request's body as an
// in-memory reader.
//
// net/http writes a request's headers and body in one write only when it
// knows the body is already in memory (a *bytes.Reader and the like). The
// SDK wraps its serialized body in a reader of its own, so every call went
// out as two writes: two TCP segments, and on the other side two reads and
// two passes of the HTTP parser. At the send stage's thousands of calls a
// second that is CPU on both ends; measured locally, about 7 % of the
// client's and 5 % of the SES emulator's per call.
//
// Client also sets GetBody, so the transport may replay a request it could
// not write at all on a stale kept-alive connection. net/http replays a POST
// only when none of it was written (persistConn.shouldRetryRequest), so no
// notice is sent twice this way.
type Client struct {
	Base *awshttp.BuildableClient
}

// HTTPClient is the SDK's HTTP client with IdleConnsPerHost idle
// connections a host and WriteBufferSize. Load wraps it in a Client once the
// SDK's configuration has finished with it: the SDK adds a custom CA bundle
// only to a client of this type.
func HTTPClient() *awshttp.BuildableClient {
	return awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
		tr.MaxIdleConnsPerHost = IdleConnsPerHost
		tr.MaxIdleConns = 2 * IdleConnsPerHost
		tr.WriteBufferSize = WriteBufferSize
	})
}

// Do sends r with its body read into memory first (see Client).
func (c Client) Do(r *http.Request) (*http.Response, error) {
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength <= 0 || r.ContentLength > maxBufferedBody {
		return c.Base.Do(r)
	}
	body := make([]byte, r.ContentLength)
	_, err := io.ReadFull(r.Body, body)
	r.Body.Close() // the client's to close, sent or not
	if err != nil {
		return nil, fmt.Errorf("read request body of %d bytes: %w", r.ContentLength, err)
	}
	rr := *r
	rr.Body = io.NopCloser(bytes.NewReader(body))
	rr.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	return c.Base.Do(&rr)
}

// Local reports whether at least one endpoint variable is set and every set
// one points at a loopback address. A malformed endpoint is an error naming
// the variable.
func Local() (bool, error) {
	found := false
	for _, name := range EndpointVars {
		v := os.Getenv(name)
		if v == "" {
			continue
		}
		u, err := url.Parse(v)
		if err != nil || u.Host == "" {
			return false, fmt.Errorf("%s=%q: want a URL such as http://127.0.0.1:8000", name, v)
		}
		if !Loopback(u.Hostname()) {
			return false, nil
		}
		found = true
	}
	return found, nil
}

// Loopback reports whether host names the loopback interface.
func Loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
