package sfnapi

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"time"

	"breachflow/internal/local/asl"
	"breachflow/internal/local/stepfunctions"
)

// Service is what the HTTP layer needs from the local Step Functions
// service; *stepfunctions.Service implements it.
type Service interface {
	CreateStateMachine(ctx context.Context, in stepfunctions.CreateStateMachineInput) (stepfunctions.StateMachine, error)
	DescribeStateMachine(ctx context.Context, arn string) (stepfunctions.StateMachine, error)
	ListStateMachines(ctx context.Context) ([]stepfunctions.StateMachine, error)
	DeleteStateMachine(ctx context.Context, arn string) error
	StartExecution(ctx context.Context, in stepfunctions.StartExecutionInput) (stepfunctions.Execution, error)
	DescribeExecution(ctx context.Context, arn string) (stepfunctions.Execution, error)
	ListExecutions(ctx context.Context, stateMachineArn, statusFilter string) ([]stepfunctions.Execution, error)
	GetExecutionHistory(ctx context.Context, executionArn string) ([]stepfunctions.HistoryEvent, error)
	StopExecution(ctx context.Context, arn, errName, cause string) (time.Time, error)
	RedriveExecution(ctx context.Context, arn string) (stepfunctions.Execution, error)
	SendTaskSuccess(ctx context.Context, token, output string) error
	SendTaskFailure(ctx context.Context, token, errName, cause string) error
	SendTaskHeartbeat(ctx context.Context, token string) error
	TestState(ctx context.Context, in stepfunctions.TestStateInput) (*asl.TestStateResult, error)
}

const (
	targetPrefix = "AWSStepFunctions."
	contentType  = "application/x-amz-json-1.0"
	// maxBody bounds a request: a definition is at most 1 MiB and an
	// execution input 256 KiB, both JSON-escaped inside the request.
	maxBody = 4 << 20
)

// Protocol error codes, as AWS returns them.
const (
	CodeUnknownOperation      = "UnknownOperationException"
	CodeSerialization         = "SerializationException"
	CodeValidation            = "ValidationException"
	CodeMissingAuthentication = "MissingAuthenticationTokenException"
	CodeInternalFailure       = "InternalFailure"
)

type operation func(ctx context.Context, svc Service, body []byte) (any, error)

var operations = map[string]operation{
	"CreateStateMachine":   createStateMachine,
	"DescribeStateMachine": describeStateMachine,
	"ListStateMachines":    listStateMachines,
	"DeleteStateMachine":   deleteStateMachine,
	"StartExecution":       startExecution,
	"DescribeExecution":    describeExecution,
	"ListExecutions":       listExecutions,
	"GetExecutionHistory":  getExecutionHistory,
	"StopExecution":        stopExecution,
	"RedriveExecution":     redriveExecution,
	"SendTaskSuccess":      sendTaskSuccess,
	"SendTaskFailure":      sendTaskFailure,
	"SendTaskHeartbeat":    sendTaskHeartbeat,
	"TestState":            testState,
}

type handler struct {
	svc Service
	log *slog.Logger
}

// NewHandler returns the HTTP handler of the Step Functions JSON API over
// svc. log may be nil (slog.Default()).
func NewHandler(svc Service, log *slog.Logger) http.Handler {
	if log == nil {
		log = slog.Default()
	}
	return &handler{svc: svc, log: log}
}

// apiError is an error with AWS's code and HTTP status.
type apiError struct {
	status  int
	code    string
	message string
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

func errorf(code, format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, code: code, message: fmt.Sprintf(format, args...)}
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	reqID := newRequestID()
	w.Header().Set("x-amzn-RequestId", reqID)
	target := r.Header.Get("X-Amz-Target")
	op := strings.TrimPrefix(target, targetPrefix)
	start := time.Now()
	out, err := h.serve(r, target)
	if err != nil {
		h.writeError(w, err)
	} else {
		h.writeJSON(w, http.StatusOK, out)
	}
	// One line per request with the operation and outcome only: bodies hold
	// execution input and output, which may be personal data.
	code := ""
	if err != nil {
		code = errorCode(err)
	}
	h.log.Debug("sfnapi request", "op", op, "error", code, "request_id", reqID, "duration", time.Since(start))
}

func (h *handler) serve(r *http.Request, target string) (out any, err error) {
	if r.Method != http.MethodPost || (r.URL.Path != "/" && r.URL.Path != "") {
		return nil, &apiError{status: http.StatusNotFound, code: CodeUnknownOperation, message: "only POST / is served"}
	}
	if !strings.HasPrefix(target, targetPrefix) {
		return nil, errorf(CodeUnknownOperation, "missing or unknown X-Amz-Target %q", target)
	}
	op, ok := operations[strings.TrimPrefix(target, targetPrefix)]
	if !ok {
		return nil, errorf(CodeUnknownOperation, "operation %q is not supported", strings.TrimPrefix(target, targetPrefix))
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != contentType {
		return nil, errorf(CodeSerialization, "Content-Type must be %s", contentType)
	}
	if auth := r.Header.Get("Authorization"); !strings.HasPrefix(auth, "AWS4-") {
		return nil, errorf(CodeMissingAuthentication, "missing Authorization header with an AWS Signature Version 4")
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return nil, errorf(CodeSerialization, "cannot read the request body")
	}
	if len(body) > maxBody {
		return nil, errorf(CodeValidation, "the request body is larger than %d bytes", maxBody)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	defer func() {
		// The service must never take the API down with it.
		if p := recover(); p != nil {
			h.log.Error("sfnapi: operation panicked", "target", target, "panic", fmt.Sprint(p))
			out, err = nil, &apiError{status: http.StatusInternalServerError, code: CodeInternalFailure, message: "internal failure"}
		}
	}()
	return op(r.Context(), h.svc, body)
}

func errorCode(err error) string {
	var ae *apiError
	var se *stepfunctions.APIError
	switch {
	case errors.As(err, &ae):
		return ae.code
	case errors.As(err, &se):
		return se.Code
	}
	return CodeInternalFailure
}

func (h *handler) writeError(w http.ResponseWriter, err error) {
	var ae *apiError
	var se *stepfunctions.APIError
	switch {
	case errors.As(err, &ae):
	case errors.As(err, &se):
		ae = &apiError{status: http.StatusBadRequest, code: se.Code, message: se.Message}
	default:
		h.log.Error("sfnapi: service failure", "error", err.Error())
		ae = &apiError{status: http.StatusInternalServerError, code: CodeInternalFailure, message: "internal failure"}
	}
	w.Header().Set("X-Amzn-ErrorType", ae.code)
	h.writeJSON(w, ae.status, map[string]string{"__type": ae.code, "message": ae.message})
}

func (h *handler) writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		h.log.Error("sfnapi: encode response", "error", err.Error())
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(`{"__type":"InternalFailure","message":"internal failure"}`)
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// decode reads the request members into v; a malformed body or a member of
// the wrong JSON type is a SerializationException, as in AWS.
func decode(body []byte, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
		return errorf(CodeSerialization, "malformed request body: %s", describeJSONError(err))
	}
	return nil
}

func describeJSONError(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("member %q must be of type %s", te.Field, te.Type)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("invalid JSON at offset %d", se.Offset)
	}
	return "invalid JSON"
}

// required reports a missing member the way AWS validation does.
func required(pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] == "" {
			return errorf(CodeValidation, "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", pairs[i])
		}
	}
	return nil
}

func newRequestID() string {
	var b [16]byte
	rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
