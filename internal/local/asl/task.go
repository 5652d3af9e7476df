package asl

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

const (
	resLambdaInvoke     = "arn:aws:states:::lambda:invoke"
	resLambdaInvokeWait = "arn:aws:states:::lambda:invoke.waitForTaskToken"
)

func isCallback(resource string) bool { return strings.HasSuffix(resource, ".waitForTaskToken") }

// functionName reduces a Lambda function reference (name, name:alias, full
// or partial ARN) to the function name.
func functionName(ref string) string {
	if i := strings.Index(ref, ":function:"); i >= 0 {
		ref = ref[i+len(":function:"):]
	}
	if i := strings.IndexByte(ref, ':'); i >= 0 {
		ref = ref[:i]
	}
	return ref
}

// LambdaErrorType returns the error type Lambda reports for an error or a
// panic value returned by a Go handler: the Go type name without "*",
// exactly as aws-lambda-go computes it.
func LambdaErrorType(v any) string {
	switch e := v.(type) {
	case messages.InvokeResponse_Error:
		return e.Type
	case *messages.InvokeResponse_Error:
		return e.Type
	}
	t := reflect.TypeOf(v)
	if t == nil {
		return "Runtime.ExitError"
	}
	if t.Kind() == reflect.Ptr {
		return t.Elem().Name()
	}
	return t.Name()
}

func lambdaCause(name, msg string) string {
	return mustEncode(map[string]any{"errorMessage": msg, "errorType": name})
}

func requestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func (r *runner) lookup(fn string) lambda.Handler {
	if h := r.opts.Functions[functionName(fn)]; h != nil {
		return h
	}
	return r.opts.Functions[fn]
}

func (r *runner) functionArn(fn string) string {
	return fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", r.opts.Region, r.opts.Account, functionName(fn))
}

func (r *runner) notFound(fn string) *ExecError {
	return execErr("Lambda.ResourceNotFoundException", "Function not found: %s (Service: Lambda, Status Code: 404)", r.functionArn(fn))
}

// invoke calls a registered handler with a deadline, recovering panics.
func (r *runner) invoke(ctx context.Context, fn string, payload []byte, timeout time.Duration) ([]byte, *ExecError) {
	h := r.lookup(fn)
	if h == nil {
		return nil, r.notFound(fn)
	}
	arn := r.functionArn(fn)
	lctx := lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{AwsRequestID: requestID(), InvokedFunctionArn: arn})
	if timeout > 0 {
		var cancel context.CancelFunc
		lctx, cancel = context.WithTimeout(lctx, timeout)
		defer cancel()
	}
	type res struct {
		out []byte
		err *ExecError
	}
	call := func() (rs res) {
		defer func() {
			if p := recover(); p != nil {
				name := LambdaErrorType(p)
				rs = res{err: &ExecError{Name: name, Cause: lambdaCause(name, fmt.Sprint(p))}}
			}
		}()
		out, err := invokeHandler(h, lctx, payload)
		if err != nil {
			name := LambdaErrorType(err)
			return res{err: &ExecError{Name: name, Cause: lambdaCause(name, err.Error())}}
		}
		return res{out: out}
	}
	// The call runs on its own goroutine so that a timeout or a stop of the
	// execution does not wait for a handler that ignores its context.
	done := make(chan res, 1)
	go func() { done <- call() }()
	var timer <-chan time.Time
	if timeout > 0 {
		timer = r.clock.After(timeout)
	}
	select {
	case rs := <-done:
		return rs.out, rs.err
	case <-timer:
		return nil, &ExecError{Name: ErrTimeout}
	case <-ctx.Done():
		return nil, r.ctxErr(ctx)
	}
}

// taskSeconds is TimeoutSeconds or HeartbeatSeconds: a number, a path
// (JSONPath's ...SecondsPath) or an expression (JSONata).
func (r *runner) taskSeconds(fixed int, p *Path, e *jtemplate, eff any, env *stateEnv, field string) (time.Duration, *ExecError) {
	if e != nil {
		n, err := r.evalInt(e, field, jstates{input: eff}, env, 1)
		return time.Duration(n) * time.Second, err
	}
	return r.seconds(fixed, p, eff, env, field+"Path")
}

func (r *runner) seconds(fixed int, p *Path, eff any, env *stateEnv, field string) (time.Duration, *ExecError) {
	if p == nil {
		return time.Duration(fixed) * time.Second, nil
	}
	v, ok := p.sel(eff, env)
	n, isInt := toInt(v)
	if !ok || !isInt || n <= 0 {
		return 0, execErr(ErrRuntime, "The %s field references an invalid value: %s", field, p.src)
	}
	return time.Duration(n) * time.Second, nil
}

