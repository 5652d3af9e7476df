package deploy

import (
	"context"
	"encoding/hex"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"

	"breachflow/internal/approval"
	"breachflow/internal/envconfig"
	"breachflow/internal/functions"
	"breachflow/internal/local/sam"
)

// Function is one of the template's functions as the local stack runs it.
type Function struct {
	// LogicalID is its logical id in template.yaml.
	LogicalID string
	// Name is the name its ARN carries, under which the engine invokes it.
	Name string
	// Environment is what it read its settings from, as Lambda would give
	// them: the template's variables resolved locally, the overrides, and
	// the endpoints of the local stack.
	Environment map[string]string
	// Clients are what its handler was built with. Every SDK client the
	// handler makes from Clients.AWS takes its endpoint from Environment.
	Clients functions.Clients
	handler lambda.Handler
	// around, when set, stands between every invocation and the handler
	// (Around).
	around atomic.Pointer[lambda.Handler]
}

// Lookup reads the function's environment, as os.LookupEnv does in Lambda.
func (f *Function) Lookup(name string) (string, bool) {
	v, ok := f.Environment[name]
	return v, ok
}

// Invoke runs the function's handler on payload, the JSON path Lambda's
// Invoke takes: for the local stack's own event sources (the SMS
// endpoint's delivery receipts).
func (f *Function) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	if h := f.around.Load(); h != nil {
		return (*h).Invoke(ctx, payload)
	}
	return f.handler.Invoke(ctx, payload)
}

// Around puts wrap(handler) in the handler's place for every invocation
// from then on, the engine's as well as Invoke's: a test's way to make
// something happen at a given step of an execution (an event filed just
// before a count, say) without racing it. nil restores the handler.
func (f *Function) Around(wrap func(lambda.Handler) lambda.Handler) {
	if wrap == nil {
		f.around.Store(nil)
		return
	}
	h := wrap(f.handler)
	f.around.Store(&h)
}

// byID are the functions the local stack can run, by logical id.
var byID = func() map[string]functions.Any {
	m := make(map[string]functions.Any, len(functions.All))
	for _, f := range functions.All {
		m[f.ID()] = f
	}
	return m
}()

// endpointVars are the SDK's endpoint variables the local stack sets for
// the services it runs. AWS_ENDPOINT_URL is every other service: the local
// stack emulates none, so it points them at its own Step Functions API on
// loopback, which refuses what it does not know, rather than letting them
// reach AWS with whatever credentials this machine holds.
const (
	endpointSFN   = "AWS_ENDPOINT_URL_SFN"
	endpointOther = "AWS_ENDPOINT_URL"
)

// build resolves every function's environment and builds its handler: the
// same functions.Function New a deployed function's cold start runs, with a
// lookup over the environment instead of os.LookupEnv.
func build(ctx context.Context, tpl *sam.Template, opts Options, sfnEndpoint string) (map[string]*Function, error) {
	fns, err := tpl.Functions()
	if err != nil {
		return nil, err
	}
	var missing []string
	stack := sam.Overrides{}
	for id, fn := range fns {
		if _, ok := byID[id]; !ok {
			missing = append(missing, id)
		}
		for name, v := range opts.Endpoints {
			stack.Set(id, name, v)
		}
		stack.Set(id, endpointSFN, sfnEndpoint)
		stack.Set(id, endpointOther, sfnEndpoint)
		if fn.Declares(approval.EnvKeySecret) && opts.ApprovalKey != nil {
			// Locally there is no Secrets Manager: the key itself stands
			// in for the secret that holds it in AWS.
			stack.Set(id, approval.EnvKeySecret, "")
			stack.Set(id, approval.EnvKey, hex.EncodeToString(opts.ApprovalKey))
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return nil, fmt.Errorf("template functions with no local handler (add them to functions.All): %v", missing)
	}
	envs, err := tpl.Environments(opts.Env.Over(stack))
	if err != nil {
		return nil, err
	}
	out := make(map[string]*Function, len(fns))
	for id, fn := range fns {
		f := &Function{LogicalID: id, Name: fn.FunctionName, Environment: envs[id]}
		f.Clients = functions.Clients{AWS: withEndpoints(opts.AWS, f.Lookup), Log: opts.Log, Metrics: opts.Metrics}
		if f.handler, err = byID[id].NewHandler(ctx, f.Lookup, f.Clients); err != nil {
			return nil, fmt.Errorf("local %s: %w", id, err)
		}
		out[id] = f
	}
	return out, nil
}

// withEndpoints returns cfg whose service clients take their endpoint from
// the SDK's variables as lookup gives them (AWS_ENDPOINT_URL_<SERVICE ID>,
// else AWS_ENDPOINT_URL), as a client in Lambda takes them from the process
// environment. The SDK reads the process environment when a client is made,
// so a function built before a variable was set would reach AWS; here
// nothing depends on the process environment or on when it changes.
func withEndpoints(cfg aws.Config, lookup envconfig.Lookup) aws.Config {
	cfg = cfg.Copy()
	cfg.ServiceOptions = append(slices.Clone(cfg.ServiceOptions), func(serviceID string, options any) {
		name := endpointOther + "_" + strings.ToUpper(strings.ReplaceAll(serviceID, " ", "_"))
		url, ok := lookup(name)
		if !ok {
			url, ok = lookup(endpointOther)
		}
		if !ok {
			return
		}
		// Every service's Options has BaseEndpoint *string, the field the
		// endpoint variables set.
		if f := reflect.ValueOf(options).Elem().FieldByName("BaseEndpoint"); f.IsValid() && f.Type() == reflect.TypeFor[*string]() {
			f.Set(reflect.ValueOf(aws.String(url)))
		}
	})
	return cfg
}

// handlers are the functions by the name their ARN carries, for the engine.
func handlers(fns map[string]*Function) map[string]lambda.Handler {
	out := make(map[string]lambda.Handler, len(fns))
	for _, f := range fns {
		out[f.Name] = f
	}
	return out
}
