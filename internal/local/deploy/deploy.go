package deploy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"

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
	// Local are the values of the references the local stack decides
	// itself (sam.Template.Local): the case table's name, the console's URL.
	Local map[string]string
	// Env are the environment overrides over the template's values, as
	// `sam local invoke --env-vars` takes them.
	Env sam.Overrides
	// Endpoints are the SDK's endpoint variables of the emulators
	// (AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_SESV2), which every
	// function's environment gets, with AWS_ENDPOINT_URL_SFN of this
	// deployment's own API; every other service points at that API too.
	Endpoints map[string]string
	// ApprovalKey is the approval signing key. Each function whose template
	// environment names the key's secret gets the key itself instead
	// (approval.EnvKey): locally there is no Secrets Manager.
	ApprovalKey []byte
	// AWS configures the functions' SDK clients (region, credentials, HTTP
	// client); their endpoints come from each function's environment.
	AWS aws.Config
	// Log is the functions' and the API's logger; nil discards.
	Log *slog.Logger
	// Metrics receives the functions' metric lines; nil discards them.
	Metrics io.Writer
}

// Runtime is a running local deployment.
type Runtime struct {
	// Service is the in-process Step Functions engine.
	Service *stepfunctions.Service
	// Endpoint is the Step Functions API's URL, for AWS_ENDPOINT_URL_SFN.
	Endpoint string
	// StateMachines maps each state machine's logical id to its ARN.
	StateMachines map[string]string
	// Functions are the template's functions, by logical id.
	Functions map[string]*Function
	server    *http.Server
	done      chan error
}

// Start deploys the template locally and serves the Step Functions API.
func Start(ctx context.Context, opts Options) (*Runtime, error) {
	tpl, err := sam.Load(opts.Template)
	if err != nil {
		return nil, err
	}
	tpl.Local = opts.Local
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	// The API listens first: the functions' environment names its address.
	ln, err := sfnapi.Listen(opts.Addr)
	if err != nil {
		return nil, err
	}
	rt := &Runtime{Endpoint: "http://" + ln.Addr().(*net.TCPAddr).String(), StateMachines: map[string]string{}}
	if rt.Functions, err = build(ctx, tpl, opts, rt.Endpoint); err != nil {
		ln.Close()
		return nil, err
	}
	rt.Service, err = stepfunctions.New(stepfunctions.Options{
		Dir: opts.Dir, Functions: handlers(rt.Functions), Region: tpl.Region, Account: tpl.Account, Intrinsic: intrinsic.Eval,
	})
	if err != nil {
		ln.Close()
		return nil, err
	}
	if err := rt.deploy(ctx, tpl); err != nil {
		ln.Close()
		rt.Service.Close()
		return nil, err
	}
	rt.server = loopback.NewServer(ln, sfnapi.NewHandler(rt.Service, opts.Log))
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