// runTask runs a Task state's resource. eff is the state's effective input
// (for *SecondsPath); params the payload after Parameters.
func (r *runner) runTask(ctx context.Context, st *State, f *frame, key string, params, eff any, env *stateEnv, token string) (any, *ExecError) {
	timeout, err := r.taskSeconds(st.timeoutSeconds, st.timeoutSecondsPath, st.timeoutExpr, eff, env, "TimeoutSeconds")
	if err != nil {
		return nil, err
	}
	heartbeat, err := r.taskSeconds(st.heartbeatSeconds, st.heartbeatSecondsPath, st.heartbeatExpr, eff, env, "HeartbeatSeconds")
	if err != nil {
		return nil, err
	}
	if r.test != nil && r.test.mock != nil && r.test.state == st {
		return r.test.mockResult()
	}
	res := st.Resource
	switch {
	case res == resLambdaInvoke || res == resLambdaInvokeWait:
		return r.lambdaInvokeTask(ctx, st, f, key, params, timeout, heartbeat, token)
	case strings.HasPrefix(res, "arn:aws:lambda:") && strings.Contains(res, ":function:"):
		return r.lambdaArnTask(ctx, st, f, key, params, timeout)
	}
	return nil, execErr(ErrRuntime, "resource %s is not supported by the local engine", res)
}

func (r *runner) recorded(key string) (any, *ExecError, bool) {
	rec, ok := r.journalGet(key)
	if !ok {
		return nil, nil, false
	}
	if rec.Kind == "error" {
		return nil, &ExecError{Name: rec.Error, Cause: rec.Cause}, true
	}
	v, err := DecodeJSON([]byte(rec.Value))
	if err != nil {
		return nil, execErr(ErrRuntime, "journal: %v", err), true
	}
	return v, nil, true
}

func (r *runner) record(key string, v any, err *ExecError) {
	if r.hooks.Journal == nil {
		return
	}
	if err != nil {
		r.journalPut(Record{Key: key, Kind: "error", Error: err.Name, Cause: err.Cause})
		return
	}
	r.journalPut(Record{Key: key, Kind: "result", Value: mustEncode(v)})
}

func (r *runner) lambdaArnTask(ctx context.Context, st *State, f *frame, key string, params any, timeout time.Duration) (any, *ExecError) {
	r.emit(f, "LambdaFunctionScheduled", "lambdaFunctionScheduledEventDetails", &LambdaScheduledDetails{Resource: st.Resource, Input: text(params), TimeoutInSeconds: int64(timeout / time.Second)})
	r.emit(f, "LambdaFunctionStarted", "", nil)
	out, err, done := r.recorded(key)
	if !done {
		out, err = r.callLambda(ctx, st.Resource, params, timeout)
		if ctx.Err() == nil {
			r.record(key, out, err)
		}
	}
	switch {
	case err == nil:
		r.emit(f, "LambdaFunctionSucceeded", "lambdaFunctionSucceededEventDetails", &LambdaSucceededDetails{Output: text(out)})
	case err.Name == ErrTimeout:
		r.emit(f, "LambdaFunctionTimedOut", "lambdaFunctionTimedOutEventDetails", &ErrorDetails{Error: err.Name, Cause: err.Cause})
	default:
		r.emit(f, "LambdaFunctionFailed", "lambdaFunctionFailedEventDetails", &ErrorDetails{Error: err.Name, Cause: err.Cause})
	}
	return out, err
}

// callLambda encodes the payload, invokes and decodes the response.
func (r *runner) callLambda(ctx context.Context, fn string, payload any, timeout time.Duration) (any, *ExecError) {
	b, encErr := EncodeJSON(payload)
	if encErr != nil {
		return nil, execErr(ErrRuntime, "encode payload: %v", encErr)
	}
	out, err := r.invoke(ctx, fn, b, timeout)
	if err != nil {
		return nil, err
	}
	if len(out) > MaxPayloadBytes {
		return nil, execErr(ErrDataLimitExceeded, "The function %s returned a payload with a size exceeding the maximum number of bytes service limit.", functionName(fn))
	}
	if len(out) == 0 {
		return nil, nil
	}
	v, derr := DecodeJSON(out)
	if derr != nil {
		return string(out), nil
	}
	return v, nil
}

func (r *runner) invokeResponse(payload any) map[string]any {
	id := requestID()
	size := strconv.Itoa(JSONSize(payload, 0))
	date := r.clock.Now().UTC().Format(time.RFC1123)
	return map[string]any{
		"ExecutedVersion": "$LATEST",
		"Payload":         payload,
		"SdkHttpMetadata": map[string]any{
			"AllHttpHeaders": map[string]any{
				"X-Amz-Executed-Version": []any{"$LATEST"}, "x-amzn-Remapped-Content-Length": []any{"0"},
				"Connection": []any{"keep-alive"}, "x-amzn-RequestId": []any{id}, "Content-Length": []any{size},
				"Date": []any{date}, "Content-Type": []any{"application/json"},
			},
			"HttpHeaders": map[string]any{
				"Connection": "keep-alive", "Content-Length": size, "Content-Type": "application/json", "Date": date,
				"X-Amz-Executed-Version": "$LATEST", "x-amzn-Remapped-Content-Length": "0", "x-amzn-RequestId": id,
			},
			"HttpStatusCode": jsonInt(200),
		},
		"SdkResponseMetadata": map[string]any{"RequestId": id},
		"StatusCode":          jsonInt(200),
	}
}

