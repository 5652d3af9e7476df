// Package audittest gives tests an audit key without a KMS: an in-memory
// ECDSA P-256 key behind the two KMS methods the audit log calls, so
// packages that append to or verify an audit chain test it offline.
// Integration tests use the real local KMS (package localtest) instead.
package audittest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// KMS signs with one in-memory key, whatever key id it is asked for.
type KMS struct {
	Key *ecdsa.PrivateKey
	// ARN is the key's ARN in answers: unique per key, since verifiers
	// cache public keys by ARN.
	ARN string
}

// NewKMS returns a KMS with a fresh key.
func NewKMS() *KMS {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	id := make([]byte, 8)
	rand.Read(id)
	return &KMS{Key: k, ARN: fmt.Sprintf("arn:aws:kms:us-east-1:123456789012:key/audittest-%x", id)}
}

func (k *KMS) arn() string { return k.ARN }

// Sign signs a SHA-256 digest as KMS does for ECDSA_SHA_256 and DIGEST.
func (k *KMS) Sign(_ context.Context, in *kms.SignInput, _ ...func(*kms.Options)) (*kms.SignOutput, error) {
	if in.MessageType != kmstypes.MessageTypeDigest || in.SigningAlgorithm != kmstypes.SigningAlgorithmSpecEcdsaSha256 || len(in.Message) != 32 {
		return nil, errors.New("audittest: want a 32-byte DIGEST signed with ECDSA_SHA_256")
	}
	sig, err := ecdsa.SignASN1(rand.Reader, k.Key, in.Message)
	if err != nil {
		return nil, err
	}
	return &kms.SignOutput{KeyId: aws.String(k.arn()), Signature: sig, SigningAlgorithm: in.SigningAlgorithm}, nil
}

// GetPublicKey returns the key's public half as DER SubjectPublicKeyInfo.
func (k *KMS) GetPublicKey(_ context.Context, in *kms.GetPublicKeyInput, _ ...func(*kms.Options)) (*kms.GetPublicKeyOutput, error) {
	if aws.ToString(in.KeyId) != k.arn() {
		return nil, fmt.Errorf("audittest: no key %s", aws.ToString(in.KeyId))
	}
	der, err := x509.MarshalPKIXPublicKey(&k.Key.PublicKey)
	if err != nil {
		return nil, err
	}
	return &kms.GetPublicKeyOutput{KeyId: aws.String(k.arn()), PublicKey: der, KeySpec: kmstypes.KeySpecEccNistP256}, nil
}
