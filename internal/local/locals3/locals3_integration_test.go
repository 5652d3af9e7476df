//go:build integration

package locals3_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"breachflow/internal/local/locals3"
)

// TestS3AndSite drives the in-process S3 through the real SDK (path-style
// from an IP endpoint, versioning, delete markers) and the notice site in
// front of it: only notices/ is served, link paths go to the link handler,
// and other Hosts are refused.
func TestS3AndSite(t *testing.T) {
	ctx := context.Background()
	srv, err := locals3.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.Endpoint), Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")})
	if err := locals3.EnsureBucket(ctx, c, "notices-test"); err != nil {
		t.Fatal(err)
	}
	if err := locals3.EnsureBucket(ctx, c, "notices-test"); err != nil {
		t.Fatalf("a second EnsureBucket: %v", err)
	}
	v, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String("notices-test")})
	if err != nil || v.Status != types.BucketVersioningStatusEnabled {
		t.Fatalf("versioning %v, %v", v, err)
	}
	for _, k := range []string{"notices/c1/p.html", "private/x.html"} {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("notices-test"), Key: aws.String(k), Body: strings.NewReader("<p>" + k + "</p>"), ContentType: aws.String("text/html; charset=utf-8")}); err != nil {
			t.Fatal(err)
		}
	}
	links := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "link "+r.URL.Path) })
	site := httptest.NewServer(locals3.Site(c, "notices-test", "/n/", links))
	defer site.Close()
	get := func(path string) (int, string) {
		res, err := http.Get(site.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if code, body := get("/notices/c1/p.html"); code != 200 || body != "<p>notices/c1/p.html</p>" {
		t.Errorf("posted page: %d %q", code, body)
	}
	if code, _ := get("/private/x.html"); code != 404 {
		t.Errorf("an object outside notices/: %d, want 404", code)
	}
	if code, _ := get("/notices/c1/none.html"); code != 404 {
		t.Errorf("a missing page: %d, want 404", code)
	}
	if code, body := get("/n/abc"); code != 200 || body != "link /n/abc" {
		t.Errorf("link path: %d %q", code, body)
	}
	// A takedown leaves a delete marker the check can date.
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("notices-test"), Key: aws.String("notices/c1/p.html")}); err != nil {
		t.Fatal(err)
	}
	vs, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("notices-test"), Prefix: aws.String("notices/c1/p.html")})
	if err != nil || len(vs.DeleteMarkers) != 1 || !aws.ToBool(vs.DeleteMarkers[0].IsLatest) || len(vs.Versions) != 1 {
		t.Errorf("versions after a delete: %d versions, %d markers (%v)", len(vs.Versions), len(vs.DeleteMarkers), err)
	}
	// The S3 endpoint answers only to loopback names.
	req, _ := http.NewRequest(http.MethodGet, srv.Endpoint+"/notices-test", nil)
	req.Host = "attacker.example:80"
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("a foreign Host: %d, want 403", res.StatusCode)
	}
}
