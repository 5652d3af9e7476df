package asl

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"
)

func TestInnerFuncFound(t *testing.T) {
	h := lambda.NewHandler(func(n int) (int, error) { return n + 1, nil })
	if innerFunc(h) == nil {
		t.Fatal("aws-lambda-go's handler layout changed: concurrent calls of one handler are now serialized")
	}
	out, err := invokeHandler(h, context.Background(), []byte(`41`))
	if err != nil || string(out) != "42\n" && string(out) != "42" {
		t.Fatalf("got %q %v", out, err)
	}
}

type plainErr struct{}

func (plainErr) Error() string { return "plain" }

// TestConcurrentCallsOfOneHandler would fail under -race (and return mixed
// up outputs) with Handler.Invoke's pooled buffers.
func TestConcurrentCallsOfOneHandler(t *testing.T) {
	h := lambda.NewHandler(func(in struct{ N int }) (map[string]int, error) {
		if in.N < 0 {
			return nil, plainErr{}
		}
		return map[string]int{"n": in.N, "double": 2 * in.N}, nil
	})
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				n := g*1000 + i
				out, err := invokeHandler(h, context.Background(), []byte(`{"N":`+itoa(n)+`}`))
				if err != nil {
					t.Error(err)
					return
				}
				v, _ := DecodeJSON(out)
				m := v.(map[string]any)
				if m["n"] != jsonNumber(itoa(n)) || m["double"] != jsonNumber(itoa(2*n)) {
					t.Errorf("call %d got %s", n, out)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	_, err := invokeHandler(h, context.Background(), []byte(`{"N":-1}`))
	var pe plainErr
	if !errors.As(err, &pe) || LambdaErrorType(err) != "plainErr" {
		t.Fatalf("error %v (%s)", err, LambdaErrorType(err))
	}
}

func itoa(n int) string { return jsonInt(n).(jsonNumber).String() }
