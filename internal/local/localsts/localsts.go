// Package localsts is a local STS endpoint: GetCallerIdentity over STS's
// query protocol (form-encoded POST, XML answer, API version 2011-06-15) on
// 127.0.0.1, for testing breachflow's proven identities through the real
// Go SDK without an AWS account.
//
// No STS emulator can be installed here (none on the Go module proxy or
// npm; the usual ones are Python or Docker), so this is the smallest one
// that is honest about identity: it knows a set of access keys, each with
// its secret and the principal ARN it belongs to, and answers only a
// request whose SigV4 signature it can recompute with that secret. A
// caller that names someone else's access key without the secret gets
// SignatureDoesNotMatch, as from AWS. It implements nothing else.
package localsts

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"breachflow/internal/local/loopback"
)

// Principal is one set of credentials and whose they are.
type Principal struct {
	AccessKeyID, SecretAccessKey string
	// ARN is what GetCallerIdentity answers, e.g.
	// arn:aws:sts::123456789012:assumed-role/Responder/kim@example.com.
	ARN string
}

// Server is a running local STS.
type Server struct {
	// Endpoint is its URL, for AWS_ENDPOINT_URL_STS.
	Endpoint string
	byKey    map[string]Principal
	srv      *http.Server
}

// Start serves GetCallerIdentity for principals on addr (127.0.0.1:0 picks
// a free port).
func Start(addr string, principals ...Principal) (*Server, error) {
	s := &Server{byKey: map[string]Principal{}}
	for _, p := range principals {
		s.byKey[p.AccessKeyID] = p
	}
	ln, err := loopback.Listen("STS", addr)
	if err != nil {
		return nil, err
	}
	s.Endpoint = "http://" + ln.Addr().String()
	s.srv = loopback.NewServer(ln, http.HandlerFunc(s.serve))
	go s.srv.Serve(ln)
	return s, nil
}

// Close stops the server.
func (s *Server) Close() error { return s.srv.Close() }

var credential = regexp.MustCompile(`Credential=([^/]+)/(\d{8})/([^/]+)/sts/aws4_request`)

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err != nil || r.Method != http.MethodPost {
		fail(w, http.StatusBadRequest, "Sender", "InvalidRequest", "STS takes a form POST")
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil || form.Get("Version") != "2011-06-15" {
		fail(w, http.StatusBadRequest, "Sender", "InvalidRequest", "want an STS query request of version 2011-06-15")
		return
	}
	if a := form.Get("Action"); a != "GetCallerIdentity" {
		fail(w, http.StatusBadRequest, "Sender", "InvalidAction", "Could not find operation "+a+" (this local STS answers GetCallerIdentity only)")
		return
	}
	auth := r.Header.Get("Authorization")
	m := credential.FindStringSubmatch(auth)
	if m == nil {
		fail(w, http.StatusForbidden, "Sender", "MissingAuthenticationToken", "Request is missing Authentication Token")
		return
	}
	p, ok := s.byKey[m[1]]
	if !ok {
		fail(w, http.StatusForbidden, "Sender", "InvalidClientTokenId", "The security token included in the request is invalid.")
		return
	}
	if !signedBy(r, body, p, m[3]) {
		fail(w, http.StatusForbidden, "Sender", "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.")
		return
	}
	account := strings.SplitN(p.ARN, ":", 6)[4]
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprintf(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>%s</Arn>
    <UserId>%s</UserId>
    <Account>%s</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>`, esc(p.ARN), esc(p.AccessKeyID), esc(account), requestID())
}

// signedBy recomputes the request's SigV4 signature with p's secret, over
// the same headers at the same time, and compares it with the one sent.
func signedBy(r *http.Request, body []byte, p Principal, region string) bool {
	at, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil {
		return false
	}
	sum := sha256.Sum256(body)
	again, err := http.NewRequestWithContext(context.Background(), r.Method, "http://"+r.Host+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		return false
	}
	// The headers the client signed, as AWS takes them from SignedHeaders;
	// the transport adds others (Accept-Encoding) after signing.
	_, signed, _ := strings.Cut(r.Header.Get("Authorization"), "SignedHeaders=")
	signed, _, _ = strings.Cut(signed, ",")
	for _, h := range strings.Split(signed, ";") {
		if k := http.CanonicalHeaderKey(h); k != "Host" && k != "Authorization" {
			again.Header[k] = r.Header[k]
		}
	}
	again.ContentLength = r.ContentLength
	creds := aws.Credentials{AccessKeyID: p.AccessKeyID, SecretAccessKey: p.SecretAccessKey}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, again, hex.EncodeToString(sum[:]), "sts", region, at); err != nil {
		return false
	}
	return again.Header.Get("Authorization") == r.Header.Get("Authorization")
}

func fail(w http.ResponseWriter, status int, typ, code, msg string) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error><Type>%s</Type><Code>%s</Code><Message>%s</Message></Error>
  <RequestId>%s</RequestId>
</ErrorResponse>`, typ, code, esc(msg), requestID())
}

func esc(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

func requestID() string {
	var b [16]byte
	rand.Read(b[:])
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
