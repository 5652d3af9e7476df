package deploy

import (
	"testing"

	"breachflow/internal/delivery"
	"breachflow/internal/local/sam"
)

// TestEveryTemplateFunctionRunsLocally keeps the handler table and
// template.yaml in step in both directions.
func TestEveryTemplateFunctionRunsLocally(t *testing.T) {
	tpl, err := sam.Load("../../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	deps := Deps{Send: delivery.Config{From: "privacy@example.com", AccountRate: 14, Parallel: 1}}
	if _, err := Handlers(tpl, deps); err != nil {
		t.Fatal(err)
	}
	fns, err := tpl.Functions()
	if err != nil {
		t.Fatal(err)
	}
	for id := range constructors {
		if _, ok := fns[id]; !ok {
			t.Errorf("deploy has a handler for %s, which template.yaml does not declare", id)
		}
	}
}
