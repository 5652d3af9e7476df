// Command sfncompare runs the same ASL definitions on breachflow's local
// engine (package asl, in process) and on npm's aws-local-stepfunctions 3.0.0
// (through run.mjs on Node), in the same run on the same machine, and prints
// transitions per second and the time of an inline Map over 10,000 Pass
// items side by side with their ratio. Both engines' outputs are compared
// so that the two really ran the same work.
//
// Each benchmark also runs in JSONata on breachflow's engine. The npm engine
// ignores JSONata, so its side of those rows is the JSONPath definition doing
// the same work (the outputs are compared all the same).
//
//	go run ./bench/sfncompare [-runs 5] [-n 1000] [-items 10000] [-infra infra] [-json]
//
// aws-local-stepfunctions is installed by `cd infra && npm ci`. On Node 20,
// run.mjs polyfills Promise.withResolvers, which the package needs.
package main

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"breachflow/internal/local/asl"
	"breachflow/internal/local/asl/intrinsic"
)

//go:embed testdata/*.asl.json run.mjs
var files embed.FS

const npmModule = "node_modules/aws-local-stepfunctions/build/main.node.esm.js"

type config struct {
	runs, n, items int
	infra, node    string
	asJSON         bool
}

// result is one benchmark on both engines; times are medians.
type result struct {
	Name          string  `json:"name"`
	Path          string  `json:"breachflow_path"`
	Unit          string  `json:"unit"`
	Ours          float64 `json:"breachflow"`
	Theirs        float64 `json:"aws_local_stepfunctions"`
	Ratio         float64 `json:"ratio"`
	OursMedianMS  float64 `json:"breachflow_median_ms"`
	TheirMedianMS float64 `json:"aws_local_stepfunctions_median_ms"`
}

func main() {
	var cfg config
	flag.IntVar(&cfg.runs, "runs", 5, "timed runs per engine and benchmark (after one warm-up run)")
	flag.IntVar(&cfg.n, "n", 5000, "loop iterations of the transitions benchmark (2n+2 transitions)")
	flag.IntVar(&cfg.items, "items", 10000, "items of the inline Map benchmark")
	flag.StringVar(&cfg.infra, "infra", "infra", "directory holding node_modules with aws-local-stepfunctions")
	flag.StringVar(&cfg.node, "node", "node", "Node.js executable")
	flag.BoolVar(&cfg.asJSON, "json", false, "print JSON instead of a table")
	flag.Parse()
	if err := run(context.Background(), cfg, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "sfncompare:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, cfg config, out io.Writer) error {
	if cfg.runs < 1 {
		return errors.New("-runs must be at least 1")
	}
	module, err := filepath.Abs(filepath.Join(cfg.infra, npmModule))
	if err != nil {
		return err
	}
	if _, err := os.Stat(module); err != nil {
		return fmt.Errorf("aws-local-stepfunctions is not installed (run `cd %s && npm ci`): %w", cfg.infra, err)
	}
	tmp, err := os.MkdirTemp("", "sfncompare-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	script := filepath.Join(tmp, "run.mjs")
	if err := copyEmbedded("run.mjs", script); err != nil {
		return err
	}

	items := make([]int, cfg.items)
	for i := range items {
		items[i] = i
	}
	benches := []struct {
		name, def string
		// theirs is the definition the npm engine runs, when it is not def
		// (def is JSONata, which that engine does not implement).
		theirs string
		input  any
		// per converts a median run time into the reported figure.
		per  func(d time.Duration) float64
		unit string
	}{
		{fmt.Sprintf("transitions/s (Pass+Choice loop, %d transitions)", 2*cfg.n+2), "transitions.asl.json", "", map[string]int{"n": cfg.n},
			func(d time.Duration) float64 { return float64(2*cfg.n+2) / d.Seconds() }, "transitions/s"},
		{fmt.Sprintf("transitions/s, JSONata + variables (%d transitions)", 2*cfg.n+2), "transitions-jsonata.asl.json", "transitions.asl.json", map[string]int{"n": cfg.n},
			func(d time.Duration) float64 { return float64(2*cfg.n+2) / d.Seconds() }, "transitions/s"},
		{fmt.Sprintf("inline Map over %d Pass items", cfg.items), "map.asl.json", "", map[string]any{"items": items},
			func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }, "ms"},
		{fmt.Sprintf("inline Map over %d Pass items, JSONata", cfg.items), "map-jsonata.asl.json", "map.asl.json", map[string]any{"items": items},
			func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }, "ms"},
	}
	engines := []struct {
		name string
		run  func(context.Context, []byte, []byte, int) ([]time.Duration, []byte, error)
	}{
		{"interpreter", runOurs},
		{"service+history", runService},
	}
	var results []result
	for _, b := range benches {
		def, err := files.ReadFile("testdata/" + b.def)
		if err != nil {
			return err
		}
		inputJSON, err := json.Marshal(b.input)
		if err != nil {
			return err
		}
		theirName, theirDef := b.def, def
		if b.theirs != "" {
			theirName = b.theirs
			if theirDef, err = files.ReadFile("testdata/" + b.theirs); err != nil {
				return err
			}
		}
		theirs, theirOut, err := runNode(ctx, cfg, module, script, tmp, theirName, theirDef, inputJSON)
		if err != nil {
			return fmt.Errorf("%s on aws-local-stepfunctions: %w", theirName, err)
		}
		mt := median(theirs)
		for _, e := range engines {
			ours, ourOut, err := e.run(ctx, def, inputJSON, cfg.runs)
			if err != nil {
				return fmt.Errorf("%s on breachflow (%s): %w", b.def, e.name, err)
			}
			if err := sameJSON(ourOut, theirOut); err != nil {
				return fmt.Errorf("%s (%s): the engines disagree: %w", b.def, e.name, err)
			}
			mo := median(ours)
			results = append(results, result{Name: b.name, Path: e.name, Unit: b.unit,
				Ours: b.per(mo), Theirs: b.per(mt), OursMedianMS: ms(mo), TheirMedianMS: ms(mt),
				Ratio: mt.Seconds() / mo.Seconds()}) // how many times faster ours is
		}
	}
	return report(out, cfg, results)
}

