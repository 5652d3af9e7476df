// Package awsenv builds the one aws.Config that every breachflow client is
// made from. Endpoints come only from the SDK's own variables
// (AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_SESV2, AWS_ENDPOINT_URL_SFN,
// or AWS_ENDPOINT_URL for all), so the same code talks to AWS or to the local
// stack without a flag of its own.
//
// When every configured endpoint is on the loopback interface the local stack
// needs no real credentials: Load then supplies static ones (and a default
// region) if the environment has none, so a laptop with no AWS account works
// while nothing AWS-specific is hard-coded for the real cloud.
package awsenv

import (
	"context"
	"fmt"
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
	// own wins.
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
	return cfg, nil
}

// IdleConnsPerHost is how many idle connections the clients keep to each
// endpoint. The SDK's default is 10, so a send invocation with more workers
// than that (up to delivery.MaxWorkers, 64) closed a connection after most
// calls and opened another: a TLS handshake per SendEmail in AWS, and CPU
// spent on both sides of every local call.
const IdleConnsPerHost = 128

// HTTPClient is the SDK's HTTP client with IdleConnsPerHost idle
// connections a host.
func HTTPClient() *awshttp.BuildableClient {
	return awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
		tr.MaxIdleConnsPerHost = IdleConnsPerHost
		tr.MaxIdleConns = 2 * IdleConnsPerHost
	})
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
