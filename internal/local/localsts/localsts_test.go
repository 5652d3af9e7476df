package localsts_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"breachflow/internal/local/localsts"
)

const kimARN = "arn:aws:sts::123456789012:assumed-role/Responder/kim@example.com"

func client(endpoint, key, secret string) *sts.Client {
	return sts.New(sts.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(endpoint),
		Credentials: credentials.NewStaticCredentialsProvider(key, secret, ""),
	})
}

// TestAnswersOnlyTheSigner drives the endpoint with the real SDK: the
// holder of a key's secret is told who they are; a wrong secret or an
// unknown key is refused as AWS refuses it.
func TestAnswersOnlyTheSigner(t *testing.T) {
	s, err := localsts.Start("127.0.0.1:0", localsts.Principal{AccessKeyID: "AKIDKIM", SecretAccessKey: "kim-secret", ARN: kimARN})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	out, err := client(s.Endpoint, "AKIDKIM", "kim-secret").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.Arn) != kimARN || aws.ToString(out.Account) != "123456789012" {
		t.Errorf("GetCallerIdentity = %s in %s", aws.ToString(out.Arn), aws.ToString(out.Account))
	}
	for name, c := range map[string]struct{ key, secret, code string }{
		"wrong secret": {"AKIDKIM", "guess", "SignatureDoesNotMatch"},
		"unknown key":  {"AKIDLEE", "x", "InvalidClientTokenId"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := client(s.Endpoint, c.key, c.secret).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			var api smithy.APIError
			if !errors.As(err, &api) || api.ErrorCode() != c.code {
				t.Fatalf("GetCallerIdentity = %v, want %s", err, c.code)
			}
		})
	}
}
