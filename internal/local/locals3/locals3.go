// Package locals3 runs Amazon S3 locally: the S3 REST API of
// johannesboyne/gofakes3 (an S3 emulator in Go, in memory, with object
// versioning) served in process on 127.0.0.1, and the notice site in front
// of it, which serves the bucket's posted pages and the per-person link
// pages as the company's domain (CloudFront in AWS) does.
//
// In process, like package localkms, because gofakes3 is a library: its
// handler is served on a loopback listener of this stack's own, behind the
// Host allow-list of package loopback, and the Go SDK and the AWS CLI reach
// it with path-style requests (the endpoint is an IP address). It is
// installed like every Go module, from go.mod.
//
// The backend keeps objects in memory (gofakes3's versioned backend; its
// on-disk one keeps no versions): a restarted stack starts with an empty
// bucket, and `breachflow status` then reports the case's posted pages as
// missing, which is the truth about that bucket.
package locals3

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"breachflow/internal/local/loopback"
)

// Server is a running local S3.
type Server struct {
	// Endpoint is its URL, for AWS_ENDPOINT_URL_S3.
	Endpoint string
	srv      *http.Server
}

// Start serves a local S3 on addr (a 127.0.0.1 address; port 0 picks one).
func Start(addr string) (*Server, error) {
	ln, err := loopback.Listen("S3", addr)
	if err != nil {
		return nil, err
	}
	fake := gofakes3.New(s3mem.New(), gofakes3.WithLogger(gofakes3.DiscardLog()))
	s := &Server{Endpoint: "http://" + ln.Addr().String()}
	s.srv = loopback.NewServer(ln, fake.Server())
	go s.srv.Serve(ln)
	return s, nil
}

// Close stops serving; the objects are gone.
func (s *Server) Close() error {
	if s == nil || s.srv == nil {
		return nil
	}
	err := s.srv.Close()
	s.srv = nil
	return err
}

// EnsureBucket creates bucket with versioning on, as template.yaml's
// NoticeBucket has it, unless it exists.
func EnsureBucket(ctx context.Context, c *s3.Client, bucket string) error {
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)})
	var owned *types.BucketAlreadyOwnedByYou
	var exists *types.BucketAlreadyExists
	if err != nil && !errors.As(err, &owned) && !errors.As(err, &exists) {
		return fmt.Errorf("create bucket %s: %w", bucket, err)
	}
	_, err = c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{
		Bucket:                  aws.String(bucket),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled},
	})
	if err != nil {
		return fmt.Errorf("versioning on %s: %w", bucket, err)
	}
	return nil
}

// Getter is the part of the S3 client the site reads pages with.
type Getter interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

// Site is the notice site as the company's domain serves it: GET of a
// path is the bucket's object under that key (CloudFront's S3 origin),
// except link pages (posting.LinkPath), which links serves (the function
// URL origin). Only notices/ is public, as the bucket policy in
// template.yaml allows.
func Site(c Getter, bucket, linkPath string, links http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, linkPath) {
			links.ServeHTTP(w, r)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		key := strings.TrimPrefix(r.URL.Path, "/")
		if !strings.HasPrefix(key, "notices/") || strings.Contains(key, "..") {
			http.NotFound(w, r)
			return
		}
		res, err := c.GetObject(r.Context(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		var nsk *types.NoSuchKey
		if errors.As(err, &nsk) {
			http.NotFound(w, r)
			return
		}
		if err != nil {
			http.Error(w, "bucket unavailable", http.StatusBadGateway)
			return
		}
		defer res.Body.Close()
		w.Header().Set("Content-Type", aws.ToString(res.ContentType))
		if cc := aws.ToString(res.CacheControl); cc != "" {
			w.Header().Set("Cache-Control", cc)
		}
		w.Header().Set("X-Content-Type-Options", "nosniff")
		if r.Method == http.MethodGet {
			io.Copy(w, res.Body)
		}
	})
}
