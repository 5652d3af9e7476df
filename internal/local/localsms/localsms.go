package localsms

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"breachflow/internal/local/loopback"
)

// Region and Account are what the endpoint reports in ARNs and events.
const (
	Region  = "us-east-1"
	Account = "123456789012"
)

// Options are the endpoint's account settings.
type Options struct {
	// Addr is a 127.0.0.1 address; port 0 picks a free one.
	Addr string
	// Identities are the account's origination identities (phone numbers,
	// sender IDs, pool ids) with the country calling code each may send to
	// ("82"); an empty code sends anywhere. A SendTextMessage from any other
	// identity is a ResourceNotFoundException, to another country an
	// INVALID_IDENTITY_FOR_DESTINATION_COUNTRY ValidationException.
	Identities map[string]string
	// ConfigurationSets are the account's configuration sets.
	ConfigurationSets []string
	// MPS is the account's message parts per second (0: no limit): a text
	// whose parts would take the last second over it gets a
	// ThrottlingException.
	MPS float64
	// OptedOut numbers get a ConflictException
	// (DESTINATION_PHONE_NUMBER_OPTED_OUT); Unreachable numbers are
	// accepted and get a TEXT_CARRIER_UNREACHABLE receipt.
	OptedOut, Unreachable []string
	// Events receives each accepted message's delivery receipt (the event
	// JSON of a configuration set's event destination), when the message
	// named a configuration set. Called from its own goroutine. SetEvents
	// changes it.
	Events func(ctx context.Context, event []byte)
	// Keep is the most messages kept for Messages and the page (default
	// 100,000; the oldest go first).
	Keep int
}

// Message is one accepted text.
type Message struct {
	MessageID        string            `json:"messageId"`
	At               int64             `json:"at"` // Unix ms
	Destination      string            `json:"destination"`
	Origination      string            `json:"origination"`
	Body             string            `json:"body"`
	MessageType      string            `json:"messageType,omitempty"`
	ConfigurationSet string            `json:"configurationSet,omitempty"`
	Context          map[string]string `json:"context,omitempty"`
}

// Server is a running endpoint.
type Server struct {
	// Endpoint is its URL, for AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2.
	Endpoint string
	opts     Options
	srv      *http.Server
	sets     map[string]bool
	optedOut map[string]bool
	unreach  map[string]bool
	mu       sync.Mutex
	sink     func(ctx context.Context, event []byte)
	msgs     []Message
	sent     int
	window   []sent // accepted sends of the last second (MPS)
	events   sync.WaitGroup
	ctx      context.Context
	cancel   context.CancelFunc
}

// Start serves the endpoint.
func Start(opts Options) (*Server, error) {
	if opts.Keep <= 0 {
		opts.Keep = 100_000
	}
	ln, err := loopback.Listen("SMS", opts.Addr)
	if err != nil {
		return nil, err
	}
	s := &Server{opts: opts, Endpoint: "http://" + ln.Addr().String(), sets: set(opts.ConfigurationSets), optedOut: set(opts.OptedOut), unreach: set(opts.Unreachable), sink: opts.Events}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	mux := http.NewServeMux()
	mux.HandleFunc("POST /{$}", s.api)
	mux.HandleFunc("GET /{$}", s.page)
	mux.HandleFunc("GET /store", s.store)
	s.srv = loopback.NewServer(ln, mux)
	go s.srv.Serve(ln)
	return s, nil
}

func set(xs []string) map[string]bool {
	m := map[string]bool{}
	for _, x := range xs {
		m[x] = true
	}
	return m
}

// AddConfigurationSet creates a configuration set in the local account.
func (s *Server) AddConfigurationSet(name string) {
	s.mu.Lock()
	s.sets[name] = true
	s.mu.Unlock()
}

// SetEvents sends later delivery receipts to fn (nil: none), for a stack
// that wires the receiving function after the endpoint started.
func (s *Server) SetEvents(fn func(ctx context.Context, event []byte)) {
	s.mu.Lock()
	s.sink = fn
	s.mu.Unlock()
}

// Close stops the endpoint and waits for receipts under way.
func (s *Server) Close() error {
	err := s.srv.Close()
	s.cancel()
	s.events.Wait()
	return err
}

// Messages returns the accepted messages, oldest first.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// Sent is how many messages the endpoint accepted since it started.
func (s *Server) Sent() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sent
}

// apiError is one of the service's modelled errors.
type apiError struct {
	status int
	typ    string
	body   map[string]any
}

