// Package localkms runs AWS KMS locally: the request handlers of
// nsmithuk/local-kms (a KMS emulator in Go that signs with real ECDSA keys
// and keeps them in LevelDB) served in process on 127.0.0.1.
//
// In process rather than as a child process because local-kms's own main
// listens on every interface (":PORT") and the local stack binds loopback
// only; its handlers are an exported library, so the stack serves them on a
// loopback listener of its own, with the Host allow-list of package loopback,
// and the same JSON wire protocol (TrentService.*) reaches them from the Go
// SDK and the AWS CLI. It is installed like every Go module, from go.mod;
// nothing else needs installing.
//
// breachflow uses one key here: the audit key that signs each case's audit
// chain (package audit). EnsureSigningKey creates it, behind its alias, the
// first time a stack starts with a given data folder; later starts find it,
// so chains signed before a restart still verify.
package localkms

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"reflect"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/nsmithuk/local-kms/src/config"
	"github.com/nsmithuk/local-kms/src/data"
	"github.com/nsmithuk/local-kms/src/handler"
	"github.com/sirupsen/logrus"

	"breachflow/internal/local/loopback"
)

// Region and Account are what the emulator puts in key ARNs: the local
// stack's region and the account its state machines use.
const (
	Region  = "us-east-1"
	Account = "123456789012"
)

// configure guards local-kms's package-level settings, which every server
// in the process shares.
var configure sync.Once

// Server is a running local KMS.
type Server struct {
	// Endpoint is its URL, for AWS_ENDPOINT_URL_KMS.
	Endpoint string
	db       *data.Database
	srv      *http.Server
	tmp      string
	log      *logrus.Logger
}

// Start serves a local KMS on addr (a 127.0.0.1 address; port 0 picks a free
// one) with its keys in dir, created if needed. An empty dir keeps them in
// a temporary folder removed by Close. log receives the emulator's own
// lines; nil discards them.
func Start(addr, dir string, log io.Writer) (s *Server, err error) {
	configure.Do(func() {
		config.AWSRegion = Region
		config.AWSAccountId = Account
	})
	s = &Server{log: logrus.New()}
	s.log.SetOutput(io.Discard)
	if log != nil {
		s.log.SetOutput(log)
	}
	if dir == "" {
		if s.tmp, err = os.MkdirTemp("", "breachflow-kms-"); err != nil {
			return nil, err
		}
		dir = s.tmp
	} else if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("kms data dir: %w", err)
	}
	// NewDatabase panics when LevelDB cannot open the folder (another
	// process holds its lock, say): an error here, not a crash.
	func() {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("kms data in %s: %v", dir, r)
			}
		}()
		s.db = data.NewDatabase(dir)
	}()
	if err != nil {
		s.removeTmp()
		return nil, err
	}
	ln, err := loopback.Listen("KMS", addr)
	if err != nil {
		s.db.Close()
		s.removeTmp()
		return nil, err
	}
	s.Endpoint = "http://" + ln.Addr().String()
	s.srv = loopback.NewServer(ln, http.HandlerFunc(s.serve))
	go s.srv.Serve(ln)
	return s, nil
}

// serve is local-kms's HandleRequest with a logger of our own: the
// library's writes coloured lines to standard error for every call.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/" || r.Method != http.MethodPost || !strings.Contains(r.Header.Get("Content-Type"), "json") {
		http.Error(w, "KMS takes a JSON POST to /", http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	h := handler.NewRequestHandler(r, s.log, s.db)
	_, op, _ := strings.Cut(r.Header.Get("X-Amz-Target"), ".")
	m := reflect.ValueOf(h).MethodByName(op)
	if op == "" || !m.IsValid() || m.Type().NumIn() != 0 || m.Type().NumOut() != 1 {
		w.WriteHeader(http.StatusNotImplemented)
		fmt.Fprintf(w, `{"__type":"UnsupportedOperationException","message":"%s is not implemented locally"}`, strings.ReplaceAll(op, `"`, ""))
		return
	}
	resp, ok := m.Call(nil)[0].Interface().(handler.Response)
	if !ok {
		http.Error(w, "unexpected handler result", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(resp.Code)
	io.WriteString(w, resp.Body)
}

// Close stops serving and closes the key store.
func (s *Server) Close() error {
	if s == nil || s.srv == nil {
		return nil
	}
	err := s.srv.Close()
	s.srv = nil
	s.db.Close()
	s.removeTmp()
	return err
}

func (s *Server) removeTmp() {
	if s.tmp != "" {
		os.RemoveAll(s.tmp)
		s.tmp = ""
	}
}

// KeyAPI is the part of the KMS client EnsureSigningKey uses.
type KeyAPI interface {
	DescribeKey(ctx context.Context, in *kms.DescribeKeyInput, opts ...func(*kms.Options)) (*kms.DescribeKeyOutput, error)
	CreateKey(ctx context.Context, in *kms.CreateKeyInput, opts ...func(*kms.Options)) (*kms.CreateKeyOutput, error)
	CreateAlias(ctx context.Context, in *kms.CreateAliasInput, opts ...func(*kms.Options)) (*kms.CreateAliasOutput, error)
}

// EnsureSigningKey returns the ARN of the key behind alias, first creating
// an ECC_NIST_P256 SIGN_VERIFY key (what template.yaml's AuditKey is) and
// the alias if the alias does not exist yet.
func EnsureSigningKey(ctx context.Context, c KeyAPI, alias string) (string, error) {
	d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(alias)})
	if err == nil {
		return aws.ToString(d.KeyMetadata.Arn), nil
	}
	if _, missing := errors.AsType[*kmstypes.NotFoundException](err); !missing {
		return "", fmt.Errorf("describe %s: %w", alias, err)
	}
	k, err := c.CreateKey(ctx, &kms.CreateKeyInput{
		KeySpec: kmstypes.KeySpecEccNistP256, KeyUsage: kmstypes.KeyUsageTypeSignVerify,
		Description: aws.String("breachflow audit chain heads (local)"),
	})
	if err != nil {
		return "", fmt.Errorf("create the audit key: %w", err)
	}
	if _, err := c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(alias), TargetKeyId: k.KeyMetadata.KeyId}); err != nil {
		return "", fmt.Errorf("alias %s: %w", alias, err)
	}
	return aws.ToString(k.KeyMetadata.Arn), nil
}
