package localtest

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/pinpointsmsvoicev2"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	smithyendpoints "github.com/aws/smithy-go/endpoints"
)

// resolvers resolve, by the service package's import path, the endpoint a
// client made from cfg sends its requests to: the SDK's own resolution over
// the client's options, as the client runs it before every call.
var resolvers = map[string]func(ctx context.Context, cfg aws.Config) (smithyendpoints.Endpoint, error){
	"github.com/aws/aws-sdk-go-v2/service/dynamodb": func(ctx context.Context, cfg aws.Config) (smithyendpoints.Endpoint, error) {
		o := dynamodb.NewFromConfig(cfg).Options()
		return o.EndpointResolverV2.ResolveEndpoint(ctx, dynamodb.EndpointParameters{Region: &o.Region, Endpoint: o.BaseEndpoint})
	},
	"github.com/aws/aws-sdk-go-v2/service/kms": func(ctx context.Context, cfg aws.Config) (smithyendpoints.Endpoint, error) {
		o := kms.NewFromConfig(cfg).Options()
		return o.EndpointResolverV2.ResolveEndpoint(ctx, kms.EndpointParameters{Region: &o.Region, Endpoint: o.BaseEndpoint})
	},
	"github.com/aws/aws-sdk-go-v2/service/pinpointsmsvoicev2": func(ctx context.Context, cfg aws.Config) (smithyendpoints.Endpoint, error) {
		o := pinpointsmsvoicev2.NewFromConfig(cfg).Options()
		return o.EndpointResolverV2.ResolveEndpoint(ctx, pinpointsmsvoicev2.EndpointParameters{Region: &o.Region, Endpoint: o.BaseEndpoint})
	},
	// S3's endpoint depends on the bucket (virtual-hosted or path style):
	// resolved for a bucket name, as a request to the notice bucket is.
	"github.com/aws/aws-sdk-go-v2/service/s3": func(ctx context.Context, cfg aws.Config) (smithyendpoints.Endpoint, error) {
		o := s3.NewFromConfig(cfg).Options()
		return o.EndpointResolverV2.ResolveEndpoint(ctx, s3.EndpointParameters{
			Region: &o.Region, Endpoint: o.BaseEndpoint, Bucket: aws.String("breachflow-notices"), ForcePathStyle: aws.Bool(o.UsePathStyle),
		})
	},
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager": func(ctx context.Context, cfg aws.Config) (smithyendpoints.Endpoint, error) {
		o := secretsmanager.NewFromConfig(cfg).Options()
		return o.EndpointResolverV2.ResolveEndpoint(ctx, secretsmanager.EndpointParameters{Region: &o.Region, Endpoint: o.BaseEndpoint})
	},
	"github.com/aws/aws-sdk-go-v2/service/sesv2": func(ctx context.Context, cfg aws.Config) (smithyendpoints.Endpoint, error) {
		o := sesv2.NewFromConfig(cfg).Options()
		return o.EndpointResolverV2.ResolveEndpoint(ctx, sesv2.EndpointParameters{Region: &o.Region, Endpoint: o.BaseEndpoint})
	},
	"github.com/aws/aws-sdk-go-v2/service/sfn": func(ctx context.Context, cfg aws.Config) (smithyendpoints.Endpoint, error) {
		o := sfn.NewFromConfig(cfg).Options()
		return o.EndpointResolverV2.ResolveEndpoint(ctx, sfn.EndpointParameters{Region: &o.Region, Endpoint: o.BaseEndpoint})
	},
}

// ClientServices are the import paths of the service packages whose clients
// ClientEndpoints resolves, sorted. A test that checks where clients go
// compares them with what breachflow imports, so a new service cannot slip
// past it.
func ClientServices() []string { return slices.Sorted(maps.Keys(resolvers)) }

// ClientEndpoints returns, for each of ClientServices, the URL a client of
// that service made from cfg would call.
func ClientEndpoints(ctx context.Context, cfg aws.Config) (map[string]string, error) {
	out := make(map[string]string, len(resolvers))
	for path, resolve := range resolvers {
		ep, err := resolve(ctx, cfg)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out[path] = ep.URI.String()
	}
	return out, nil
}