func (s *Server) api(w http.ResponseWriter, r *http.Request) {
	if err := checkRequest(r); err != nil {
		writeError(w, err)
		return
	}
	svc, op, _ := strings.Cut(r.Header.Get("X-Amz-Target"), ".")
	if svc != "PinpointSMSVoiceV2" {
		writeError(w, &apiError{400, "UnknownOperationException", map[string]any{"message": "unknown target"}})
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		writeError(w, &apiError{400, "SerializationException", map[string]any{"message": "cannot read the request"}})
		return
	}
	switch op {
	case "SendTextMessage":
		out, aerr := s.sendText(body)
		if aerr != nil {
			writeError(w, aerr)
			return
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		json.NewEncoder(w).Encode(out)
	default:
		writeError(w, &apiError{400, "UnknownOperationException", map[string]any{"message": "this local endpoint serves SendTextMessage only"}})
	}
}

// checkRequest accepts what AWS accepts in shape: a JSON 1.0 POST signed
// with SigV4 for the sms-voice service. The signature itself is not
// checked (any local credentials will do), as with the other local
// emulators.
func checkRequest(r *http.Request) *apiError {
	if ct := r.Header.Get("Content-Type"); ct != "application/x-amz-json-1.0" {
		return &apiError{400, "SerializationException", map[string]any{"message": "Content-Type must be application/x-amz-json-1.0"}}
	}
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return &apiError{403, "MissingAuthenticationTokenException", map[string]any{"message": "Missing Authentication Token"}}
	}
	if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 ") || !strings.Contains(auth, "/sms-voice/aws4_request") || r.Header.Get("X-Amz-Date") == "" {
		return &apiError{403, "IncompleteSignatureException", map[string]any{"message": "a SigV4 signature for the sms-voice service is required"}}
	}
	return nil
}

