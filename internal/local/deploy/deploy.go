package deploy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sort"

	"github.com/aws/aws-lambda-go/lambda"

	"breachflow/internal/local/asl/intrinsic"
	"breachflow/internal/local/loopback"
	"breachflow/internal/local/sam"
	"breachflow/internal/local/sfnapi"
	"breachflow/internal/local/stepfunctions"
)

// Options configure the local deployment.
type Options struct {
	// Template is the path of template.yaml.
	Template string
	// Dir keeps state machines and executions across restarts; "" keeps
	// them in memory.
	Dir string
	// Addr is where the Step Functions API listens (default 127.0.0.1:8083;
	// port 0 picks a free one). Loopback only.
	Addr string
	Deps Deps
}

// Runtime is a running local deployment.
type Runtime struct {
	Service *stepfunctions.Service
	// Endpoint is the Step Functions API's URL, for AWS_ENDPOINT_URL_SFN.
	Endpoint string
	// StateMachines maps each state machine's logical id to its ARN.
	StateMachines map[string]string
	server        *http.Server
	done          chan error
}

// Start deploys the template locally and serves the Step Functions API.
func Start(ctx context.Context, opts Options) (*Runtime, error) {
	tpl, err := sam.Load(opts.Template)
	if err != nil {
		return nil, err
	}
	fns, err := Handlers(tpl, opts.Deps)
	if err != nil {
		return nil, err
	}
	svc, err := stepfunctions.New(stepfunctions.Options{
		Dir: opts.Dir, Functions: fns, Region: tpl.Region, Account: tpl.Account, Intrinsic: intrinsic.Eval,
	})
	if err != nil {
		return nil, err
	}
	rt := &Runtime{Service: svc, StateMachines: map[string]string{}}
	if err := rt.deploy(ctx, tpl); err != nil {
		svc.Close()
		return nil, err
	}
	ln, err := sfnapi.Listen(opts.Addr)
	if err != nil {
		svc.Close()
		return nil, err
	}
	rt.Endpoint = "http://" + ln.Addr().(*net.TCPAddr).String()
	log := opts.Deps.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	rt.server = loopback.NewServer(ln, sfnapi.NewHandler(svc, log))
	rt.done = make(chan error, 1)
	go func() { rt.done <- rt.server.Serve(ln) }()
	return rt, nil
}

// deploy creates each state machine, replacing one whose definition changed
// since it was stored (executions already running keep their definition).
func (rt *Runtime) deploy(ctx context.Context, tpl *sam.Template) error {
	sms, err := tpl.StateMachines()
	if err != nil {
		return err
	}
	for _, sm := range sms {
		in := stepfunctions.CreateStateMachineInput{
			Name: sm.Name, Definition: string(sm.Definition), Type: sm.Type,
			RoleArn: fmt.Sprintf("arn:aws:iam::%s:role/%s-role", tpl.Account, sm.Name),
		}
		got, err := rt.Service.CreateStateMachine(ctx, in)
		var apiErr *stepfunctions.APIError
		if errors.As(err, &apiErr) && apiErr.Code == stepfunctions.CodeStateMachineAlreadyExists {
			if err := rt.Service.DeleteStateMachine(ctx, sm.ARN); err != nil {
				return err
			}
			got, err = rt.Service.CreateStateMachine(ctx, in)
		}
		if err != nil {
			return fmt.Errorf("deploy %s: %w", sm.LogicalID, err)
		}
		rt.StateMachines[sm.LogicalID] = got.Arn
	}
	return nil
}

// Close stops the API and the engine. Executions waiting on a task token or
// a Wait state resume when a Runtime is started again with the same Dir.
func (rt *Runtime) Close() error {
	err := rt.server.Close()
	<-rt.done
	return errors.Join(err, rt.Service.Close())
}

// Handlers builds the in-process handler of every function in the template,
// keyed by the function name its ARN carries. A function with no local
// handler is an error, so the local stack can never run less than deploys.
func Handlers(tpl *sam.Template, d Deps) (map[string]lambda.Handler, error) {
	fns, err := tpl.Functions()
	if err != nil {
		return nil, err
	}
	out := map[string]lambda.Handler{}
	var missing []string
	for id, fn := range fns {
		build, ok := constructors[id]
		if !ok {
			missing = append(missing, id)
			continue
		}
		name := fn.FunctionName
		if name == "" {
			name = id
		}
		h, err := build(d)
		if err != nil {
			return nil, fmt.Errorf("local handler of %s: %w", id, err)
		}
		out[name] = h
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, fmt.Errorf("template functions with no local handler in package deploy: %v", missing)
	}
	return out, nil
}
