package main

import (
	"context"
	"fmt"
	"time"

	"breachflow/internal/local/asl/intrinsic"
	"breachflow/internal/local/stepfunctions"
)

// runService runs the definition through the local Step Functions service,
// as `breachflow local up` and the API do: every execution records its AWS
// history. It returns the run times (from StartExecution to the status
// leaving RUNNING) and the last output. The first run is not timed.
func runService(ctx context.Context, def, inputJSON []byte, runs int) ([]time.Duration, []byte, error) {
	svc, err := stepfunctions.New(stepfunctions.Options{Intrinsic: intrinsic.Eval})
	if err != nil {
		return nil, nil, err
	}
	defer svc.Close()
	sm, err := svc.CreateStateMachine(ctx, stepfunctions.CreateStateMachineInput{
		Name: "bench", Definition: string(def), RoleArn: "arn:aws:iam::123456789012:role/bench",
	})
	if err != nil {
		return nil, nil, err
	}
	var times []time.Duration
	var output string
	for i := 0; i <= runs; i++ {
		start := time.Now()
		ex, err := svc.StartExecution(ctx, stepfunctions.StartExecutionInput{
			StateMachineArn: sm.Arn, Name: fmt.Sprintf("run-%d", i), Input: string(inputJSON),
		})
		if err != nil {
			return nil, nil, err
		}
		for ex.Status == stepfunctions.StatusRunning {
			// Polling is how API clients see completion; 200 us keeps the
			// error small against runs of milliseconds.
			time.Sleep(200 * time.Microsecond)
			if ex, err = svc.DescribeExecution(ctx, ex.Arn); err != nil {
				return nil, nil, err
			}
		}
		elapsed := time.Since(start)
		if ex.Status != stepfunctions.StatusSucceeded {
			return nil, nil, fmt.Errorf("execution %s: %s: %s", ex.Status, ex.Error, ex.Cause)
		}
		output = ex.Output
		if i > 0 {
			times = append(times, elapsed)
		}
	}
	return times, []byte(output), nil
}
