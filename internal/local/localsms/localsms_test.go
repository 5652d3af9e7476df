package localsms_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	sms "github.com/aws/aws-sdk-go-v2/service/pinpointsmsvoicev2"
	"github.com/aws/aws-sdk-go-v2/service/pinpointsmsvoicev2/types"

	"breachflow/internal/local/localsms"
)

func start(t *testing.T, opts localsms.Options) (*localsms.Server, *sms.Client) {
	t.Helper()
	opts.Addr = "127.0.0.1:0"
	s, err := localsms.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	c := sms.NewFromConfig(aws.Config{Region: localsms.Region, Credentials: credentials.NewStaticCredentialsProvider("AKIDLOCAL", "secret", ""),
		BaseEndpoint: aws.String(s.Endpoint), Retryer: func() aws.Retryer { return aws.NopRetryer{} }})
	return s, c
}

func TestSendTextMessageThroughTheSDK(t *testing.T) {
	var mu sync.Mutex
	var events []localsms.Event
	got := make(chan struct{}, 4)
	s, c := start(t, localsms.Options{
		Identities:        map[string]string{"0215881234": "82", "+18885550100": "1"},
		ConfigurationSets: []string{"breachflow"},
		Unreachable:       []string{"+821099990000"},
		Events: func(_ context.Context, b []byte) {
			var e localsms.Event
			if err := json.Unmarshal(b, &e); err != nil {
				t.Errorf("event %s: %v", b, err)
			}
			mu.Lock()
			events = append(events, e)
			mu.Unlock()
			got <- struct{}{}
		},
	})
	ctx := context.Background()
	ids := map[string]string{}
	for _, to := range []string{"+821012345678", "+821099990000"} {
		out, err := c.SendTextMessage(ctx, &sms.SendTextMessageInput{
			DestinationPhoneNumber: aws.String(to), OriginationIdentity: aws.String("0215881234"),
			MessageBody: aws.String("[회사] 안내 https://n.example/t/abc"), MessageType: types.MessageTypeTransactional,
			ConfigurationSetName: aws.String("breachflow"), Context: map[string]string{"case_id": "c-1", "user_id": "u-1"},
		})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.MessageId) == "" {
			t.Fatal("no message id")
		}
		ids[to] = aws.ToString(out.MessageId)
	}
	msgs := s.Messages()
	if len(msgs) != 2 || msgs[0].Destination != "+821012345678" || msgs[0].Body != "[회사] 안내 https://n.example/t/abc" || msgs[0].Context["user_id"] != "u-1" {
		t.Fatalf("messages = %+v", msgs)
	}
	for range 2 {
		select {
		case <-got:
		case <-time.After(5 * time.Second):
			t.Fatal("no delivery receipt")
		}
	}
	mu.Lock()
	defer mu.Unlock()
	status := map[string]string{}
	for _, e := range events {
		status[e.MessageID] = e.EventType
		if e.Context["case_id"] != "c-1" || e.EventVersion != "1.0" || !e.IsFinal || e.MessageEncoding != "UCS2" {
			t.Errorf("event = %+v", e)
		}
	}
	if status[ids["+821012345678"]] != "TEXT_DELIVERED" || status[ids["+821099990000"]] != "TEXT_CARRIER_UNREACHABLE" {
		t.Fatalf("receipts = %v", status)
	}
}