func copyEmbedded(name, dst string) error {
	b, err := files.ReadFile(name)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, b, 0o644)
}

// runOurs parses the definition once and runs it runs+1 times (the first
// untimed), as run.mjs does with the npm engine.
func runOurs(ctx context.Context, def, inputJSON []byte, runs int) ([]time.Duration, []byte, error) {
	m, err := asl.Parse(def)
	if err != nil {
		return nil, nil, err
	}
	opts := asl.Options{Intrinsic: intrinsic.Eval}
	var times []time.Duration
	var output any
	for i := 0; i <= runs; i++ {
		input, err := asl.DecodeJSON(inputJSON)
		if err != nil {
			return nil, nil, err
		}
		info := asl.ExecutionInfo{
			ID:             fmt.Sprintf("arn:aws:states:us-east-1:123456789012:execution:bench:run-%d", i),
			Name:           fmt.Sprintf("run-%d", i),
			StartTime:      time.Now(),
			StateMachineID: "arn:aws:states:us-east-1:123456789012:stateMachine:bench", StateMachineName: "bench",
		}
		start := time.Now()
		out, xerr := m.Run(ctx, opts, info, input, asl.Hooks{})
		elapsed := time.Since(start)
		if xerr != nil {
			return nil, nil, xerr
		}
		output = out
		if i > 0 {
			times = append(times, elapsed)
		}
	}
	b, err := asl.EncodeJSON(output)
	return times, b, err
}

func runNode(ctx context.Context, cfg config, module, script, tmp, name string, def, inputJSON []byte) ([]time.Duration, []byte, error) {
	defPath := filepath.Join(tmp, name)
	inPath := filepath.Join(tmp, name+".input.json")
	if err := os.WriteFile(defPath, def, 0o644); err != nil {
		return nil, nil, err
	}
	if err := os.WriteFile(inPath, inputJSON, 0o644); err != nil {
		return nil, nil, err
	}
	cmd := exec.CommandContext(ctx, cfg.node, script, module, defPath, inPath, fmt.Sprint(cfg.runs))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %s", err, strings.TrimSpace(stderr.String()))
	}
	var res struct {
		RunsMS []float64       `json:"runs_ms"`
		Output json.RawMessage `json:"output"`
	}
	if err := json.Unmarshal(stdout, &res); err != nil {
		return nil, nil, fmt.Errorf("unreadable output from run.mjs: %w", err)
	}
	times := make([]time.Duration, len(res.RunsMS))
	for i, v := range res.RunsMS {
		times[i] = time.Duration(v * float64(time.Millisecond))
	}
	return times, res.Output, nil
}

// sameJSON compares two JSON texts as values (key order aside).
func sameJSON(a, b []byte) error {
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		return err
	}
	if err := json.Unmarshal(b, &y); err != nil {
		return err
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	if !bytes.Equal(xa, ya) {
		return fmt.Errorf("outputs differ: %.200s vs %.200s", xa, ya)
	}
	return nil
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func report(out io.Writer, cfg config, results []result) error {
	if cfg.asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(results)
	}
	nodeVersion, _ := exec.Command(cfg.node, "--version").Output()
	fmt.Fprintf(out, "Step Functions engines, same definitions, same run (median of %d runs after a warm-up; Node %s)\n",
		cfg.runs, strings.TrimSpace(string(nodeVersion)))
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "benchmark\tbreachflow path\tbreachflow\taws-local-stepfunctions 3.0.0\tbreachflow faster by\t")
	for _, r := range results {
		if r.Unit == "ms" {
			fmt.Fprintf(tw, "%s\t%s\t%.1f ms\t%.1f ms\t%.1fx\t\n", r.Name, r.Path, r.Ours, r.Theirs, r.Ratio)
		} else {
			fmt.Fprintf(tw, "%s\t%s\t%.0f\t%.0f\t%.1fx\t\n", r.Name, r.Path, r.Ours, r.Theirs, r.Ratio)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(out, "interpreter: package asl in process, no history; service+history: package stepfunctions, as the API runs it (AWS history recorded).")
	fmt.Fprintln(out, "aws-local-stepfunctions records no AWS history; its figure is the same in both rows.")
	fmt.Fprintln(out, "JSONata rows: aws-local-stepfunctions does not implement JSONata, so its figure there is the JSONPath definition's (same work, same output).")
	return nil
}
