package stepfunctions_test

import (
	"fmt"
	"strings"
	"testing"

	"breachflow/internal/local/stepfunctions"
)

// BenchmarkServiceInlineMap10k measures a whole execution through the
// service, history included: StartExecution to SUCCEEDED of an inline Map
// over 10,000 Pass items.
func BenchmarkServiceInlineMap10k(b *testing.B) {
	s, err := stepfunctions.New(stepfunctions.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	sm, err := s.CreateStateMachine(ctx, stepfunctions.CreateStateMachineInput{Name: "map", Definition: `{"StartAt":"Map","States":{"Map":{"Type":"Map","ItemsPath":"$.items",
	  "ItemProcessor":{"StartAt":"Pass","States":{"Pass":{"Type":"Pass","Parameters":{"id.$":"$.id","ok":true},"End":true}}},"End":true}}}`})
	if err != nil {
		b.Fatal(err)
	}
	parts := make([]string, 10000)
	for i := range parts {
		parts[i] = fmt.Sprintf(`{"id":"%d"}`, i)
	}
	input := `{"items":[` + strings.Join(parts, ",") + `]}`
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ex, err := s.StartExecution(ctx, stepfunctions.StartExecutionInput{StateMachineArn: sm.Arn, Input: input})
		if err != nil {
			b.Fatal(err)
		}
		for {
			d, _ := s.DescribeExecution(ctx, ex.Arn)
			if d.Status != stepfunctions.StatusRunning {
				if d.Status != stepfunctions.StatusSucceeded {
					b.Fatal(d.Status, d.Error, d.Cause)
				}
				break
			}
			waitBriefly()
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/execution")
}