func TestErrorsHaveTheServiceShapes(t *testing.T) {
	_, c := start(t, localsms.Options{
		Identities:        map[string]string{"0215881234": "82"},
		ConfigurationSets: []string{"breachflow"},
		OptedOut:          []string{"+821011112222"},
	})
	ctx := context.Background()
	send := func(to, from, body, set string) error {
		in := &sms.SendTextMessageInput{DestinationPhoneNumber: aws.String(to), OriginationIdentity: aws.String(from), MessageBody: aws.String(body)}
		if set != "" {
			in.ConfigurationSetName = aws.String(set)
		}
		_, err := c.SendTextMessage(ctx, in)
		return err
	}
	var v *types.ValidationException
	if err := send("010-1234", "0215881234", "x", ""); !errors.As(err, &v) || v.Reason != types.ValidationExceptionReasonFieldValidationFailed || len(v.Fields) != 1 || aws.ToString(v.Fields[0].Name) != "DestinationPhoneNumber" {
		t.Errorf("malformed number: %v", err)
	}
	if err := send("+821012345678", "0215881234", strings.Repeat("a", 1601), ""); !errors.As(err, &v) || aws.ToString(v.Fields[0].Name) != "MessageBody" {
		t.Errorf("long body: %v", err)
	}
	if err := send("+14155550100", "0215881234", "x", ""); !errors.As(err, &v) || v.Reason != types.ValidationExceptionReasonInvalidIdentityForDestinationCountry {
		t.Errorf("identity for another country: %v", err)
	}
	var nf *types.ResourceNotFoundException
	if err := send("+821012345678", "0299999999", "x", ""); !errors.As(err, &nf) || nf.ResourceType != types.ResourceTypePhoneNumber {
		t.Errorf("unknown identity: %v", err)
	}
	if err := send("+821012345678", "0215881234", "x", "nope"); !errors.As(err, &nf) || nf.ResourceType != types.ResourceTypeConfigurationSet || aws.ToString(nf.ResourceId) != "nope" {
		t.Errorf("unknown configuration set: %v", err)
	}
	var cf *types.ConflictException
	if err := send("+821011112222", "0215881234", "x", ""); !errors.As(err, &cf) || cf.Reason != types.ConflictExceptionReasonDestinationPhoneNumberOptedOut {
		t.Errorf("opted out: %v", err)
	}
}

func TestThrottlesOverItsRate(t *testing.T) {
	s, c := start(t, localsms.Options{MPS: 5})
	var throttled int
	for range 8 {
		_, err := c.SendTextMessage(context.Background(), &sms.SendTextMessageInput{
			DestinationPhoneNumber: aws.String("+821012345678"), OriginationIdentity: aws.String("x"), MessageBody: aws.String("hi")})
		var th *types.ThrottlingException
		if errors.As(err, &th) {
			throttled++
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if throttled != 3 || s.Sent() != 5 {
		t.Fatalf("throttled %d, sent %d; want 3 and 5 within one second", throttled, s.Sent())
	}
}

// TestThrottlesByParts: MPS counts message parts: a 3-part UCS-2 text to
// the US takes three of 5 parts a second, so the next 3-part text is
// throttled, a 1-part one is not; a long text to Korea is one LMS.
func TestThrottlesByParts(t *testing.T) {
	_, c := start(t, localsms.Options{MPS: 5})
	send := func(to, body string) error {
		_, err := c.SendTextMessage(context.Background(), &sms.SendTextMessageInput{
			DestinationPhoneNumber: aws.String(to), OriginationIdentity: aws.String("x"), MessageBody: aws.String(body)})
		return err
	}
	long := strings.Repeat("日", 150) // 3 UCS-2 parts
	var th *types.ThrottlingException
	if err := send("+14155550100", long); err != nil {
		t.Fatal(err)
	}
	if err := send("+14155550101", long); !errors.As(err, &th) {
		t.Fatalf("second 3-part text: %v, want throttled", err)
	}
	if err := send("+821012345678", long); err != nil {
		t.Fatalf("an LMS to Korea is one part: %v", err)
	}
	if err := send("+14155550102", "hi"); err != nil {
		t.Fatalf("fifth part: %v", err)
	}
	if err := send("+14155550103", "hi"); !errors.As(err, &th) {
		t.Fatalf("sixth part: %v, want throttled", err)
	}
}

func TestRefusesUnsignedAndForeignHosts(t *testing.T) {
	s, _ := start(t, localsms.Options{})
	req, _ := http.NewRequest(http.MethodPost, s.Endpoint+"/", strings.NewReader(`{}`))
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", "PinpointSMSVoiceV2.SendTextMessage")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 403 || resp.Header.Get("X-Amzn-ErrorType") != "MissingAuthenticationTokenException" {
		t.Fatalf("unsigned: %d %s", resp.StatusCode, b)
	}
	req, _ = http.NewRequest(http.MethodGet, s.Endpoint+"/", nil)
	req.Host = "attacker.example"
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("foreign Host: %d", resp.StatusCode)
	}
}

func TestPageListsMessages(t *testing.T) {
	s, c := start(t, localsms.Options{})
	if _, err := c.SendTextMessage(context.Background(), &sms.SendTextMessageInput{
		DestinationPhoneNumber: aws.String("+821012345678"), OriginationIdentity: aws.String("0215881234"), MessageBody: aws.String("<b>안내</b>")}); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(s.Endpoint + "/")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), "&lt;b&gt;안내&lt;/b&gt;") || !strings.Contains(string(b), "821012345678") {
		t.Fatalf("page:\n%s", b)
	}
}