func (r *runner) lambdaInvokeTask(ctx context.Context, st *State, f *frame, key string, params any, timeout, heartbeat time.Duration, token string) (any, *ExecError) {
	resource := strings.TrimPrefix(st.Resource, "arn:aws:states:::lambda:")
	r.emit(f, "TaskScheduled", "taskScheduledEventDetails", &TaskScheduledDetails{ResourceType: "lambda", Resource: resource, Region: r.opts.Region,
		Parameters: text(params), TimeoutInSeconds: int64(timeout / time.Second), HeartbeatInSeconds: int64(heartbeat / time.Second)})
	r.emit(f, "TaskStarted", "taskStartedEventDetails", &TaskStartedDetails{ResourceType: "lambda", Resource: resource})
	out, err, done := r.recorded(key)
	if !done {
		out, err = r.lambdaInvokeOnce(ctx, st, f, key, params, timeout, heartbeat, token, resource)
		if ctx.Err() == nil {
			r.record(key, out, err)
		}
	}
	switch {
	case err == nil:
		r.emit(f, "TaskSucceeded", "taskSucceededEventDetails", &TaskOutputDetails{ResourceType: "lambda", Resource: resource, Output: text(out)})
	case err.Name == ErrTimeout || err.Name == ErrHeartbeatTimeout:
		r.emit(f, "TaskTimedOut", "taskTimedOutEventDetails", &TaskErrorDetails{ResourceType: "lambda", Resource: resource, Error: err.Name, Cause: err.Cause})
	default:
		r.emit(f, "TaskFailed", "taskFailedEventDetails", &TaskErrorDetails{ResourceType: "lambda", Resource: resource, Error: err.Name, Cause: err.Cause})
	}
	return out, err
}

func (r *runner) lambdaInvokeOnce(ctx context.Context, st *State, f *frame, key string, params any, timeout, heartbeat time.Duration, token, resource string) (any, *ExecError) {
	pm, _ := params.(map[string]any)
	fn, _ := pm["FunctionName"].(string)
	if fn == "" {
		return nil, execErr(ErrRuntime, "The field 'FunctionName' is required by the lambda:invoke integration")
	}
	payload, hasPayload := pm["Payload"]
	if !hasPayload {
		payload = map[string]any{}
	}
	start := r.clock.Now()
	if token == "" {
		switch pm["InvocationType"] {
		case "Event":
			// asynchronous: Lambda answers 202 at once and runs the function
			// on its own; its result and errors are not the task's.
			go func() { _, _ = r.callLambda(context.WithoutCancel(ctx), fn, payload, 0) }()
			resp := r.invokeResponse("")
			resp["StatusCode"] = jsonInt(202)
			delete(resp, "ExecutedVersion")
			return resp, nil
		case "DryRun":
			if r.lookup(fn) == nil {
				return nil, r.notFound(fn)
			}
			resp := r.invokeResponse("")
			resp["StatusCode"] = jsonInt(204)
			return resp, nil
		}
		out, err := r.callLambda(ctx, fn, payload, timeout)
		if err != nil {
			return nil, err
		}
		return r.invokeResponse(out), nil
	}
	// .waitForTaskToken: invoke once, then wait for the token.
	if rec, ok := r.journalGet(key + "/token"); ok && rec.Time != 0 {
		start = time.Unix(0, rec.Time)
	}
	tw := r.hooks.Tokens.get(token, true)
	if r.hooks.OnToken != nil {
		r.hooks.OnToken(token)
	}
	if _, submitted := r.journalGet(key + "/submitted"); !submitted {
		// The task timeout runs from the start of the task, below; the
		// invocation itself is a quick hand-over.
		out, err := r.callLambda(ctx, fn, payload, 0)
		if err != nil {
			r.hooks.Tokens.Forget(token)
			return nil, err
		}
		resp := r.invokeResponse(out)
		r.journalPut(Record{Key: key + "/submitted", Kind: "submitted"})
		r.emit(f, "TaskSubmitted", "taskSubmittedEventDetails", &TaskOutputDetails{ResourceType: "lambda", Resource: resource, Output: text(resp)})
	}
	var timeoutCh <-chan time.Time
	if timeout > 0 {
		timeoutCh = r.clock.After(start.Add(timeout).Sub(r.clock.Now()))
	}
	for {
		var beatCh <-chan time.Time
		if heartbeat > 0 {
			beatCh = r.clock.After(heartbeat)
		}
		select {
		case res := <-tw.done:
			r.hooks.Tokens.Forget(token)
			if res.err != nil {
				return nil, res.err
			}
			v, err := DecodeJSON([]byte(res.output))
			if err != nil {
				return nil, execErr(ErrRuntime, "task output is not JSON: %v", err)
			}
			return v, nil
		case <-tw.beats:
			continue
		case <-beatCh:
			r.hooks.Tokens.expire(token)
			return nil, &ExecError{Name: ErrHeartbeatTimeout}
		case <-timeoutCh:
			r.hooks.Tokens.expire(token)
			return nil, &ExecError{Name: ErrTimeout}
		case <-ctx.Done():
			return nil, r.ctxErr(ctx)
		}
	}
}
