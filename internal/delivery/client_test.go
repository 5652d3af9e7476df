package delivery

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
)

// sesStub answers SES v2 calls on loopback: its first fail calls with
// status and an error of code and message, then with success.
type sesStub struct {
	calls atomic.Int64
	fail  int64
}

func (s *sesStub) serve(t *testing.T, status int, code, message string) *sesv2.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := s.calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		if n <= s.fail {
			w.Header().Set("X-Amzn-ErrorType", code)
			w.WriteHeader(status)
			w.Write([]byte(`{"message":"` + message + `"}`))
			return
		}
		if r.Method == http.MethodGet {
			w.Write([]byte(`{"SendQuota":{"Max24HourSend":200000,"MaxSendRate":40,"SentLast24Hours":0},"ProductionAccessEnabled":true,"SendingEnabled":true}`))
			return
		}
		w.Write([]byte(`{"MessageId":"stub-1"}`))
	}))
	t.Cleanup(srv.Close)
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")}
	return NewSESClient(cfg, func(o *sesv2.Options) { o.BaseEndpoint = aws.String(srv.URL) })
}

func stubInput() *sesv2.SendEmailInput {
	return &sesv2.SendEmailInput{
		FromEmailAddress: aws.String("privacy@example.com"),
		Destination:      &types.Destination{ToAddresses: []string{"someone@example.org"}},
		Content: &types.EmailContent{Simple: &types.Message{
			Subject: &types.Content{Data: aws.String("notice")},
			Body:    &types.Body{Text: &types.Content{Data: aws.String("text")}},
		}},
	}
}

// The send client makes one attempt per call: a throttled or quota-spent
// send comes back to the pipeline at once, so its next try waits for the
// pacer like any other send.
func TestSESClientLeavesRetriesToThePipeline(t *testing.T) {
	for _, tc := range []struct {
		name, message string
		want          class
	}{
		{"per-second throttle", "Maximum sending rate exceeded.", classThrottle},
		{"daily quota", "Daily message quota exceeded.", classStopQuota},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stub := &sesStub{fail: 100}
			ses := stub.serve(t, http.StatusTooManyRequests, "TooManyRequestsException", tc.message)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_, err := ses.SendEmail(ctx, stubInput())
			if err == nil {
				t.Fatal("SendEmail succeeded against a stub that only throttles")
			}
			if got := classify(err); got != tc.want {
				t.Errorf("classify(%v) = %v, want %v", err, got, tc.want)
			}
			if n := stub.calls.Load(); n != 1 {
				t.Errorf("SES saw %d requests for one SendEmail, want 1 (the SDK retried on its own)", n)
			}
		})
	}
}

// GetAccount, made once per cold start, keeps the SDK's standard retries: a
// passing server error does not fail the invocation.
func TestPacingRetriesGetAccount(t *testing.T) {
	stub := &sesStub{fail: 1}
	ses := stub.serve(t, http.StatusInternalServerError, "InternalFailure", "try again")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p, err := Config{Parallel: 1, Latency: DefaultSESLatency}.Pacing(ctx, ses)
	if err != nil {
		t.Fatalf("Pacing: %v", err)
	}
	if n := stub.calls.Load(); n != 2 {
		t.Errorf("SES saw %d GetAccount requests, want 2 (one failure, one retry)", n)
	}
	if want := DerivePacing(40, 1, DefaultSESLatency); p != want {
		t.Errorf("Pacing = %+v, want %+v (from the account's 40/s)", p, want)
	}
}