func writeError(w http.ResponseWriter, e *apiError) {
	body := map[string]any{"__type": "com.amazonaws.pinpointsmsvoicev2#" + e.typ}
	for k, v := range e.body {
		body[k] = v
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.Header().Set("X-Amzn-ErrorType", e.typ)
	w.WriteHeader(e.status)
	json.NewEncoder(w).Encode(body)
}

// The API model's constraints (pinpoint-sms-voice-v2 service-2.json).
var (
	phonePattern    = regexp.MustCompile(`^\+?[1-9][0-9]{1,18}$`)
	identityPattern = regexp.MustCompile(`^[A-Za-z0-9_:/\+-]+$`)
	setPattern      = regexp.MustCompile(`^[A-Za-z0-9_:/-]+$`)
	nonBlank        = regexp.MustCompile(`^\S+$`)
)

type sendTextInput struct {
	DestinationPhoneNumber *string           `json:"DestinationPhoneNumber"`
	OriginationIdentity    *string           `json:"OriginationIdentity"`
	MessageBody            *string           `json:"MessageBody"`
	MessageType            string            `json:"MessageType"`
	ConfigurationSetName   string            `json:"ConfigurationSetName"`
	Context                map[string]string `json:"Context"`
	MaxPrice               string            `json:"MaxPrice"`
	TimeToLive             *int32            `json:"TimeToLive"`
	DryRun                 bool              `json:"DryRun"`
}

func invalid(reason, field, msg string) *apiError {
	return &apiError{400, "ValidationException", map[string]any{
		"Message": msg, "Reason": reason,
		"Fields": []map[string]string{{"Name": field, "Message": msg}},
	}}
}

func (s *Server) sendText(body []byte) (map[string]string, *apiError) {
	var in sendTextInput
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, &apiError{400, "SerializationException", map[string]any{"message": "malformed JSON"}}
	}
	switch {
	case in.DestinationPhoneNumber == nil:
		return nil, invalid("MISSING_PARAMETER", "DestinationPhoneNumber", "DestinationPhoneNumber is required")
	case len(*in.DestinationPhoneNumber) > 20 || !phonePattern.MatchString(*in.DestinationPhoneNumber):
		return nil, invalid("FIELD_VALIDATION_FAILED", "DestinationPhoneNumber", "Value at 'destinationPhoneNumber' failed to satisfy constraint: Member must satisfy regular expression pattern: \\+?[1-9][0-9]{1,18}")
	case in.OriginationIdentity != nil && (len(*in.OriginationIdentity) > 256 || !identityPattern.MatchString(*in.OriginationIdentity)):
		return nil, invalid("FIELD_VALIDATION_FAILED", "OriginationIdentity", "Value at 'originationIdentity' failed to satisfy constraint")
	case in.MessageBody == nil || strings.TrimSpace(*in.MessageBody) == "":
		return nil, invalid("MISSING_PARAMETER", "MessageBody", "MessageBody is required for a text message")
	case utf8.RuneCountInString(*in.MessageBody) > 1600:
		return nil, invalid("FIELD_VALIDATION_FAILED", "MessageBody", "Value at 'messageBody' failed to satisfy constraint: Member must have length less than or equal to 1600")
	case in.MessageType != "" && in.MessageType != "TRANSACTIONAL" && in.MessageType != "PROMOTIONAL":
		return nil, invalid("FIELD_VALIDATION_FAILED", "MessageType", "Value at 'messageType' failed to satisfy enum value set: [TRANSACTIONAL, PROMOTIONAL]")
	case in.ConfigurationSetName != "" && (len(in.ConfigurationSetName) > 256 || !setPattern.MatchString(in.ConfigurationSetName)):
		return nil, invalid("FIELD_VALIDATION_FAILED", "ConfigurationSetName", "Value at 'configurationSetName' failed to satisfy constraint")
	case len(in.Context) > 5:
		return nil, invalid("FIELD_VALIDATION_FAILED", "Context", "Value at 'context' failed to satisfy constraint: Member must have length less than or equal to 5")
	}
	for k, v := range in.Context {
		if len(k) > 100 || !nonBlank.MatchString(k) || len(v) > 800 || !nonBlank.MatchString(v) {
			return nil, invalid("FIELD_VALIDATION_FAILED", "Context", "Value at 'context' failed to satisfy constraint: keys and values must be non-blank, at most 100 and 800 characters")
		}
	}
	dest := *in.DestinationPhoneNumber
	if !strings.HasPrefix(dest, "+") {
		dest = "+" + dest
	}
	from := ""
	if in.OriginationIdentity != nil {
		from = *in.OriginationIdentity
	}
	if s.opts.Identities != nil {
		code, ok := s.opts.Identities[from]
		if !ok {
			return nil, &apiError{400, "ResourceNotFoundException", map[string]any{
				"Message": "Origination identity not found", "ResourceType": identityType(from), "ResourceId": from}}
		}
		if code != "" && !strings.HasPrefix(dest[1:], code) {
			return nil, invalid("INVALID_IDENTITY_FOR_DESTINATION_COUNTRY", "OriginationIdentity", "The origination identity cannot send to the destination's country")
		}
	}
	s.mu.Lock()
	knownSet := s.sets[in.ConfigurationSetName]
	s.mu.Unlock()
	if in.ConfigurationSetName != "" && !knownSet {
		return nil, &apiError{400, "ResourceNotFoundException", map[string]any{
			"Message": "Configuration set not found", "ResourceType": "configuration-set", "ResourceId": in.ConfigurationSetName}}
	}
	if s.optedOut[dest] {
		return nil, &apiError{400, "ConflictException", map[string]any{
			"Message": "The destination phone number is opted out", "Reason": "DESTINATION_PHONE_NUMBER_OPTED_OUT",
			"ResourceType": "opt-out-list", "ResourceId": "Default"}}
	}
	now := time.Now()
	s.mu.Lock()
	if s.opts.MPS > 0 && !s.admit(now, parts(dest, *in.MessageBody)) {
		s.mu.Unlock()
		return nil, &apiError{400, "ThrottlingException", map[string]any{"Message": "Rate exceeded"}}
	}
	id := newID()
	if in.DryRun {
		s.mu.Unlock()
		return map[string]string{"MessageId": id}, nil
	}
	m := Message{MessageID: id, At: now.UnixMilli(), Destination: dest, Origination: from, Body: *in.MessageBody,
		MessageType: in.MessageType, ConfigurationSet: in.ConfigurationSetName, Context: in.Context}
	s.msgs = append(s.msgs, m)
	if len(s.msgs) > s.opts.Keep {
		s.msgs = s.msgs[len(s.msgs)-s.opts.Keep:]
	}
	s.sent++
	sink := s.sink
	s.mu.Unlock()
	if sink != nil && m.ConfigurationSet != "" {
		s.receipt(sink, m, now)
	}
	return map[string]string{"MessageId": id}, nil
}

// sent is one accepted text in the MPS window.
type sent struct {
	at    time.Time
	parts int
}

// admit counts a text's parts against MPS over a sliding second.
func (s *Server) admit(now time.Time, parts int) bool {
	cut := now.Add(-time.Second)
	i := 0
	for i < len(s.window) && !s.window[i].at.After(cut) {
		i++
	}
	s.window = s.window[i:]
	used := 0
	for _, w := range s.window {
		used += w.parts
	}
	if float64(used+parts) > s.opts.MPS {
		return false
	}
	s.window = append(s.window, sent{at: now, parts: parts})
	return true
}

func identityType(id string) string {
	switch {
	case strings.HasPrefix(id, "pool-"):
		return "pool"
	case strings.HasPrefix(id, "+") || strings.Trim(id, "0123456789") == "":
		return "phone-number"
	}
	return "sender-id"
}

func newID() string {
	var b [16]byte
	rand.Read(b[:])
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
