// Package lambdamain is what every functions/<name>/main.go shares: the JSON
// logger Lambda expects, the function's configuration read once at cold
// start from the environment into its own struct, and the AWS configuration,
// so that each main only builds its clients and its handler.
//
// A configuration struct names its variables with `env` tags; a tag with
// ",optional" may be absent. A missing required variable stops the cold
// start with a message naming every missing one.
//
//	type config struct {
//		CaseTable string `env:"CASE_TABLE"`
//		Sender    string `env:"SENDER_ADDRESS,optional"`
//	}
package lambdamain

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"

	"breachflow/internal/awsenv"
)

// Start reads cfg from the environment, loads the AWS configuration, calls
// build once, and hands the handler it returns to lambda.Start. Any failure
// before that is logged and ends the process, so Lambda reports a failed
// cold start instead of a handler that fails on every call.
func Start[C any](cfg *C, build func(ctx context.Context, cfg *C, aws aws.Config, log *slog.Logger) (any, error)) {
	log := lambdacontext.NewLogger()
	slog.SetDefault(log)
	ctx := context.Background()
	if err := Load(cfg, os.LookupEnv); err != nil {
		log.Error("configuration", "error", err)
		os.Exit(1)
	}
	awsCfg, err := awsenv.Load(ctx)
	if err != nil {
		log.Error("aws configuration", "error", err)
		os.Exit(1)
	}
	h, err := build(ctx, cfg, awsCfg, log)
	if err != nil {
		log.Error("build handler", "error", err)
		os.Exit(1)
	}
	lambda.Start(h)
}

// Load fills the `env`-tagged fields of *cfg through lookup (os.LookupEnv in
// a function). Strings, ints, floats, bools and durations are supported.
func Load(cfg any, lookup func(string) (string, bool)) error {
	v := reflect.ValueOf(cfg)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("lambdamain.Load wants a pointer to a struct, got %T", cfg)
	}
	v = v.Elem()
	var missing []string
	var errs []error
	for i := range v.NumField() {
		f := v.Type().Field(i)
		tag, ok := f.Tag.Lookup("env")
		if !ok {
			continue
		}
		name, opt, _ := strings.Cut(tag, ",")
		raw, set := lookup(name)
		if !set || raw == "" {
			if opt != "optional" {
				missing = append(missing, name)
			}
			continue
		}
		if err := setField(v.Field(i), raw); err != nil {
			errs = append(errs, fmt.Errorf("%s=%q: %w", name, raw, err))
		}
	}
	if len(missing) > 0 {
		errs = append([]error{fmt.Errorf("missing environment variables: %s", strings.Join(missing, ", "))}, errs...)
	}
	return errors.Join(errs...)
}

func setField(f reflect.Value, raw string) error {
	if f.Type() == reflect.TypeFor[time.Duration]() {
		d, err := time.ParseDuration(raw)
		if err != nil {
			return err
		}
		f.SetInt(int64(d))
		return nil
	}
	switch f.Kind() {
	case reflect.String:
		f.SetString(raw)
	case reflect.Int, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return err
		}
		f.SetInt(n)
	case reflect.Float64:
		n, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return err
		}
		f.SetFloat(n)
	case reflect.Bool:
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return err
		}
		f.SetBool(b)
	default:
		return fmt.Errorf("unsupported field type %s", f.Type())
	}
	return nil
}
