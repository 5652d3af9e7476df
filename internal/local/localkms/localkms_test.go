package localkms_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"

	"breachflow/internal/local/localkms"
)

func client(endpoint string) *kms.Client {
	return kms.New(kms.Options{
		Region: localkms.Region, BaseEndpoint: aws.String(endpoint),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", ""),
	})
}

// TestSignsWhatTheSDKVerifies runs the emulator the way the audit chain
// uses it, through the real SDK: a P-256 key behind an alias, kept across a
// restart, whose ECDSA signatures of a digest verify under the public key
// GetPublicKey returns, with crypto/ecdsa alone (as an offline verifier
// would).
func TestSignsWhatTheSDKVerifies(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := localkms.Start("127.0.0.1:0", dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := client(s.Endpoint)
	arn, err := localkms.EnsureSigningKey(ctx, c, "alias/test-audit")
	if err != nil {
		t.Fatal(err)
	}
	s.Close()

	s, err = localkms.Start("127.0.0.1:0", dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c = client(s.Endpoint)
	again, err := localkms.EnsureSigningKey(ctx, c, "alias/test-audit")
	if err != nil || again != arn {
		t.Fatalf("after a restart: key %q, %v; want the same key %q", again, err, arn)
	}
	digest := sha256.Sum256([]byte("breachflow"))
	out, err := c.Sign(ctx, &kms.SignInput{KeyId: aws.String("alias/test-audit"), Message: digest[:],
		MessageType: kmstypes.MessageTypeDigest, SigningAlgorithm: kmstypes.SigningAlgorithmSpecEcdsaSha256})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.KeyId) != arn {
		t.Errorf("Sign answered key %q, want %q", aws.ToString(out.KeyId), arn)
	}
	pub, err := c.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	k, err := x509.ParsePKIXPublicKey(pub.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	ek, ok := k.(*ecdsa.PublicKey)
	if !ok || !ecdsa.VerifyASN1(ek, digest[:], out.Signature) {
		t.Fatal("the signature does not verify under the key's public key")
	}
	other := sha256.Sum256([]byte("breachflow!"))
	if ecdsa.VerifyASN1(ek, other[:], out.Signature) {
		t.Fatal("the signature verifies another message")
	}
}

// TestRefusesForeignHosts: like every local endpoint, a request addressed
// to another name (DNS rebinding) gets 403.
func TestRefusesForeignHosts(t *testing.T) {
	s, err := localkms.Start("127.0.0.1:0", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	req, _ := http.NewRequest(http.MethodPost, s.Endpoint, nil)
	req.Host = "attacker.example"
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("foreign Host: %d, want 403", resp.StatusCode)
	}
}
