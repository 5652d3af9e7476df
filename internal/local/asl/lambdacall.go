package asl

import (
	"bytes"
	"context"
	"io"
	"reflect"
	"sync"
	"unsafe"

	"github.com/aws/aws-lambda-go/lambda"
)

// A handler built by aws-lambda-go's NewHandler has a method Invoke that
// returns the bytes of a pooled buffer it has already put back into the
// handler's pool: a concurrent call of the same handler may overwrite them
// before the caller reads them (the race detector shows it). The Lambda
// runtime does not call Invoke: its invoke loop calls the handler's inner
// function, reads the io.Reader it returns and only then closes it (which
// returns the buffer to the pool). invokeHandler does the same, reaching the
// inner function by reflection; should aws-lambda-go change its internals,
// it falls back to Invoke with calls of one handler serialized.

type rawHandler = func(context.Context, []byte) (io.Reader, error)

var (
	rawHandlers   sync.Map // lambda.Handler -> rawHandler (nil: not available)
	invokeMutexes sync.Map // lambda.Handler -> *sync.Mutex
)

// innerFunc returns the function the Lambda runtime would call, if h is an
// aws-lambda-go handler whose layout is the one this engine knows.
func innerFunc(h lambda.Handler) rawHandler {
	if f, ok := rawHandlers.Load(h); ok {
		return f.(rawHandler)
	}
	var fn rawHandler
	v := reflect.ValueOf(h)
	if v.Kind() == reflect.Pointer && !v.IsNil() && v.Type().String() == "*lambda.handlerOptions" {
		field := v.Elem().FieldByName("handlerFunc")
		want := reflect.TypeOf(rawHandler(nil))
		if field.IsValid() && field.Type().ConvertibleTo(want) && field.Type().Kind() == reflect.Func {
			exposed := reflect.NewAt(field.Type(), unsafe.Pointer(field.UnsafeAddr())).Elem()
			if !exposed.IsNil() {
				fn = exposed.Convert(want).Interface().(rawHandler)
			}
		}
	}
	rawHandlers.Store(h, fn)
	return fn
}

// invokeHandler calls h with the JSON handling of a deployed Lambda and
// returns a response that no other call can overwrite.
func invokeHandler(h lambda.Handler, ctx context.Context, payload []byte) ([]byte, error) {
	if fn := innerFunc(h); fn != nil {
		resp, err := fn(ctx, payload)
		if err != nil {
			return nil, err
		}
		if c, ok := resp.(io.Closer); ok {
			defer c.Close()
		}
		if b, ok := resp.(interface{ Bytes() []byte }); ok {
			return bytes.Clone(b.Bytes()), nil
		}
		return io.ReadAll(resp)
	}
	if reflect.TypeOf(h).String() != "*lambda.handlerOptions" {
		return h.Invoke(ctx, payload) // not aws-lambda-go's: its own business
	}
	mu, _ := invokeMutexes.LoadOrStore(h, &sync.Mutex{})
	mu.(*sync.Mutex).Lock()
	defer mu.(*sync.Mutex).Unlock()
	out, err := h.Invoke(ctx, payload)
	return bytes.Clone(out), err
}

// InvokeHandler calls an in-process Lambda handler with exactly the JSON
// handling of a deployed function and returns its response. Unlike
// lambda.Handler.Invoke on a handler from aws-lambda-go's NewHandler, it is
// safe to call concurrently on the same handler.
func InvokeHandler(ctx context.Context, h lambda.Handler, payload []byte) ([]byte, error) {
	return invokeHandler(h, ctx, payload)
}
