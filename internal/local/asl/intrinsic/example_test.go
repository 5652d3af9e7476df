package intrinsic_test

import (
	"fmt"

	"breachflow/internal/local/asl/intrinsic"
)

func ExampleEval() {
	input := map[string]any{"caseId": "c-42", "shards": []any{1, 2, 3, 4, 5}}
	resolve := func(path string) (any, error) {
		switch path {
		case "$.caseId":
			return input["caseId"], nil
		case "$.shards":
			return input["shards"], nil
		}
		return nil, fmt.Errorf("no such path %s", path)
	}
	v, _ := intrinsic.Eval(`States.Format('case {} has {} shard batches', $.caseId, States.ArrayLength(States.ArrayPartition($.shards, 2)))`, resolve)
	fmt.Println(v)
	// Output: case c-42 has 3 shard batches
}
